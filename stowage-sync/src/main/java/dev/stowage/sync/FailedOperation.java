package dev.stowage.sync;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import java.util.Objects;

/**
 * An operation a run could not complete; it is kept pending for the next run.
 *
 * @param key       the file's key
 * @param operation {@link Operation#UPLOAD} or {@link Operation#DELETE}
 * @param kind      the kind of the last failure
 * @param message   the last failure, on one line
 */
public record FailedOperation(String key, Operation operation, ErrorKind kind, String message) {

    public FailedOperation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }
}
