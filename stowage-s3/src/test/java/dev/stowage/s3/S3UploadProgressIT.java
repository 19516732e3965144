package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.stowage.UploadOptions;
import dev.stowage.UploadProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * What an upload tells its {@link UploadProgress}: {@code (0, total)} first, each part as the server
 * takes it, {@code (total, total)} before the future succeeds; never going down, always on the
 * backend's I/O threads.
 */
@Timeout(60)
class S3UploadProgressIT {
    private static final long MiB = 1 << 20;

    @TempDir
    Path dir;

    /** One report: the figures and the thread it came on. */
    private record Report(long done, long total, String thread) {
    }

    private final List<Report> reports = new CopyOnWriteArrayList<>();
    private final UploadProgress recorder = (done, total) -> reports.add(new Report(done, total, Thread.currentThread().getName()));

    /** An empty file too: {@code (0, 0)} at the start and at the end. */
    @ParameterizedTest
    @ValueSource(strings = {"twenty-one bytes long", ""})
    void singlePut_tellsTheStartAndTheEndBeforeTheFutureSucceeds(String content) throws Exception {
        Path file = Files.writeString(dir.resolve("small.txt"), content);
        long size = content.length();
        try (S3Backend s3 = S3Backend.create(TestS3.freshBucket().build())) {
            await(s3.uploadFile(file, "small.txt", UploadOptions.builder().progress(recorder).build()));

            assertThat(reports).extracting(Report::done, Report::total).containsExactly(tuple(0L, size), tuple(size, size));
            assertOnIoThreads();
        }
    }

    /**
     * Three parts of 5, 5 and 1 MiB, one at a time; part 2 is held until part 1 has been told, so
     * that a report of part 1 alone is sure to be made, if it is made at all.
     */
    @Test
    void multipart_tellsEachPartAsTheServerTakesItThenTheEnd() throws Exception {
        long total = 11 * MiB;
        Path file = TestS3.randomFile(dir, 11);
        CountDownLatch firstPartTold = new CountDownLatch(1);
        UploadProgress progress = (done, size) -> {
            recorder.update(done, size);
            if (done == 5 * MiB) {
                firstPartTold.countDown();
            }
        };
        ExecutionInterceptor holdPart2 = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest && ((UploadPartRequest) context.request()).partNumber() == 2) {
                    try {
                        firstPartTold.await(10, SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        S3Config config = TestS3.freshBucket().multipartThresholdBytes(5 * MiB).partSizeBytes(5 * MiB).partConcurrency(1).build();
        try (S3Backend s3 = S3Backend.builder(config).interceptor(holdPart2).build()) {
            CompletableFuture<?> upload = s3.uploadFile(file, "large.bin", UploadOptions.builder().progress(progress).build());
            await(upload);

            assertThat(reports).extracting(Report::total).containsOnly(total);
            assertThat(reports).extracting(Report::done).startsWith(0L, 5 * MiB).endsWith(total).isSorted()
                    .isSubsetOf(0L, 5 * MiB, 10 * MiB, total);
            assertThat(reports).extracting(Report::done).filteredOn(done -> done == total).hasSize(1);
            assertOnIoThreads();
        }
    }

    private void assertOnIoThreads() {
        assertThat(reports).extracting(Report::thread).allSatisfy(thread -> assertThat(thread).startsWith("stowage-s3-io-"));
    }
}
