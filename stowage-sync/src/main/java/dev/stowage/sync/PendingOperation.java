package dev.stowage.sync;

import dev.stowage.Operation;
import java.time.Instant;
import java.util.Objects;

/**
 * An upload or delete that failed and waits for the next run.
 *
 * @param key         the file's key
 * @param operation   {@link Operation#UPLOAD} or {@link Operation#DELETE}
 * @param attempts    how many runs have tried it
 * @param lastError   the last failure, on one line
 * @param lastAttempt when it was last tried
 */
public record PendingOperation(String key, Operation operation, int attempts, String lastError, Instant lastAttempt) {

    public PendingOperation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(lastAttempt, "lastAttempt");
    }
}
