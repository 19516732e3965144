package dev.stowage.sync;

import dev.stowage.ResumeJournal;
import dev.stowage.ResumePoint;
import java.util.Objects;
import java.util.Optional;

/**
 * The resume journal kept in the state database, so that an upload in parts cut by a crash is
 * found again by the next run. Thread-safe, as its store is.
 */
final class StateJournal implements ResumeJournal {
    private final StateStore state;

    StateJournal(StateStore state) {
        this.state = state;
    }

    @Override
    public Optional<ResumePoint> find(String key) {
        return state.upload(Objects.requireNonNull(key, "key"));
    }

    @Override
    public void save(ResumePoint point) {
        state.saveUpload(Objects.requireNonNull(point, "point"));
    }

    @Override
    public void remove(String key, String uploadId) {
        state.removeUpload(Objects.requireNonNull(key, "key"), Objects.requireNonNull(uploadId, "uploadId"));
    }

    @Override
    public String toString() {
        return "StateJournal[" + state.database() + "]";
    }
}
