package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.internal.Digests;
import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Multipart uploads read each part once and check the whole file's SHA-256 before completing: a
 * file that is not what the upload was planned with is never stored, and the memory the parts are
 * read into is shared by every upload of the backend.
 */
@Timeout(120)
class MultipartReadOnceIT {
    @TempDir
    Path dir;
    private final S3TestServer server = TestS3.server();
    private final String bucket = server.createBucket();

    @Test
    void callersSha256Right_isStoredWithIt_asThePartsRead() throws Exception {
        Path file = TestS3.randomFile(dir, 11);
        String sha256 = sha256(file);
        try (S3Backend s3 = S3Backend.create(multipart().build())) {
            await(s3.uploadFile(file, "big.bin", UploadOptions.builder().sha256(sha256).build()));
            assertThat(await(s3.stat("big.bin")).orElseThrow().sha256()).hasValue(sha256);
        }
        assertThat(server.read(bucket, "big.bin")).hasValue(Files.readAllBytes(file));
    }

    @Test
    void callersSha256Wrong_failsIntegrityNotRetryable_andTheUploadIsAbortedBeforeCompletion() throws Exception {
        Path file = TestS3.randomFile(dir, 11);
        String wrong = Digests.hex(Digests.sha256().digest(new byte[] {1}));
        try (S3Backend s3 = S3Backend.create(multipart().build())) {
            StorageException e = failure(s3.uploadFile(file, "big.bin", UploadOptions.builder().sha256(wrong).build()));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.INTEGRITY);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains("the file's SHA-256 is " + sha256(file) + ", not the " + wrong + " the caller gave");
        }
        awaitNothingLeft();
    }

    /** The file is edited in place once the upload exists: same size, other bytes, which only the SHA-256 tells. */
    @Test
    void fileEditedAfterPlanning_failsIntegrityRetryable_andLeavesNothing() throws Exception {
        Path file = TestS3.randomFile(dir, 11);
        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(onCreate(() -> {
            try (RandomAccessFile edit = new RandomAccessFile(file.toFile(), "rw")) {
                edit.seek(8L << 20);
                edit.write(~edit.read());
            }
        })).build()) {
            StorageException e = failure(s3.uploadFile(file, "big.bin"));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.INTEGRITY);
            assertThat(e.isRetryable()).as("another attempt hashes the file again").isTrue();
            assertThat(e.getMessage()).contains("the file changed while it was uploaded: its SHA-256 is now " + sha256(file));
        }
        awaitNothingLeft();
    }

    @Test
    void fileTruncatedAfterPlanning_failsIntegrityRetryable_namingWhereItEnds() throws Exception {
        Path file = TestS3.randomFile(dir, 11);
        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(onCreate(() -> {
            try (RandomAccessFile cut = new RandomAccessFile(file.toFile(), "rw")) {
                cut.setLength(7L << 20);
            }
        })).build()) {
            StorageException e = failure(s3.uploadFile(file, "big.bin"));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.INTEGRITY);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).contains("the file changed while it was uploaded: the file ends at byte " + (7L << 20));
        }
        awaitNothingLeft();
    }

    /** One part in flight per upload and room for two parts in all: eight uploads at once take turns, and all land whole. */
    @Test
    void manyUploadsAtOnce_shareTheBuffers_andEachStoresItsOwnBytes() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            files.add(TestS3.randomFile(dir, 6 + i % 3));
        }
        try (S3Backend s3 = S3Backend.create(multipart().build())) {
            List<CompletableFuture<?>> uploads = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                uploads.add(s3.uploadFile(files.get(i), "f" + i + ".bin"));
            }
            CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).get(90, SECONDS);
        }
        for (int i = 0; i < files.size(); i++) {
            assertThat(server.read(bucket, "f" + i + ".bin")).as("f" + i).hasValue(Files.readAllBytes(files.get(i)));
        }
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /**
     * Two uploads hold all the memory for parts (one part each, held on its way); a third, whose
     * part waits for memory, is cancelled: it is aborted at once, not once memory comes back.
     */
    @Test
    void uploadCancelledWhileItsPartWaitsForMemory_isAbortedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger partsHeld = new AtomicInteger();
        ExecutionInterceptor holdParts = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest) {
                    partsHeld.incrementAndGet();
                    try {
                        release.await(30, SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        ExecutorService io = Executors.newFixedThreadPool(8);
        try (S3Backend s3 = S3Backend.builder(multipart().build()).executor(io).interceptor(holdParts).build()) {
            CompletableFuture<?> a = s3.uploadFile(TestS3.randomFile(dir, 6), "a.bin");
            CompletableFuture<?> b = s3.uploadFile(TestS3.randomFile(dir, 6), "b.bin");
            TestS3.awaitUntil("two parts hold the memory", () -> partsHeld.get() == 2);
            CompletableFuture<?> c = s3.uploadFile(TestS3.randomFile(dir, 6), "c.bin");
            TestS3.awaitUntil("the third upload's part waits for memory", () -> s3.partsAwaitingMemory() == 1);
            assertThat(server.multipartUploads(bucket)).hasSize(3);

            c.cancel(true);
            TestS3.awaitUntil("the third upload is aborted, the others still held", () -> server.multipartUploads(bucket).size() == 2);
            assertThat(partsHeld).as("no part of the third was sent").hasValue(2);
            assertThat(s3.partsAwaitingMemory()).isZero();
            release.countDown();
            await(a);
            await(b);
        } finally {
            release.countDown();
            io.shutdown();
        }
        assertThat(server.keys(bucket)).containsExactlyInAnyOrder("a.bin", "b.bin");
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /** Something done to the file as soon as the upload exists, before any part is read. */
    private interface FileChange {
        void run() throws IOException;
    }

    private static ExecutionInterceptor onCreate(FileChange change) {
        return new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof CreateMultipartUploadRequest) {
                    try {
                        change.run();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
    }

    private S3Config.Builder multipart() {
        return TestS3.config(S3Preset.GENERIC, bucket).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).partConcurrency(1);
    }

    private void awaitNothingLeft() throws InterruptedException {
        TestS3.awaitUntil("no upload is left", () -> server.multipartUploads(bucket).isEmpty());
        assertThat(server.keys(bucket)).isEmpty();
    }

    private static String sha256(Path file) throws IOException {
        return Digests.hex(Digests.sha256().digest(Files.readAllBytes(file)));
    }

    private static StorageException failure(CompletableFuture<?> future) {
        Throwable thrown = catchThrowable(() -> future.get(30, SECONDS));
        assertThat(thrown).as("the future ends, failed").isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StorageException.class);
        return (StorageException) thrown.getCause();
    }
}
