package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.layer.RetryLayer;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.memory.MemoryBackend;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each failure mode of {@link FlakyLayer} over a {@link MemoryBackend}, with a {@link CountingLayer}
 * between them that shows which calls reached the backend.
 */
class FlakyLayerTest {
    private static final long TIMEOUT_SECONDS = 10;

    @TempDir
    Path dir;

    private final MemoryBackend memory = MemoryBackend.create();
    /** What reached the memory backend. */
    private final CountingLayer reached = new CountingLayer();
    private final FlakyLayer flaky = new FlakyLayer();
    private final StorageBackend backend = memory.with(reached).with(flaky);

    @AfterEach
    void close() {
        backend.close();
    }

    private Path file(String name) throws IOException {
        return Files.writeString(dir.resolve(name), "content of " + name, StandardCharsets.UTF_8);
    }

    private static <T> T done(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The StorageException a future failed with. */
    private static StorageException failure(CompletableFuture<?> future) {
        Throwable thrown = catchThrowable(() -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(StorageException.class);
        return (StorageException) thrown.getCause();
    }

    /** The StorageException an injected failure already failed the future with, before any I/O. */
    private static StorageException failedAtOnce(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        return failure(future);
    }

    private static void assertUnavailable(StorageException e, Operation op, String key) {
        assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.operation()).isEqualTo(op);
        assertThat(e.key()).isEqualTo(key);
    }

    private static void assertDenied(StorageException e, Operation op, String key) {
        assertThat(e.kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.operation()).isEqualTo(op);
        assertThat(e.key()).isEqualTo(key);
    }

    private byte[] contentOf(String name) throws IOException {
        return Files.readAllBytes(dir.resolve(name));
    }

    @Test
    void passesEveryCallOnWhileHealthy() throws Exception {
        URI url = done(backend.uploadFile(file("a.txt"), "a.txt"));
        assertThat(url).isEqualTo(memory.getUrl("a.txt"));
        assertThat(done(backend.stat("a.txt"))).isPresent();
        assertThat(done(backend.forEach("", info -> { }))).isEqualTo(1);
        assertThat(done(backend.deleteFiles(List.of("a.txt"))).isComplete()).isTrue();
        done(backend.deleteFile("a.txt"));

        assertThat(reached.log()).containsExactly("UPLOAD a.txt", "STAT a.txt", "LIST ", "DELETE_BATCH 1", "DELETE a.txt");
        assertThat(flaky.failuresInjected()).isZero();
    }

    /** Calls 3, 6 and 9 of every kind fail, and never reach the backend. */
    @Test
    void failEveryFailsEveryNthCallWithoutPassingItOn() throws Exception {
        flaky.failEvery(3);

        done(backend.uploadFile(file("a.txt"), "a.txt"));                                  // 1
        done(backend.stat("a.txt"));                                                       // 2
        assertUnavailable(failedAtOnce(backend.uploadFile(file("b.txt"), "b.txt")), Operation.UPLOAD, "b.txt"); // 3
        done(backend.deleteFile("a.txt"));                                                 // 4
        done(backend.stat("a.txt"));                                                       // 5
        assertUnavailable(failure(backend.forEach("", info -> { })), Operation.LIST, ""); // 6
        done(backend.stat("b.txt"));                                                       // 7
        done(backend.uploadFile(file("c.txt"), "c.txt"));                                  // 8
        assertUnavailable(failedAtOnce(backend.deleteFile("c.txt")), Operation.DELETE, "c.txt"); // 9

        assertThat(reached.log()).containsExactly("UPLOAD a.txt", "STAT a.txt", "DELETE a.txt", "STAT a.txt",
                "STAT b.txt", "UPLOAD c.txt");
        assertThat(memory.keys()).containsExactly("c.txt");
        assertThat(flaky.failuresInjected()).isEqualTo(3);
    }

    /** A batch delete that failEvery picks reports each key failed; the future itself succeeds. */
    @Test
    void failEveryFailsEachKeyOfAPickedBatch() throws Exception {
        done(backend.uploadFile(file("x.txt"), "x.txt"));
        done(backend.uploadFile(file("y.txt"), "y.txt"));
        reached.reset();
        flaky.failEvery(2);

        done(backend.stat("x.txt"));                                                  // 1
        DeleteResult picked = done(backend.deleteFiles(List.of("x.txt", "y.txt", "x.txt"))); // 2

        assertThat(picked.deleted()).isEmpty();
        assertThat(picked.failed()).containsOnlyKeys("x.txt", "y.txt");
        picked.failed().forEach((key, e) -> assertUnavailable(e, Operation.DELETE, key));
        assertThat(memory.keys()).containsExactly("x.txt", "y.txt");
        assertThat(reached.deleteBatches()).isZero();

        DeleteResult passed = done(backend.deleteFiles(List.of("x.txt", "y.txt")));  // 3
        assertThat(passed.deleted()).containsExactly("x.txt", "y.txt");
        assertThat(memory.keys()).isEmpty();
        assertThat(flaky.failuresInjected()).isEqualTo(2);
    }

    /** Uploads 2 and 4 are stored, yet fail; the stats between them do not count. */
    @Test
    void failAfterEveryStoresTheObjectYetFails() throws Exception {
        flaky.failAfterEvery(2);

        done(backend.uploadFile(file("a.txt"), "a.txt"));
        done(backend.stat("a.txt"));
        StorageException lost = failure(backend.uploadFile(file("b.txt"), "b.txt"));
        done(backend.stat("b.txt"));
        done(backend.uploadFile(file("c.txt"), "c.txt"));
        StorageException lostAgain = failure(backend.uploadFile(file("d.txt"), "d.txt"));

        assertUnavailable(lost, Operation.UPLOAD, "b.txt");
        assertUnavailable(lostAgain, Operation.UPLOAD, "d.txt");
        assertThat(memory.keys()).containsExactly("a.txt", "b.txt", "c.txt", "d.txt");
        assertThat(memory.content("b.txt")).hasValue(contentOf("b.txt"));
        assertThat(memory.content("d.txt")).hasValue(contentOf("d.txt"));
        assertThat(reached.count(Operation.UPLOAD)).isEqualTo(4);
        assertThat(flaky.failuresInjected()).isEqualTo(2);
    }

    /** An upload the backend fails anyway keeps its own failure: no answer was lost. */
    @Test
    void failAfterEveryKeepsTheBackendsOwnFailure() throws Exception {
        flaky.failAfterEvery(1);

        StorageException e = failure(backend.uploadFile(dir.resolve("missing.txt"), "missing.txt"));

        assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(flaky.failuresInjected()).isZero();
    }

    @Test
    void downFailsEveryCallAtOnceUntilUp() throws Exception {
        done(backend.uploadFile(file("a.txt"), "a.txt"));
        reached.reset();
        flaky.down();

        List<StorageException> failures = List.of(
                failedAtOnce(backend.uploadFile(file("b.txt"), "b.txt")),
                failedAtOnce(backend.stat("a.txt")),
                failedAtOnce(backend.deleteFile("a.txt")),
                failedAtOnce(backend.deleteFiles(List.of("a.txt"))),
                failedAtOnce(backend.forEach("", info -> { })));

        assertUnavailable(failures.get(0), Operation.UPLOAD, "b.txt");
        assertUnavailable(failures.get(1), Operation.STAT, "a.txt");
        assertUnavailable(failures.get(2), Operation.DELETE, "a.txt");
        assertUnavailable(failures.get(3), Operation.DELETE, null);
        assertUnavailable(failures.get(4), Operation.LIST, "");
        assertThat(failures).allSatisfy(e -> assertThat(e.detail()).isEqualTo("backend down (test)"));
        assertThat(reached.requests()).isZero();
        assertThat(memory.keys()).containsExactly("a.txt");
        assertThat(flaky.failuresInjected()).isEqualTo(5);

        flaky.up();
        assertThat(done(backend.stat("a.txt"))).isPresent();
        assertThat(reached.log()).containsExactly("STAT a.txt");
    }

    @Test
    void downForRecoversAfterExactlyThatManyCalls() throws Exception {
        flaky.downFor(3);

        assertUnavailable(failedAtOnce(backend.stat("a.txt")), Operation.STAT, "a.txt");
        assertUnavailable(failedAtOnce(backend.uploadFile(file("a.txt"), "a.txt")), Operation.UPLOAD, "a.txt");
        assertUnavailable(failedAtOnce(backend.stat("a.txt")), Operation.STAT, "a.txt");
        assertThat(reached.requests()).isZero();

        done(backend.uploadFile(file("a.txt"), "a.txt"));
        assertThat(done(backend.stat("a.txt"))).isPresent();

        assertThat(reached.log()).containsExactly("UPLOAD a.txt", "STAT a.txt");
        assertThat(flaky.failuresInjected()).isEqualTo(3);
    }

    @Test
    void failKeysDeniesMatchingKeysForGood() throws Exception {
        flaky.failKeys(key -> key.startsWith("secret/"));

        assertDenied(failedAtOnce(backend.uploadFile(file("s.txt"), "secret/s.txt")), Operation.UPLOAD, "secret/s.txt");
        assertDenied(failedAtOnce(backend.uploadFile(file("s.txt"), "secret/s.txt")), Operation.UPLOAD, "secret/s.txt");
        done(backend.uploadFile(file("p.txt"), "public/p.txt"));
        assertDenied(failedAtOnce(backend.stat("secret/s.txt")), Operation.STAT, "secret/s.txt");
        assertDenied(failure(backend.forEach("secret/", info -> { })), Operation.LIST, "secret/");
        assertThat(done(backend.forEach("public/", info -> { }))).isEqualTo(1);

        DeleteResult result = done(backend.deleteFiles(List.of("secret/a.txt", "public/p.txt", "secret/b.txt")));

        assertThat(result.deleted()).containsExactly("public/p.txt");
        assertThat(result.failed()).containsOnlyKeys("secret/a.txt", "secret/b.txt");
        result.failed().forEach((key, e) -> assertDenied(e, Operation.DELETE, key));
        assertThat(memory.keys()).isEmpty();
        assertThat(reached.log()).containsExactly("UPLOAD public/p.txt", "LIST public/", "DELETE_BATCH 1");
        assertThat(flaky.failuresInjected()).isEqualTo(6);
    }

    /** A failing listing follows the Flow rules: onSubscribe first, then onError, and nothing after a cancel. */
    @Test
    void aFailingListingSignalsOnSubscribeThenOnError() {
        flaky.down();
        List<String> signals = new CopyOnWriteArrayList<>();
        backend.list("img/").subscribe(new Recorder(signals, false));

        assertThat(signals).containsExactly("onSubscribe", "onError UNAVAILABLE LIST img/");

        List<String> cancelled = new CopyOnWriteArrayList<>();
        backend.list("img/").subscribe(new Recorder(cancelled, true));

        assertThat(cancelled).containsExactly("onSubscribe");
        assertThat(reached.requests()).isZero();
    }

    /** Records the signals it gets; cancels in onSubscribe if asked to, else requests everything. */
    private record Recorder(List<String> signals, boolean cancel) implements Flow.Subscriber<ObjectInfo> {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            signals.add("onSubscribe");
            if (cancel) {
                subscription.cancel();
            } else {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(ObjectInfo item) {
            signals.add("onNext " + item.key());
        }

        @Override
        public void onError(Throwable error) {
            StorageException e = (StorageException) error;
            signals.add("onError " + e.kind() + " " + e.operation() + " " + e.key());
        }

        @Override
        public void onComplete() {
            signals.add("onComplete");
        }
    }

    @Test
    void resetMakesTheBackendHealthyAgain() throws Exception {
        flaky.failEvery(1);
        flaky.failAfterEvery(1);
        flaky.failKeys(key -> true);
        flaky.down();
        failedAtOnce(backend.stat("a.txt"));

        flaky.reset();

        done(backend.uploadFile(file("a.txt"), "a.txt"));
        assertThat(done(backend.stat("a.txt"))).isPresent();
        assertThat(done(backend.deleteFiles(List.of("a.txt"))).isComplete()).isTrue();
        assertThat(done(backend.forEach("", info -> { }))).isZero();
        assertThat(flaky.failuresInjected()).isEqualTo(1);
    }

    /** Three calls refused for a null argument: had they counted, the next call would be the 4th. */
    @Test
    void nullArgumentsThrowAtOnceAndAreNoCalls() throws Exception {
        flaky.failEvery(2);

        assertThatThrownBy(() -> backend.stat(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.uploadFile(null, "a.txt")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.deleteFiles(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.list(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.list("").subscribe(null)).isInstanceOf(NullPointerException.class);

        done(backend.stat("a.txt"));
        assertUnavailable(failedAtOnce(backend.stat("a.txt")), Operation.STAT, "a.txt");
    }

    @Test
    void refusesSettingsThatMeanNothing() {
        assertThatThrownBy(() -> flaky.failEvery(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> flaky.failAfterEvery(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> flaky.downFor(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> flaky.failKeys(null)).isInstanceOf(NullPointerException.class);
    }

    /** Calls from many threads at once: exactly one in four fails. */
    @Test
    void failEveryCountsCallsFromManyThreadsExactly() throws Exception {
        flaky.failEvery(4);
        int threads = 8;
        int callsEach = 2_000;
        List<CompletableFuture<?>> calls = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < callsEach; i++) {
                        calls.add(backend.stat("t" + thread + "/" + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : running) {
                f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        long failed = 0;
        for (CompletableFuture<?> call : calls) {
            Throwable e = catchThrowable(() -> call.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            if (e != null) {
                assertThat(e.getCause()).isInstanceOfSatisfying(StorageException.class,
                        cause -> assertUnavailable(cause, Operation.STAT, cause.key()));
                failed++;
            }
        }
        assertThat(failed).isEqualTo(threads * callsEach / 4);
        assertThat(flaky.failuresInjected()).isEqualTo(failed);
        assertThat(reached.count(Operation.STAT)).isEqualTo(threads * callsEach - failed);
    }

    /** What the layer is for: a retrying caller converges despite the failures. */
    @Test
    void aRetryingCallerConverges() throws Exception {
        flaky.failEvery(2);
        try (StorageBackend retrying = backend.with(
                new RetryLayer(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), 0)))) {
            for (int i = 0; i < 10; i++) {
                done(retrying.uploadFile(file(i + ".txt"), "f/" + i + ".txt"));
            }
        }

        assertThat(memory.keys()).hasSize(10);
        assertThat(flaky.failuresInjected()).isEqualTo(9);
        assertThat(reached.count(Operation.UPLOAD)).isEqualTo(10);
    }
}
