package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.layer.RetryLayer;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.testkit.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/** Multipart uploads and credentials when things go wrong around them: every future ends, nothing is left behind. */
@Timeout(120)
class S3EdgeCasesIT {
    @TempDir
    Path dir;
    private final S3TestServer server = TestS3.server();
    private final String bucket = server.createBucket();

    @Test
    void multipartUpload_sourceDeletedOnceStarted_failsNotFoundAndLeavesNothing() throws Exception {
        Path large = large();
        ExecutionInterceptor deleteOnCreate = new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof CreateMultipartUploadRequest) {
                    large.toFile().delete();
                }
            }
        };
        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(deleteOnCreate).build()) {
            StorageException e = failure(s3.uploadFile(large, "big.bin"));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.NOT_FOUND);
            assertThat(e.operation()).isEqualTo(Operation.UPLOAD);
        }
        awaitNothingLeft();
    }

    /** The caller gives up once the upload exists and a part is in flight: it is aborted once that part has ended. */
    @Test
    void multipartUpload_givenUpByTheCaller_isAbortedAndLeavesNothing() throws Exception {
        CompletableFuture<Void> partSeen = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        RecordedRequests recorded = new RecordedRequests();
        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded)
                .interceptor(Interceptors.holdFirst(UploadPartRequest.class, partSeen, release))
                .interceptor(countDownAfter(AbortMultipartUploadRequest.class, aborted)).build()) {
            CompletableFuture<?> upload = s3.uploadFile(large(), "big.bin");
            partSeen.get(20, SECONDS);
            assertThat(recorded.of("CreateMultipartUploadRequest")).as("the upload was created").hasSize(1);

            upload.orTimeout(1, MILLISECONDS);
            Throwable thrown = catchThrowable(() -> upload.get(20, SECONDS));
            assertThat(thrown).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            assertThat(aborted.getCount()).as("aborted while its first part is still in flight").isEqualTo(1);
            release.countDown();

            assertThat(aborted.await(20, SECONDS)).as("the upload was aborted").isTrue();
            assertThat(recorded.of("CompleteMultipartUploadRequest")).isEmpty();
            awaitNothingLeft();
        }
    }

    @Test
    void multipartUpload_partFailingOnceForATransientReason_isSentAgainAndTheUploadSucceeds() throws Exception {
        Path large = large();
        AtomicInteger part2Attempts = new AtomicInteger();
        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(Interceptors.failPart2(part2Attempts, 1)).build()) {
            await(s3.uploadFile(large, "big.bin"));
        }
        assertThat(part2Attempts).hasValue(2);
        byte[] content = Files.readAllBytes(large);
        assertThat(server.read(bucket, "big.bin")).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    @Test
    void multipartUpload_partFailingEveryAttempt_failsForGoodAfterPartAttemptsAndLeavesNothing() throws Exception {
        AtomicInteger part2Attempts = new AtomicInteger();
        try (S3Backend s3 = S3Backend.builder(multipart().partAttempts(3).build()).interceptor(Interceptors.failPart2(part2Attempts, 99)).build()) {
            StorageException e = failure(s3.uploadFile(large(), "big.bin"));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.isRetryable()).as("retried already: an outer retry layer must not start over").isFalse();
            assertThat(e.getMessage()).contains("part 2 failed 3 times");
        }
        assertThat(part2Attempts).hasValue(3);
        awaitNothingLeft();
    }

    @Test
    void close_duringMultipartUpload_failsItClosedAndAbortsItFirst() throws Exception {
        CompletableFuture<Void> partSeen = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(Interceptors.holdFirst(UploadPartRequest.class, partSeen, release)).build();
        CompletableFuture<?> upload = s3.uploadFile(large(), "big.bin");
        partSeen.get(20, SECONDS);
        Thread closing = new Thread(s3::close, "closing");
        closing.start();
        release.countDown(); // the part in flight ends, then the upload is aborted, then the client closes
        closing.join(SECONDS.toMillis(20));
        assertThat(closing.isAlive()).isFalse();

        StorageException e = failure(upload);
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.CLOSED);
        assertThat(e.key()).isEqualTo("big.bin");
        assertThat(server.multipartUploads(bucket)).as("aborted before the client closed").isEmpty();
        assertThat(server.keys(bucket)).isEmpty();
    }

    @Test
    void sourceGoneBetweenHashingAndSending_isNotFoundAndStoresNothing() throws Exception {
        Queue<Runnable> queued = new ConcurrentLinkedQueue<>();
        Path source = Files.writeString(dir.resolve("vanishing.txt"), "here, then gone");
        try (S3Backend s3 = S3Backend.builder(TestS3.freshBucket().build()).executor(queued::add).build()) {
            CompletableFuture<?> upload = s3.uploadFile(source, "a.txt");
            queued.poll().run(); // hashes the file
            assertThat(upload).isNotDone();
            Files.delete(source);
            runUntilDone(queued, upload); // sends it: the SDK opens the file, which is gone

            StorageException e = failure(upload);
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.NOT_FOUND);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains(source.toString());
            CompletableFuture<Optional<dev.stowage.ObjectInfo>> stat = s3.stat("a.txt");
            runUntilDone(queued, stat);
            assertThat(await(stat)).isEmpty();
        }
    }

    @Test
    void multipartUpload_fileChangedAfterHashing_failsRetryable_soTheRetryLayerHashesAgainAndStoresTheNewBytes() throws Exception {
        Path source = TestS3.randomFile(dir, 6);
        byte[] changed = Files.readAllBytes(source);
        changed[0] ^= 1; // same size, other bytes: only the MD5s tell
        AtomicInteger creates = new AtomicInteger();
        ExecutionInterceptor changeAfterHashing = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof CreateMultipartUploadRequest && creates.incrementAndGet() == 1) {
                    try {
                        Files.write(source, changed);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        };
        try (StorageBackend s3 = S3Backend.builder(multipart().build()).interceptor(changeAfterHashing).build()
                .with(new RetryLayer(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 0)))) {
            await(s3.uploadFile(source, "changed.bin"));
        }
        assertThat(creates).as("a second upload, of the file hashed again").hasValue(2);
        assertThat(server.read(bucket, "changed.bin")).hasValue(changed);
    }

    /** Runs what the backend queued, on this thread, until the future is done; 20 s at most. */
    private static void runUntilDone(Queue<Runnable> queued, CompletableFuture<?> future) {
        long deadline = System.nanoTime() + SECONDS.toNanos(20);
        while (!future.isDone() && System.nanoTime() < deadline) {
            Runnable next = queued.poll();
            if (next != null) {
                next.run();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void credentialsOfAProvider_areNeverResolvedOnTheCallersThread_andTheProviderIsLeftOpen() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        AtomicBoolean closed = new AtomicBoolean();
        ClosableProvider provider = new ClosableProvider(threads, closed);
        String caller = Thread.currentThread().getName();
        try (S3Backend s3 = S3Backend.builder(TestS3.withoutCredentials(S3Preset.GENERIC, bucket).build())
                .credentialsProvider(provider).build()) {
            for (int i = 0; i < 3; i++) {
                assertThat(await(s3.stat("nothing-" + i))).isEmpty();
                await(s3.deleteFile("nothing-" + i));
            }
            assertThat(await(s3.deleteFiles(List.of("a", "b"))).isComplete()).isTrue();
            await(s3.forEach("", o -> { }));
        }
        assertThat(threads).hasSizeGreaterThanOrEqualTo(8).doesNotContain(caller);
        assertThat(closed).as("the caller's provider, closed by the backend").isFalse();
    }

    /** A provider as an STS or instance-role one is: it may block, and it can be closed. */
    private final class ClosableProvider implements AwsCredentialsProvider, SdkAutoCloseable {
        private final List<String> threads;
        private final AtomicBoolean closed;

        ClosableProvider(List<String> threads, AtomicBoolean closed) {
            this.threads = threads;
            this.closed = closed;
        }

        @Override
        public AwsCredentials resolveCredentials() {
            threads.add(Thread.currentThread().getName());
            return AwsBasicCredentials.create(server.accessKeyId(), server.secretAccessKey());
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    /** Counts the latch down when a request of the type has succeeded. */
    private static ExecutionInterceptor countDownAfter(Class<? extends SdkRequest> type, CountDownLatch latch) {
        return new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (type.isInstance(context.request())) {
                    latch.countDown();
                }
            }
        };
    }

    private S3Config.Builder multipart() {
        return TestS3.config(S3Preset.GENERIC, bucket).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).partConcurrency(1);
    }

    private Path large() throws Exception {
        return TestS3.randomFile(dir, 11);
    }

    private static StorageException failure(CompletableFuture<?> future) {
        Throwable thrown = catchThrowable(() -> future.get(20, SECONDS));
        assertThat(thrown).as("the future ends, failed").isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StorageException.class);
        return (StorageException) thrown.getCause();
    }

    /** No multipart upload and no object is left once the aborts (which follow the failure) have run. */
    private void awaitNothingLeft() throws InterruptedException {
        TestS3.awaitUntil("no upload and no object left", () -> server.multipartUploads(bucket).isEmpty() && server.keys(bucket).isEmpty());
    }
}
