package dev.stowage.layer;

import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.time.Duration;

/**
 * Hears about operations, for metrics and tracing; attach with {@link ListenerLayer}. Every
 * {@link #onStart} is followed by exactly one {@link #onSuccess} or {@link #onFailure} for the
 * same operation. Every method does nothing by default.
 *
 * <p>Methods are called from whatever thread completes the operation, concurrently: they must be
 * thread-safe and quick. An exception a listener throws is logged and otherwise ignored.
 */
public interface StorageListener {
    /** A listener that does nothing. */
    StorageListener NONE = new StorageListener() {
    };

    /** An operation begins. */
    default void onStart(Operation operation, String key) {
    }

    /**
     * An operation succeeded.
     *
     * @param bytes the size of the uploaded file or of the object found by stat, or -1 where none applies
     */
    default void onSuccess(Operation operation, String key, long bytes, Duration elapsed) {
    }

    /**
     * An operation failed or was cancelled.
     *
     * @param error a {@link StorageException}, a {@link java.util.concurrent.CancellationException}, or
     *              whatever else the operation failed with (such as a {@code NullPointerException})
     */
    default void onFailure(Operation operation, String key, Duration elapsed, Throwable error) {
    }

    /**
     * An upload has got this far ({@link dev.stowage.UploadProgress}): {@code (0, total)} as it
     * begins, {@code (total, total)} when all is stored. A retried upload starts again from 0.
     */
    default void onProgress(Operation operation, String key, long bytesDone, long totalBytes) {
    }

    /** The retry layer will try again after {@code delay}; {@code attempt} is the one that failed. */
    default void onRetry(Operation operation, String key, int attempt, Duration delay, StorageException error) {
    }
}
