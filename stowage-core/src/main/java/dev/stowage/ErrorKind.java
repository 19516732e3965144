package dev.stowage;

/**
 * What went wrong, independent of the backend. Every {@link StorageException} carries one kind,
 * so callers can react to a failure without knowing which backend raised it.
 */
public enum ErrorKind {
    /** The object (or the source file of an upload) does not exist. */
    NOT_FOUND(false),
    /** Credentials are missing, wrong or lack the permission for the operation. */
    ACCESS_DENIED(false),
    /** The key breaks the key rules ({@link Keys}). Nothing was touched. */
    INVALID_KEY(false),
    /** A setting is missing or wrong: fix the configuration and try again. */
    INVALID_CONFIG(false),
    /** The key clashes with what is stored, e.g. a folder where a file should go. */
    CONFLICT(false),
    /** The backend could not be reached or timed out; trying again later may work. */
    UNAVAILABLE(true),
    /** The backend asked us to slow down; trying again after a pause should work. */
    RATE_LIMITED(true),
    /** Data was corrupted on the way: a checksum did not match. */
    INTEGRITY(true),
    /** A local input/output error, such as a full disk or an unreadable file. */
    IO(false),
    /** The backend does not support this operation. */
    UNSUPPORTED(false),
    /** The backend was closed; open a new one. */
    CLOSED(false),
    /** Anything else: a bug or an answer the backend was not expected to give. */
    UNEXPECTED(false);

    private final boolean retryableByDefault;

    ErrorKind(boolean retryableByDefault) {
        this.retryableByDefault = retryableByDefault;
    }

    /** Whether a failure of this kind is worth retrying unless the backend says otherwise. */
    public boolean isRetryableByDefault() {
        return retryableByDefault;
    }
}
