package dev.stowage.s3;

import dev.stowage.UploadProgress;
import dev.stowage.internal.Progress;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of one upload attempt that the server has taken, told to the caller's
 * {@link UploadProgress} on the backend's executor, never on the SDK's threads. Reports go one at a
 * time and never go down; a report that arrives after a larger one is left out. The first report,
 * {@code (0, total)}, is the writer's, before hashing; {@link #end()} makes the last. Thread-safe.
 */
final class ProgressTally {
    private final UploadProgress progress;
    private final long totalBytes;
    private final Executor executor;
    private final AtomicLong done = new AtomicLong();
    /** The bytes last told; guarded by this. */
    private long told;
    /** Whether {@code (total, total)} was told; guarded by this. */
    private boolean ended;

    /**
     * @param totalBytes the size of what is sent
     * @param executor   where reports are made; runs refused work on the calling thread
     */
    ProgressTally(UploadProgress progress, long totalBytes, Executor executor) {
        this.progress = progress;
        this.totalBytes = totalBytes;
        this.executor = executor;
    }

    /** Counts bytes the server has taken (a part), and tells the total so far on the executor. */
    void add(long bytes) {
        if (progress == UploadProgress.NONE) {
            return;
        }
        long now = done.addAndGet(bytes);
        executor.execute(() -> tell(now));
    }

    /**
     * Tells the total as it was when a part ended, not as it is when this runs: a part that ends
     * before the last is always told, even when the last ends before this runs.
     */
    private synchronized void tell(long now) {
        if (!ended && now > told && now < totalBytes) {
            told = now;
            Progress.report(progress, now, totalBytes);
        }
    }

    /** Tells nothing more: the upload failed or was given up. */
    synchronized void stop() {
        ended = true;
    }

    /** Tells {@code (total, total)}: the upload is stored. Call on the executor, before the upload's future succeeds. */
    synchronized void end() {
        ended = true;
        told = totalBytes;
        Progress.report(progress, totalBytes, totalBytes);
    }
}
