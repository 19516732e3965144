package dev.stowage.s3;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.UploadProgress;
import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;

/** close() and cancellation at every stage of a multipart upload: the caller's future always ends, nothing is left behind. */
@Timeout(120)
class S3ShutdownIT {
    @TempDir
    Path dir;
    private final S3TestServer server = TestS3.server();
    private final String bucket = server.createBucket();

    @Test
    void close_whileAPartWaitsToBeRetried_endsTheUploadClosedAndAbortsIt() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(Interceptors.failPart2(attempts, 1)).build();
        CompletableFuture<?> upload = s3.uploadFile(large(11), "big.bin");
        TestS3.awaitUntil("part 2 failed once", () -> attempts.get() > 0);
        s3.close(); // before, during or after the part's pause: every order must end the same way

        assertEndsClosed(upload);
        awaitNothingLeft();
    }

    @Test
    void close_whileTheUploadIsBeingCreatedOnAServerThatNeverAnswers_endsTheUpload() throws Exception {
        try (StalledServer stalled = new StalledServer()) {
            S3Backend s3 = S3Backend.create(S3Config.builder(S3Preset.GENERIC)
                    .endpointUrl("http://127.0.0.1:" + stalled.port()).bucketName("stalled-bucket")
                    .credentials("AKIDFAKE0000", "fake-secret-key")
                    .socketTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(1)).callTimeout(Duration.ofSeconds(2))
                    .multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).build());
            CompletableFuture<?> upload = s3.uploadFile(large(11), "big.bin");
            TestS3.awaitUntil("the creation reached the server", () -> stalled.connections() > 0);

            s3.close(); // waits for the creation to time out, then for nothing: no upload id, nothing to abort

            assertEndsClosed(upload);
        }
    }

    @Test
    void cancel_whileTheUploadCompletes_sendsNoAbortForTheStoredObject() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> completing = new CompletableFuture<>();
        ExecutionInterceptor holdComplete = Interceptors.holdFirst(CompleteMultipartUploadRequest.class, completing, release);
        RecordedRequests recorded = new RecordedRequests();
        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).interceptor(holdComplete).build()) {
            CompletableFuture<?> upload = s3.uploadFile(large(11), "big.bin");
            completing.get(20, SECONDS);
            upload.cancel(true);
            release.countDown();

            TestS3.awaitUntil("the completion ended", () -> server.keys(bucket).contains("big.bin") && recorded.running() == 0);
            assertThat(recorded.of("AbortMultipartUploadRequest")).as("aborts sent for a completed upload").isEmpty();
        }
    }

    /**
     * The upload tells its progress {@code (0, size)} on its I/O thread right before it reads the
     * file: the listener holds it there until the backend is closed, so that the close lands as
     * hashing begins, every time. (That a stop asked during the read ends it is FileDigest's test.)
     */
    @Test
    void close_asHashingBegins_endsTheUploadClosedAndSendsNothing() throws Exception {
        CountDownLatch hashing = new CountDownLatch(1);
        // Released once close() has failed the upload, which it does before waiting for the work running.
        CompletableFuture<Object> ended = new CompletableFuture<>();
        UploadProgress holdAtStart = (done, total) -> {
            if (done == 0 && hashing.getCount() > 0) {
                hashing.countDown();
                try {
                    ended.get(20, SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        RecordedRequests recorded = new RecordedRequests();
        S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).build();
        CompletableFuture<?> upload = s3.uploadFile(large(11), "big.bin", UploadOptions.builder().progress(holdAtStart).build());
        upload.whenComplete((value, error) -> ended.complete(null));
        assertThat(hashing.await(20, SECONDS)).isTrue();
        s3.close();

        assertEndsClosed(upload);
        assertThat(recorded.all()).as("requests sent").isEmpty();
        assertThat(server.keys(bucket)).isEmpty();
    }

    private S3Config.Builder multipart() {
        return TestS3.config(S3Preset.GENERIC, bucket).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).partConcurrency(1);
    }

    private Path large(int mib) throws IOException {
        return TestS3.randomFile(dir, mib);
    }

    private static void assertEndsClosed(CompletableFuture<?> upload) {
        Throwable thrown = catchThrowable(() -> upload.get(20, SECONDS));
        assertThat(thrown).as("the upload's future ends, failed").isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StorageException.class);
        StorageException e = (StorageException) thrown.getCause();
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.CLOSED);
    }

    private void awaitNothingLeft() throws InterruptedException {
        TestS3.awaitUntil("no upload and no object left", () -> server.multipartUploads(bucket).isEmpty() && server.keys(bucket).isEmpty());
    }
}
