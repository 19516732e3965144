package dev.stowage.sync;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file or folder a scan could not take, and why: an unreadable file, a name that makes no valid
 * key, a file that kept changing while it was read. The scan goes on without it; a file that was
 * in the last scan keeps its last known state, so a passing problem never unpublishes it.
 *
 * @param path   the path in the folder
 * @param reason why it was skipped, on one line
 */
public record ScanProblem(Path path, String reason) {

    public ScanProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return path + ": " + reason;
    }
}
