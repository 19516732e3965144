package dev.stowage.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Bounded pools for blocking file I/O. Internal. */
public final class IoExecutors {
    private IoExecutors() {
    }

    /** The default number of I/O threads: twice the cores, and at least four, to keep a disk busy. */
    public static int defaultThreads() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * A pool of at most {@code threads} daemon threads named {@code prefix-N}; idle threads end
     * after 30 seconds, so an idle backend holds none. Work waits in an unbounded queue: callers
     * bound what they submit (the sync engine keeps a fixed number of uploads in flight).
     */
    public static ExecutorService newPool(String prefix, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new NamedThreadFactory(prefix));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
