package dev.stowage.s3;

import dev.stowage.internal.IoExecutors;
import dev.stowage.internal.NamedThreadFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The threads of one {@link S3Backend} besides the SDK client's own: the I/O executor (hashing,
 * request starts, listing callbacks), the MD5 threads that hash beside it, and the scheduler of
 * pauses (parts and aborts sent again, the SDK's timeouts). Those given to the backend's builder
 * are the caller's; those made here {@link #close()} stops, except the I/O pool, which the base
 * class shuts down. The Netty event loops belong to the SDK client (see {@link S3Clients}).
 */
final class S3Threads implements AutoCloseable {
    private final Executor io;
    private final ExecutorService ownIo;
    /** The I/O executor, or the calling thread once it refuses work (closed). */
    private final Executor ioOrHere;
    /**
     * Never the I/O executor: a file's reader waits there for its MD5 side, which must not wait
     * for a thread of the same bounded pool. Always the backend's own.
     */
    private final ExecutorService md5;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;

    private S3Threads(Executor io, ExecutorService ownIo, ExecutorService md5, ScheduledExecutorService scheduler,
                      boolean ownScheduler) {
        this.io = io;
        this.ownIo = ownIo;
        this.md5 = md5;
        this.scheduler = scheduler;
        this.ownScheduler = ownScheduler;
        this.ioOrHere = task -> {
            try {
                io.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
    }

    /**
     * @param callersIo        the caller's executor, or null for a pool of {@code ioThreads}
     * @param callersScheduler the caller's scheduler, or null for one thread of the backend's own
     */
    static S3Threads create(Executor callersIo, int ioThreads, ScheduledExecutorService callersScheduler) {
        ExecutorService ownIo = callersIo == null ? IoExecutors.newPool("stowage-s3-io", ioThreads) : null;
        int md5Threads = callersIo == null ? ioThreads : Math.max(2, Runtime.getRuntime().availableProcessors());
        ExecutorService md5 = IoExecutors.newPool("stowage-s3-md5", md5Threads);
        ScheduledExecutorService scheduler = callersScheduler;
        if (scheduler == null) {
            ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("stowage-s3-timer"));
            own.setRemoveOnCancelPolicy(true); // the SDK cancels a timeout per call: do not keep them queued for minutes
            scheduler = own;
        }
        return new S3Threads(callersIo != null ? callersIo : ownIo, ownIo, md5, scheduler, callersScheduler == null);
    }

    /** Where blocking work runs. */
    Executor io() {
        return io;
    }

    /** The I/O pool made here, for the base class to shut down; null if the caller gave an executor. */
    ExecutorService ownIo() {
        return ownIo;
    }

    /** The I/O executor, or the calling thread once it refuses work: for steps that must run even while closing. */
    Executor ioOrHere() {
        return ioOrHere;
    }

    /** Where the MD5 side of hashing runs. */
    Executor md5() {
        return md5;
    }

    /**
     * Where pauses are timed: the SDK's timeouts, and parts and aborts sent again. Its tasks only
     * hand work on, to {@link #ioOrHere()}.
     */
    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Stops the MD5 threads and the scheduler if it is this backend's own; tasks already
     * scheduled still run (a retried abort), then the thread ends. Idle threads end at once.
     */
    @Override
    public void close() {
        md5.shutdown();
        if (ownScheduler) {
            scheduler.shutdown();
        }
    }

    /** Stops the threads made so far when the backend cannot be built; the I/O pool too. */
    void closeAll() {
        close();
        if (ownIo != null) {
            ownIo.shutdown();
        }
    }
}
