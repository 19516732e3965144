package dev.stowage.sync;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The folder as the last scan saw it: every regular file's key, size, modification time and
 * SHA-256. A view of the state, read as it is used, so a snapshot of any size costs no memory;
 * it shows what the state holds when read, so a scan running meanwhile may show through.
 *
 * <pre>{@code
 * Snapshot snapshot = cache.state().snapshot();
 * snapshot.get("index.html").ifPresent(f -> System.out.println(f.sha256()));
 * snapshot.forEach(f -> System.out.println(f.key() + " " + f.size()));
 * }</pre>
 *
 * <p>Thread-safe as its {@link StateStore} is.
 */
public final class Snapshot {
    private final StateStore state;

    Snapshot(StateStore state) {
        this.state = state;
    }

    /** How many files the folder holds. */
    public long files() {
        return state.fileTotals()[0];
    }

    /** Their total size in bytes. */
    public long bytes() {
        return state.fileTotals()[1];
    }

    /** The file of {@code key}, if the folder holds it. */
    public Optional<FileState> get(String key) {
        return state.file(Objects.requireNonNull(key, "key"));
    }

    /** Calls {@code action} with every file, in key order ({@link dev.stowage.Keys#ORDER}). */
    public void forEach(Consumer<FileState> action) {
        Objects.requireNonNull(action, "action");
        try (RowCursor<HashedFile> rows = state.filesInKeyOrder()) {
            rows.forEachRemaining(row -> action.accept(row.state()));
        }
    }

    @Override
    public String toString() {
        return "Snapshot[" + state.database() + "]";
    }
}
