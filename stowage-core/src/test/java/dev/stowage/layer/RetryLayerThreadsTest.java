package dev.stowage.layer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.Failures;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.memory.MemoryBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retry layer's waiting: on one timer thread per backend, made when needed and stopped by close. */
class RetryLayerThreadsTest {
    /** Long enough that no retry is due while the test runs. */
    private static final RetryPolicy SLOW = new RetryPolicy(3, Duration.ofHours(1), Duration.ofHours(1), 0);

    @TempDir
    Path dir;

    @Test
    void manyOperationsWaitingToRetry_holdOneTimerThread_andCloseEndsItAndThem() throws Exception {
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        Set<String> before = retryThreads();
        MemoryBackend memory = MemoryBackend.create();
        FaultyBackend faulty = new FaultyBackend(memory);
        StorageBackend backend = faulty.with(new RetryLayer(SLOW));

        assertThat(backend.stat("x").join()).isEmpty();
        assertThat(retryThreads()).as("no timer before the first retry").isEqualTo(before);
        faulty.failNext(100, ErrorKind.UNAVAILABLE);

        List<CompletableFuture<?>> waiting = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            waiting.add(backend.uploadFile(file, "k" + i));
        }
        awaitUntil(() -> faulty.calls.get() >= 101, "every first attempt failed");

        assertThat(waiting).allSatisfy(f -> assertThat(f).isNotDone());
        assertThat(retryThreads()).as("one thread waits for all 100").hasSize(before.size() + 1);

        backend.close();

        for (CompletableFuture<?> f : waiting) {
            assertThat(Failures.storage(f).kind()).isEqualTo(ErrorKind.CLOSED);
        }
        awaitUntil(() -> retryThreads().equals(before), "the timer thread ended");
    }

    @Test
    void callersTimer_isUsedAndLeftRunning() throws Exception {
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            MemoryBackend memory = MemoryBackend.create();
            FaultyBackend faulty = new FaultyBackend(memory).failNext(1, ErrorKind.UNAVAILABLE);
            StorageBackend backend = faulty.with(new RetryLayer(RetryPolicy.defaults().withMaxAttempts(2), StorageListener.NONE, timer));
            Set<String> before = retryThreads();

            backend.uploadFile(file, "a.txt").join();
            backend.close();

            assertThat(retryThreads()).isEqualTo(before);
            assertThat(timer.isShutdown()).isFalse();
        } finally {
            timer.shutdown();
        }
    }

    @Test
    void callersTimer_closeStartsTheAttemptsStillWaiting_soTheyEndClosed() throws Exception {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        try {
            FaultyBackend faulty = new FaultyBackend(MemoryBackend.create()).failNext(1, ErrorKind.UNAVAILABLE);
            CountDownLatch retrying = new CountDownLatch(1);
            StorageListener onRetry = new StorageListener() {
                @Override
                public void onRetry(Operation op, String key, int attempt, Duration delay, StorageException error) {
                    retrying.countDown(); // told just before the next attempt is put on the timer
                }
            };
            StorageBackend backend = faulty.with(new RetryLayer(SLOW, onRetry, timer));
            CompletableFuture<?> delete = backend.deleteFile("a.txt");
            assertThat(retrying.await(10, TimeUnit.SECONDS)).as("the first attempt failed").isTrue();
            awaitUntil(() -> timerHasWork(timer), "the next attempt waits on the caller's timer");

            backend.close();
            timer.shutdownNow();

            assertThat(Failures.storage(delete).kind()).isEqualTo(ErrorKind.CLOSED);
        } finally {
            timer.shutdownNow();
        }
    }

    private static boolean timerHasWork(ScheduledThreadPoolExecutor timer) {
        return !timer.getQueue().isEmpty();
    }

    private static Set<String> retryThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(t -> t.getName() + "#" + t.getId()).filter(n -> n.startsWith("stowage-retry")).collect(Collectors.toSet());
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting until " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
