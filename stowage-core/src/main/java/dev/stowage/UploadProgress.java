package dev.stowage;

/**
 * Hears how far an upload has got, in bytes, for progress bars. Give it with
 * {@link UploadOptions.Builder#progress}; a {@link dev.stowage.layer.ListenerLayer} passes it on to
 * its listener too.
 *
 * <pre>{@code
 * UploadOptions options = UploadOptions.builder()
 *         .progress((done, total) -> bar.set(done * 100 / Math.max(1, total)))
 *         .build();
 * }</pre>
 *
 * <p>Every backend of this library calls it with {@code (0, total)} when the upload begins and the
 * size is known, then as bytes reach the backend, and with {@code (total, total)} before the upload
 * succeeds. Within one attempt {@code bytesDone} never goes down; a retried upload starts again from
 * 0. It is called on the backend's threads, possibly several at once for a multipart upload: it must
 * be thread-safe and quick. What it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface UploadProgress {
    /** Hears nothing. */
    UploadProgress NONE = (bytesDone, totalBytes) -> {
    };

    /**
     * @param bytesDone  the bytes stored so far
     * @param totalBytes the size of the file
     */
    void update(long bytesDone, long totalBytes);
}
