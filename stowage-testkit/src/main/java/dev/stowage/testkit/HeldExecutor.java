package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An executor that holds every task it is given until {@link #release()}, then runs them, and every
 * later one until {@link #hold()}, on threads of its own: a test sees what a backend does before its executor runs
 * anything, and on which threads it works afterwards. Thread-safe.
 */
final class HeldExecutor implements Executor {
    private static final int THREADS = 4;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final String name = "contract-executor-" + INSTANCES.incrementAndGet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final List<Runnable> held = new ArrayList<>();
    private ExecutorService pool;
    private boolean holding = true;

    @Override
    public synchronized void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (holding) {
            held.add(task);
        } else {
            pool.execute(task);
        }
    }

    /** Holds the tasks given from now on again, until the next {@link #release()}. */
    synchronized void hold() {
        holding = true;
    }

    /** The tasks held so far, none of which has run. */
    synchronized int heldTasks() {
        return held.size();
    }

    /** Runs the tasks held, and from now on every task at once, on this executor's threads. */
    synchronized void release() {
        if (pool == null) {
            AtomicInteger count = new AtomicInteger();
            pool = Executors.newFixedThreadPool(THREADS, task -> {
                Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
                thread.setDaemon(true);
                threads.add(thread);
                return thread;
            });
        }
        holding = false;
        held.forEach(pool::execute);
        held.clear();
    }

    /** Whether a thread is one of this executor's. */
    boolean owns(Thread thread) {
        return threads.contains(thread);
    }

    /** Waits for every task given so far to end, then stops the threads; tasks still held are dropped. */
    void shutDown() throws InterruptedException {
        ExecutorService running;
        synchronized (this) {
            held.clear();
            running = pool;
        }
        if (running != null) {
            running.shutdown();
            assertThat(running.awaitTermination(StorageBackendContract.AWAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("%s's tasks ended", name).isTrue();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
