package dev.stowage.s3;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names the threads of the JDK's JVM-wide pool for asynchronous file channels, on which the SDK
 * reads a file body: set as {@code java.nio.channels.DefaultThreadPool.threadFactory} for the
 * integration tests. They are the JDK's, not a backend's, and end after a minute idle.
 */
public final class JdkFileReadThreads implements ThreadFactory {
    static final String PREFIX = "jdk-async-file-";
    private static final AtomicInteger COUNT = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, PREFIX + COUNT.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
