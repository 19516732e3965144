package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.memory.MemoryBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

/** The counts and the log of {@link CountingLayer} over a {@link MemoryBackend}. */
class CountingLayerTest {
    private static final long TIMEOUT_SECONDS = 10;

    @TempDir
    Path dir;

    private final MemoryBackend memory = MemoryBackend.create();
    private final CountingLayer counting = new CountingLayer();
    private final StorageBackend backend = memory.with(counting);

    @AfterEach
    void close() {
        backend.close();
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static <T> T done(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void countsEachCallByOperationAndLogsThemInOrder() throws Exception {
        done(backend.uploadFile(file("a.txt", "a"), "docs/a.txt"));
        done(backend.uploadFile(file("b.txt", "b"), "docs/b.txt"));
        assertThat(done(backend.stat("docs/a.txt"))).isPresent();
        assertThat(done(backend.stat("docs/none.txt"))).isEmpty();
        done(backend.deleteFile("docs/a.txt"));
        assertThat(done(backend.forEach("docs/", info -> { }))).isEqualTo(1);

        assertThat(counting.count(Operation.UPLOAD)).isEqualTo(2);
        assertThat(counting.count(Operation.STAT)).isEqualTo(2);
        assertThat(counting.count(Operation.DELETE)).isEqualTo(1);
        assertThat(counting.count(Operation.LIST)).isEqualTo(1);
        assertThat(counting.count(Operation.READ)).isZero();
        assertThat(counting.deleteBatches()).isZero();
        assertThat(counting.requests()).isEqualTo(6);
        assertThat(counting.log()).containsExactly("UPLOAD docs/a.txt", "UPLOAD docs/b.txt", "STAT docs/a.txt",
                "STAT docs/none.txt", "DELETE docs/a.txt", "LIST docs/");
        assertThat(memory.keys()).containsExactly("docs/b.txt");
    }

    /** forEach lists through the layer's own list: one subscription, counted once. */
    @Test
    void forEachCountsAsOneListing() throws Exception {
        done(backend.uploadFile(file("a.txt", "a"), "a.txt"));
        counting.reset();

        List<String> seen = new ArrayList<>();
        assertThat(done(backend.forEach("", info -> seen.add(info.key())))).isEqualTo(1);

        assertThat(seen).containsExactly("a.txt");
        assertThat(counting.count(Operation.LIST)).isEqualTo(1);
        assertThat(counting.requests()).isEqualTo(1);
        assertThat(counting.log()).containsExactly("LIST ");
    }

    /** A listing sends nothing until subscribed; each subscription is one request. */
    @Test
    void countsListingsAtEachSubscription() throws Exception {
        Flow.Publisher<ObjectInfo> listing = backend.list("img/");
        assertThat(counting.count(Operation.LIST)).isZero();

        CountDownLatch ended = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            listing.subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(ObjectInfo item) {
                }

                @Override
                public void onError(Throwable throwable) {
                    ended.countDown();
                }

                @Override
                public void onComplete() {
                    ended.countDown();
                }
            });
        }

        assertThat(ended.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(counting.count(Operation.LIST)).isEqualTo(2);
        assertThat(counting.log()).containsExactly("LIST img/", "LIST img/");
    }

    /**
     * A batch delete is one request whatever the wrapped backend does with it (the memory backend
     * deletes one key at a time, behind the layer): no single delete is counted.
     */
    @Test
    void countsABatchDeleteAsOneRequestWithItsDistinctKeys() throws Exception {
        done(backend.uploadFile(file("a.txt", "a"), "a.txt"));
        done(backend.uploadFile(file("b.txt", "b"), "b.txt"));
        counting.reset();

        DeleteResult result = done(backend.deleteFiles(List.of("a.txt", "b.txt", "a.txt", "c.txt")));

        assertThat(result.deleted()).containsExactly("a.txt", "b.txt", "c.txt");
        assertThat(memory.keys()).isEmpty();
        assertThat(counting.deleteBatches()).isEqualTo(1);
        assertThat(counting.batchDeletedKeys()).isEqualTo(3);
        assertThat(counting.count(Operation.DELETE)).isZero();
        assertThat(counting.requests()).isEqualTo(1);
        assertThat(counting.log()).containsExactly("DELETE_BATCH 3");
    }

    @Test
    void countsGetUrlApartFromRequestsAndNeverCountsLocalQueries() {
        backend.getUrl("a.txt");
        backend.getUrl("b.txt");
        backend.isRemote();
        backend.capabilities();

        assertThat(counting.count(Operation.URL)).isEqualTo(2);
        assertThat(counting.requests()).isZero();
        assertThat(counting.log()).isEmpty();
    }

    @Test
    void countsFailedCallsButNotNullArguments() throws Exception {
        assertThatThrownBy(() -> done(backend.stat("../escape"))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_KEY));
        assertThatThrownBy(() -> backend.stat(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.uploadFile(null, "a.txt")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.deleteFiles(Arrays.asList("a.txt", null)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.list(null)).isInstanceOf(NullPointerException.class);

        assertThat(counting.requests()).isEqualTo(1);
        assertThat(counting.log()).containsExactly("STAT ../escape");
    }

    @Test
    void resetStartsFromZero() throws Exception {
        done(backend.uploadFile(file("a.txt", "a"), "a.txt"));
        done(backend.deleteFiles(List.of("a.txt")));
        backend.getUrl("a.txt");

        counting.reset();

        for (Operation op : Operation.values()) {
            assertThat(counting.count(op)).as("%s", op).isZero();
        }
        assertThat(counting.deleteBatches()).isZero();
        assertThat(counting.batchDeletedKeys()).isZero();
        assertThat(counting.requests()).isZero();
        assertThat(counting.log()).isEmpty();

        done(backend.stat("a.txt"));
        assertThat(counting.log()).containsExactly("STAT a.txt");
    }

    @Test
    void logIsASnapshot() throws Exception {
        List<String> before = counting.log();
        done(backend.stat("a.txt"));
        assertThat(before).isEmpty();
        assertThatThrownBy(() -> counting.log().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void countsEveryCallFromManyThreads() throws Exception {
        int threads = 8;
        int callsEach = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<?>> calls = new ArrayList<>();
                    for (int i = 0; i < callsEach; i++) {
                        String key = "t" + thread + "/" + i;
                        calls.add(i % 2 == 0 ? backend.stat(key) : backend.deleteFile(key));
                    }
                    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
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

        long total = (long) threads * callsEach;
        assertThat(counting.requests()).isEqualTo(total);
        assertThat(counting.count(Operation.STAT)).isEqualTo(total / 2);
        assertThat(counting.count(Operation.DELETE)).isEqualTo(total / 2);
        assertThat(counting.log()).hasSize((int) total).doesNotHaveDuplicates();
    }

    @Test
    void wrapsUnderItsOwnName() {
        assertThat(backend.unwrap(MemoryBackend.class)).containsSame(memory);
        assertThat(backend.toString()).startsWith("CountingLayer(MemoryBackend[");
    }
}
