package dev.stowage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.Failures;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where LocalBackend does its work: never on the caller's thread. */
class LocalBackendThreadingTest {
    @TempDir
    Path dir;
    @TempDir
    Path elsewhere;

    /** An executor that only queues work, so a test can see what happens before it runs. */
    private final Queue<Runnable> queued = new ArrayDeque<>();
    private final Executor queue = queued::add;

    @Test
    void operations_returnAtOnceAndTouchNothingUntilTheExecutorRuns() throws IOException {
        Path source = Files.writeString(elsewhere.resolve("src.txt"), "content");
        Files.writeString(dir.resolve("old.txt"), "old");
        StorageBackend backend = LocalBackend.builder().basePath(dir).baseUrl("http://h/").ownsFiles(true)
                .executor(queue).build();

        CompletableFuture<?> upload = backend.uploadFile(source, "new/file.txt");
        CompletableFuture<?> delete = backend.deleteFile("old.txt");
        CompletableFuture<?> stat = backend.stat("old.txt");

        assertThat(upload).isNotDone();
        assertThat(delete).isNotDone();
        assertThat(stat).isNotDone();
        assertThat(dir.resolve("new")).doesNotExist();
        assertThat(dir.resolve("old.txt")).exists();
        assertThat(queued).hasSize(3);

        while (!queued.isEmpty()) {
            queued.poll().run();
        }
        assertThat(upload).isCompleted();
        assertThat(dir.resolve("new/file.txt")).hasContent("content");
        assertThat(dir.resolve("old.txt")).doesNotExist();
    }

    @Test
    void cancelledBeforeItRuns_writesNothing() throws IOException {
        Path source = Files.writeString(elsewhere.resolve("src.txt"), "content");
        StorageBackend backend = LocalBackend.builder().basePath(dir).baseUrl("http://h/").executor(queue).build();

        CompletableFuture<?> upload = backend.uploadFile(source, "a/b.txt");
        upload.cancel(true);
        queued.forEach(Runnable::run);

        assertThat(upload).isCancelled();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void executorThatRefusesWhileOpen_isUnavailableAndRetryable() throws IOException {
        Path source = Files.writeString(elsewhere.resolve("src.txt"), "content");
        StorageBackend backend = LocalBackend.builder().basePath(dir).baseUrl("http://h/")
                .executor(task -> {
                    throw new RejectedExecutionException("full");
                }).build();

        var error = Failures.storage(backend.uploadFile(source, "a.txt"));

        assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(error.isRetryable()).isTrue();
        assertThat(error.key()).isEqualTo("a.txt");
    }

    @Test
    void deleteThroughSymlinkedFolder_keepsTheLink() throws IOException {
        Path real = Files.createDirectories(dir.resolve("real"));
        Files.writeString(real.resolve("other.txt"), "stays");
        Files.writeString(real.resolve("x.txt"), "goes");
        Files.createSymbolicLink(dir.resolve("alias"), real);
        try (StorageBackend backend = LocalBackend.builder().basePath(dir).baseUrl("http://h/").ownsFiles(true).build()) {
            backend.deleteFile("alias/x.txt").join();
            Files.delete(real.resolve("other.txt"));
            Files.writeString(real.resolve("y.txt"), "y");
            backend.deleteFile("alias/y.txt").join();
        }
        assertThat(dir.resolve("alias")).isSymbolicLink();
        assertThat(real.resolve("x.txt")).doesNotExist();
    }

    @Test
    void executorThatDiscardsTasks_isRefusedAtBuild() {
        ThreadPoolExecutor discarding = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1),
                new ThreadPoolExecutor.DiscardPolicy());
        try {
            assertThatThrownBy(() -> LocalBackend.builder().basePath(dir).baseUrl("http://h/").executor(discarding).build())
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG))
                    .hasMessageContaining("DiscardPolicy").hasMessageContaining("AbortPolicy");
        } finally {
            discarding.shutdown();
        }
    }

    @Test
    void close_failsWorkTheExecutorNeverRan_soNoFutureStaysPending() throws IOException {
        Path source = Files.writeString(elsewhere.resolve("src.txt"), "content");
        StorageBackend backend = LocalBackend.builder().basePath(dir).baseUrl("http://h/").executor(queue).build();
        CompletableFuture<?> upload = backend.uploadFile(source, "a.txt");
        CompletableFuture<?> stat = backend.stat("a.txt");

        backend.close();

        assertThat(Failures.storage(upload).kind()).isEqualTo(ErrorKind.CLOSED);
        assertThat(Failures.storage(stat).kind()).isEqualTo(ErrorKind.CLOSED);
        queued.forEach(Runnable::run); // if the executor runs them after all, they do nothing
        assertThat(dir.resolve("a.txt")).doesNotExist();
    }

    @Test
    void executorThatRunsTasksOnTheCaller_isRefusedAtBuild() {
        ThreadPoolExecutor callerRuns = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1),
                new ThreadPoolExecutor.CallerRunsPolicy());
        try {
            assertThatThrownBy(() -> LocalBackend.builder().basePath(dir).baseUrl("http://h/").executor(callerRuns).build())
                    .isInstanceOf(StorageException.class).hasMessageContaining("CallerRunsPolicy");
        } finally {
            callerRuns.shutdown();
        }
    }

    @Test
    void close_fromAStageRunningOnTheBackendsThread_doesNotWaitForItself() throws Exception {
        Path source = Files.writeString(elsewhere.resolve("src.txt"), "content");
        StorageBackend backend = LocalBackend.builder().basePath(dir).baseUrl("http://h/").executor(queue).build();
        CompletableFuture<?> upload = backend.uploadFile(source, "a.txt");
        // Chained while the upload waits in the queue, so it runs on the thread that ends the upload.
        CompletableFuture<String> closing = new CompletableFuture<>();
        upload.whenComplete((url, error) -> {
            long start = System.nanoTime();
            backend.close();
            closing.complete(Thread.currentThread().getName() + " " + (System.nanoTime() - start));
        });

        Thread worker = new Thread(() -> queued.poll().run(), "backend-worker");
        worker.start();
        worker.join(TimeUnit.SECONDS.toMillis(30));

        // close() waits up to 10 s for calls still running: it must not count the one calling it.
        String[] ranOnAndTook = closing.get(30, TimeUnit.SECONDS).split(" ");
        assertThat(ranOnAndTook[0]).isEqualTo("backend-worker");
        assertThat(Long.parseLong(ranOnAndTook[1])).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
}
