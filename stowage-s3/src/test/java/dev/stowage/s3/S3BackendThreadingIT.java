package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Where S3Backend starts its requests: never on the caller's thread. */
class S3BackendThreadingIT {
    @TempDir
    Path dir;

    /** The thread each request started on, by request type. */
    private final Map<String, String> startedOn = new ConcurrentHashMap<>();
    private final ExecutionInterceptor recordThreads = new ExecutionInterceptor() {
        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            startedOn.merge(context.request().getClass().getSimpleName(), Thread.currentThread().getName(), (a, b) -> a + "," + b);
        }
    };

    @Test
    void upload_hashingDoneBeforeTheCallerReturns_stillSendsOffTheCallersThread() throws Exception {
        // Each task runs to its end on a new thread before execute() returns: by the time
        // uploadFile attaches what follows hashing, hashing is done.
        AtomicInteger workers = new AtomicInteger();
        Executor finishesAtOnce = task -> {
            Thread t = new Thread(task, "worker-" + workers.incrementAndGet());
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Path small = Files.writeString(dir.resolve("small.txt"), "small");
        Path large = TestS3.randomFile(dir, 6);
        try (S3Backend s3 = S3Backend.builder(TestS3.freshBucket().multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).build())
                .executor(finishesAtOnce).interceptor(recordThreads).build()) {
            CompletableFuture<?> put = s3.uploadFile(small, "small.txt");
            CompletableFuture<?> multipart = s3.uploadFile(large, "large.bin");
            await(put);
            await(multipart);
        }

        String caller = Thread.currentThread().getName();
        assertThat(startedOn).containsKeys("PutObjectRequest", "CreateMultipartUploadRequest");
        for (String request : List.of("PutObjectRequest", "CreateMultipartUploadRequest")) {
            assertThat(startedOn.get(request).split(",")).as(request).allSatisfy(thread -> assertThat(thread)
                    .isNotEqualTo(caller).startsWith("worker-"));
        }
    }

    @Test
    void operations_returnAtOnceAndSendNothingUntilTheExecutorRuns() throws Exception {
        Queue<Runnable> queued = new ConcurrentLinkedQueue<>();
        Path small = Files.writeString(dir.resolve("small.txt"), "small");
        try (S3Backend s3 = S3Backend.builder(TestS3.freshBucket().build())
                .executor(queued::add).interceptor(recordThreads).build()) {
            CompletableFuture<?> upload = s3.uploadFile(small, "a.txt");

            assertThat(upload).isNotDone();
            assertThat(startedOn).isEmpty();
            assertThat(queued).hasSize(1);

            while (!upload.isDone()) {
                Runnable next = queued.poll();
                if (next != null) {
                    Thread t = new Thread(next, "worker");
                    t.start();
                    t.join();
                } else {
                    Thread.onSpinWait();
                }
            }
            await(upload);
        }
        assertThat(startedOn.get("PutObjectRequest")).isEqualTo("worker");
    }

    @Test
    void callersExecutorFull_failsUnavailable_andNeverSendsOnTheCallersThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ThreadPoolExecutor full = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1));
        try (S3Backend s3 = S3Backend.builder(TestS3.freshBucket().build()).executor(full).interceptor(recordThreads).build()) {
            full.execute(() -> awaitQuietly(release)); // the only thread is busy
            full.execute(() -> { });                    // and the queue is full

            CompletableFuture<?> stat = s3.stat("a.txt");

            Throwable e = catchThrowable(() -> stat.get(20, TimeUnit.SECONDS));
            assertThat(e).hasCauseInstanceOf(StorageException.class);
            StorageException failure = (StorageException) e.getCause();
            assertThat(failure.kind()).as(failure.getMessage()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(failure.isRetryable()).isTrue();
            assertThat(startedOn).as("requests started").isEmpty();
        } finally {
            release.countDown();
            full.shutdown();
        }
    }

    @Test
    void close_whileTheCallersExecutorIsBusy_endsEveryUploadBeforeItReturns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService busy = Executors.newSingleThreadExecutor();
        Path small = Files.writeString(dir.resolve("small.txt"), "small");
        try {
            busy.execute(() -> awaitQuietly(release)); // what ends the upload would queue behind this
            S3Backend s3 = S3Backend.builder(TestS3.freshBucket().build()).executor(busy).build();
            CompletableFuture<?> upload = s3.uploadFile(small, "a.txt");

            s3.close();

            assertThat(upload).as("the upload, as close() returns").isDone();
            Throwable e = catchThrowable(upload::join);
            assertThat(e).hasCauseInstanceOf(StorageException.class);
            assertThat(((StorageException) e.getCause()).kind()).isEqualTo(ErrorKind.CLOSED);
        } finally {
            release.countDown();
            busy.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
