package dev.stowage.sync;

import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.time.Duration;

/**
 * Hears how a publish goes, for a progress bar or metrics. Every method does nothing by default.
 * Methods are called from several threads at once and must return quickly; an exception thrown
 * from one is logged and does not change the run.
 */
public interface PublishListener {

    /** No-op listener. */
    PublishListener NONE = new PublishListener() {
    };

    /** The run knows its work: files and bytes to upload, files to delete. */
    default void planned(long uploads, long uploadBytes, long deletes) {
    }

    /** An upload begins (once per file, however many attempts it takes). */
    default void uploadStarted(String key, long size) {
    }

    /** {@code bytes} more bytes of {@code key} were sent; a retry starts its count again. */
    default void bytesSent(String key, long bytes) {
    }

    /** The backend confirmed {@code key}. */
    default void uploaded(String key, long size) {
    }

    /** {@code key} could not be uploaded; it stays pending for the next run. */
    default void uploadFailed(String key, StorageException error) {
    }

    /** An operation failed and will be tried again after {@code delay}. */
    default void retrying(Operation operation, String key, int attempt, Duration delay, StorageException error) {
    }

    /** The backend confirmed the delete of {@code key}. */
    default void deleted(String key) {
    }

    /** {@code key} could not be deleted; it stays pending for the next run. */
    default void deleteFailed(String key, StorageException error) {
    }
}
