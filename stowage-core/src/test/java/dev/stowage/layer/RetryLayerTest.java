package dev.stowage.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.DeleteResult;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetryLayerTest {
    private static final RetryPolicy POLICY = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(250), 0.5);

    @TempDir
    Path dir;
    private MemoryBackend memory;
    private FaultyBackend faulty;
    private final List<Duration> delays = new CopyOnWriteArrayList<>();
    private final List<Runnable> pending = new CopyOnWriteArrayList<>();
    private final List<String> retries = new ArrayList<>();
    private Path file;

    @BeforeEach
    void setUp() throws IOException {
        memory = MemoryBackend.create();
        faulty = new FaultyBackend(memory);
        file = Files.writeString(dir.resolve("f.txt"), "hello");
    }

    @AfterEach
    void tearDown() {
        memory.close();
    }

    /** Retries run at once, recording the delay they would have waited. */
    private StorageBackend retrying(RetryPolicy policy) {
        StorageListener listener = new StorageListener() {
            @Override
            public synchronized void onRetry(Operation op, String key, int attempt, Duration delay, StorageException error) {
                retries.add(op + " " + key + " #" + attempt + " " + error.kind());
            }
        };
        return faulty.with(new RetryLayer(policy, listener, (task, delay) -> {
            delays.add(delay);
            task.run();
        }, () -> 0.5));
    }

    @Test
    void upload_retryableFailuresThenSuccess_succeedsAndReopensTheFile() {
        faulty.failNext(2, ErrorKind.UNAVAILABLE);
        StorageBackend backend = retrying(POLICY);

        assertThat(backend.uploadFile(file, "a.txt").join().toString()).isEqualTo("memory:///a.txt");

        assertThat(faulty.calls).hasValue(3);
        assertThat(memory.content("a.txt")).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("hello"));
        assertThat(delays).containsExactly(Duration.ofMillis(75), Duration.ofMillis(150));
        assertThat(retries).containsExactly("UPLOAD a.txt #1 UNAVAILABLE", "UPLOAD a.txt #2 UNAVAILABLE");
    }

    @Test
    void upload_retryableFailuresEveryTime_givesUpAfterMaxAttemptsAsNotRetryable() {
        faulty.failNext(10, ErrorKind.RATE_LIMITED);
        StorageException e = Failures.storage(retrying(POLICY).uploadFile(file, "a.txt"));

        assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).contains("gave up after 4 attempts");
        assertThat(faulty.calls).hasValue(4);
        assertThat(delays).containsExactly(Duration.ofMillis(75), Duration.ofMillis(150), Duration.ofNanos(187_500_000));
    }

    @Test
    void delete_notRetryableFailure_failsAtOnceWithoutRetry() {
        faulty.failNext(1, ErrorKind.ACCESS_DENIED);
        assertThat(Failures.storage(retrying(POLICY).deleteFile("a.txt")).kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(faulty.calls).hasValue(1);
        assertThat(delays).isEmpty();
    }

    @Test
    void stat_nonStorageException_isNotRetried() {
        faulty.failNextWith(new IllegalStateException("bug"));
        assertThat(Failures.of(retrying(POLICY).stat("a.txt"))).isInstanceOf(IllegalStateException.class);
        assertThat(faulty.calls).hasValue(1);
    }

    @Test
    void upload_invalidKey_isNotRetried() {
        assertThat(Failures.storage(retrying(POLICY).uploadFile(file, "../x")).kind()).isEqualTo(ErrorKind.INVALID_KEY);
        assertThat(faulty.calls).hasValue(1);
    }

    @Test
    void cancel_whileWaitingForRetry_schedulesNoFurtherAttempt() {
        faulty.failNext(3, ErrorKind.UNAVAILABLE);
        StorageBackend backend = faulty.with(new RetryLayer(POLICY, StorageListener.NONE,
                (task, delay) -> pending.add(task), () -> 0));
        CompletableFuture<?> result = backend.uploadFile(file, "a.txt");
        awaitPending(1);

        result.cancel(true);
        pending.forEach(Runnable::run);

        assertThat(result).isCancelled();
        assertThat(faulty.calls).hasValue(1);
        assertThat(memory.content("a.txt")).isEmpty();
    }

    @Test
    void cancel_duringAttempt_cancelsTheAttemptInFlight() {
        CompletableFuture<Object> stalled = new CompletableFuture<>();
        faulty.stall = stalled;
        CompletableFuture<?> result = retrying(POLICY).stat("a.txt");

        result.cancel(true);

        assertThat(stalled).isCancelled();
        assertThat(faulty.calls).hasValue(1);
        assertThatThrownBy(result::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void upload_failureAfterTheFileWasRead_nextAttemptReadsTheFileAgain() throws IOException {
        faulty.failAfterNext(1, ErrorKind.UNAVAILABLE);
        StorageBackend backend = faulty.with(new RetryLayer(POLICY, StorageListener.NONE, (task, delay) -> {
            try {
                Files.writeString(file, "changed between attempts");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            task.run();
        }, () -> 0));

        backend.uploadFile(file, "a.txt").join();

        assertThat(faulty.calls).hasValue(2);
        assertThat(memory.content("a.txt")).hasValueSatisfying(
                b -> assertThat(new String(b)).isEqualTo("changed between attempts"));
    }

    @Test
    void singleAttemptPolicy_stillMarksTheFailureNotRetryable() {
        faulty.failNext(1, ErrorKind.UNAVAILABLE);
        StorageException e = Failures.storage(retrying(RetryPolicy.none()).stat("a.txt"));

        assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).doesNotContain("gave up");
    }

    @Test
    void schedulerThatRefuses_failsTheOperationInsteadOfHanging() {
        faulty.failNext(1, ErrorKind.UNAVAILABLE);
        StorageBackend backend = faulty.with(new RetryLayer(POLICY, StorageListener.NONE, (task, delay) -> {
            throw new java.util.concurrent.RejectedExecutionException("timer is gone");
        }, () -> 0));

        Throwable error = Failures.of(backend.stat("a.txt"));

        assertThat(error).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        assertThat(error.getSuppressed()).hasSize(1);
    }

    @Test
    void nullArguments_throwAtOnce() {
        StorageBackend backend = retrying(POLICY);
        assertThatThrownBy(() -> backend.uploadFile(null, "k")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.deleteFile(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.stat(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void realTimer_retriesAfterDelay() {
        faulty.failNext(1, ErrorKind.UNAVAILABLE);
        StorageBackend backend = faulty.with(new RetryLayer(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1), 0)));

        assertThat(backend.stat("missing").join()).isEmpty();
        assertThat(faulty.calls).hasValue(2);
    }

    private void awaitPending(int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pending.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no retry was scheduled");
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void deleteFiles_retriesOnlyTheKeysThatFailedRetryably() throws IOException {
        for (String key : List.of("a", "b", "c")) {
            memory.uploadFile(file, key).join();
        }
        // One by one, 16 at a time: the first two calls fail, one retryably and one not.
        faulty.failNext(1, ErrorKind.UNAVAILABLE).failNext(1, ErrorKind.ACCESS_DENIED);

        DeleteResult result = retrying(POLICY).deleteFiles(List.of("a", "b", "c")).join();

        assertThat(result.failed()).hasSize(1);
        String denied = result.failed().keySet().iterator().next();
        assertThat(result.failed().get(denied).kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(result.deleted()).hasSize(2).doesNotContain(denied);
        assertThat(faulty.calls).as("three deletes and one retry").hasValue(4);
        assertThat(memory.keys()).containsExactly(denied);
        assertThat(retries).hasSize(1).allSatisfy(line -> assertThat(line).startsWith("DELETE ").endsWith("#1 UNAVAILABLE"));
    }

    @Test
    void deleteFiles_failingEveryTime_givesUpAsNotRetryable() {
        faulty.failNext(10, ErrorKind.RATE_LIMITED);

        DeleteResult result = retrying(POLICY).deleteFiles(List.of("x")).join();

        StorageException e = result.failed().get("x");
        assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.detail()).contains("gave up after 4 attempts");
        assertThat(faulty.calls).hasValue(4);
    }

    @Test
    void upload_callerTimesOut_cancelsTheAttemptInFlight() {
        CompletableFuture<Object> stalled = new CompletableFuture<>();
        faulty.stall = stalled;

        CompletableFuture<?> upload = retrying(POLICY).uploadFile(file, "slow.txt").orTimeout(50, TimeUnit.MILLISECONDS);

        assertThatThrownBy(upload::join).hasCauseInstanceOf(TimeoutException.class);
        // The thread that timed the caller out cancels the attempt just after; join may return first.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!stalled.isDone() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(stalled).as("the attempt in flight").isCancelled();
    }

    @Test
    void deleteFiles_laterAttemptFailsOutright_keepsWhatEarlierAttemptsDeleted() throws IOException {
        for (String key : List.of("a", "b")) {
            memory.uploadFile(file, key).join();
        }
        faulty.failNext(1, ErrorKind.UNAVAILABLE);
        // The retry meets a closed backend, as when close() starts the attempts still waiting.
        StorageBackend backend = faulty.with(new RetryLayer(POLICY, StorageListener.NONE, (task, delay) -> {
            memory.close();
            task.run();
        }, () -> 0.5));

        DeleteResult result = backend.deleteFiles(List.of("a", "b")).join();

        assertThat(result.deleted()).hasSize(1);
        assertThat(result.failed()).hasSize(1).allSatisfy((key, e) -> assertThat(e.kind()).isEqualTo(ErrorKind.CLOSED));
    }
}
