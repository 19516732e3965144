package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageException;
import dev.stowage.testkit.FaultyProxy;
import dev.stowage.testkit.FaultyProxy.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Answers whose connection closed within their head ({@link Fault#CUT_HEAD}), which the SDK's Netty
 * client takes for whole ones (the CRT client fails them): under either client each is a retryable
 * {@code UNAVAILABLE} failure, never a wrong success; a part is sent again as a part.
 */
@Timeout(60)
class CutAnswersIT {
    @TempDir
    Path dir;
    private final String bucket = TestS3.server().createBucket();

    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void stat_headAnswerCut_failsUnavailableRetryable_andTheNextStatIsRight(S3HttpClient client) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "seventeen bytes!!");
        try (S3Backend direct = S3Backend.create(TestS3.config(S3Preset.GENERIC, bucket).build())) {
            await(direct.uploadFile(file, "a.txt"));
        }
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.CUT_HEAD, 1, TargetedFaults.HEAD);
             S3Backend s3 = S3Backend.create(TargetedFaults.through(proxy, bucket).httpClient(client).build())) {
            StorageException e = unavailable(s3.stat("a.txt"));
            assertCut(client, e, "HEAD answer", "Content-Length");

            ObjectInfo info = await(s3.stat("a.txt")).orElseThrow();
            assertThat(info.sizeBytes()).isEqualTo(17);
            assertThat(info.sha256()).hasValue(S3BackendIT.sha256(Files.readAllBytes(file)));
            assertThat(proxy.faultLog()).singleElement().asString().startsWith("CUT_HEAD HEAD ");
        }
    }

    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void list_answerCut_failsUnavailableRetryable_insteadOfEndingEarly(S3HttpClient client) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "listed");
        try (S3Backend direct = S3Backend.create(TestS3.config(S3Preset.GENERIC, bucket).build())) {
            await(direct.uploadFile(file, "listed/a.txt"));
            await(direct.uploadFile(file, "listed/b.txt"));
        }
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.CUT_HEAD, 1, TargetedFaults.LIST);
             S3Backend s3 = S3Backend.create(TargetedFaults.through(proxy, bucket).httpClient(client).build())) {
            StorageException e = unavailable(s3.forEach("listed/", info -> { }));
            assertCut(client, e, "ListObjectsV2 answer", "IsTruncated");

            assertThat(await(s3.forEach("listed/", info -> { }))).isEqualTo(2);
            assertThat(proxy.faultLog()).singleElement().asString().startsWith("CUT_HEAD GET ");
        }
    }

    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void deleteObjects_answerCut_reportsEachKeyUnavailableRetryable(S3HttpClient client) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "to delete");
        try (S3Backend direct = S3Backend.create(TestS3.config(S3Preset.GENERIC, bucket).build())) {
            await(direct.uploadFile(file, "d/a.txt"));
            await(direct.uploadFile(file, "d/b.txt"));
        }
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.CUT_HEAD, 1, TargetedFaults.DELETE_OBJECTS);
             S3Backend s3 = S3Backend.create(TargetedFaults.through(proxy, bucket).httpClient(client).build())) {
            DeleteResult result = await(s3.deleteFiles(List.of("d/a.txt", "d/b.txt")));

            assertThat(proxy.faultLog()).singleElement().asString().startsWith("CUT_HEAD POST ");
            assertThat(result.failed()).containsOnlyKeys("d/a.txt", "d/b.txt").allSatisfy((key, e) -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                assertThat(e.isRetryable()).isTrue();
                if (client == S3HttpClient.NETTY) {
                    assertThat(e.getMessage()).contains("cut short");
                }
            });
            assertThat(await(s3.deleteFiles(List.of("d/a.txt", "d/b.txt"))).isComplete()).isTrue(); // what a retry layer does
        }
    }

    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void putObject_answerCut_failsUnavailableRetryable(S3HttpClient client) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "content");
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.CUT_HEAD, 1, TargetedFaults.PUT_OBJECT);
             S3Backend s3 = S3Backend.create(TargetedFaults.through(proxy, bucket).httpClient(client).build())) {
            StorageException e = unavailable(s3.uploadFile(file, "a.txt"));
            assertCut(client, e, "PutObject answer", "ETag");

            await(s3.uploadFile(file, "a.txt")); // what a retry layer does
            assertThat(TestS3.server().read(bucket, "a.txt")).hasValue(Files.readAllBytes(file));
        }
    }

    /** Before, the part "succeeded" without an ETag, and CompleteMultipartUpload sent a null one. */
    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void uploadPart_answerCut_isSentAgainAsAPart_andTheUploadSucceeds(S3HttpClient client) throws Exception {
        Path file = TestS3.randomFile(dir, 11);
        RecordedRequests recorded = new RecordedRequests();
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.CUT_HEAD, 1, TargetedFaults.PART_2);
             S3Backend s3 = S3Backend.builder(multipart(proxy, client)).interceptor(recorded).build()) {
            await(s3.uploadFile(file, "big.bin"));

            assertThat(proxy.faultLog()).singleElement().asString().contains("partNumber=2&");
        }
        assertThat(recorded.of("CreateMultipartUploadRequest")).hasSize(1);
        assertThat(recorded.of("UploadPartRequest")).filteredOn(r -> r.uri().getRawQuery().contains("partNumber=2&")).hasSize(2);
        assertThat(recorded.of("CompleteMultipartUploadRequest")).hasSize(1);
        assertThat(TestS3.server().read(bucket, "big.bin")).hasValue(Files.readAllBytes(file));
        assertThat(TestS3.server().multipartUploads(bucket)).isEmpty();
    }

    /** The server completed the upload, but the answer does not say so: the caller cannot know, and may try again. */
    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void completeMultipartUpload_answerCut_failsUnavailableRetryable(S3HttpClient client) throws Exception {
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.CUT_HEAD, 1, TargetedFaults.COMPLETE);
             S3Backend s3 = S3Backend.create(multipart(proxy, client))) {
            StorageException e = unavailable(s3.uploadFile(TestS3.randomFile(dir, 11), "big.bin"));
            assertCut(client, e, "CompleteMultipartUpload answer", "ETag");
        }
        assertThat(TestS3.server().multipartUploads(bucket)).isEmpty();
    }

    private S3Config multipart(FaultyProxy proxy, S3HttpClient client) {
        return TargetedFaults.through(proxy, bucket).httpClient(client).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).partConcurrency(1).build();
    }

    /**
     * The Netty client takes the cut answer for a whole one, which the backend finds lacking what it
     * needs; the CRT client fails the request itself, as a connection that failed.
     */
    private static void assertCut(S3HttpClient client, StorageException e, String answer, String lacking) {
        if (client == S3HttpClient.NETTY) {
            assertThat(e.getMessage()).contains(answer, lacking);
        } else {
            assertThat(e.getMessage()).contains("connection to", "failed");
        }
    }

    private static StorageException unavailable(CompletableFuture<?> future) {
        Throwable thrown = catchThrowable(() -> future.get(30, SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StorageException.class);
        StorageException e = (StorageException) thrown.getCause();
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(e.isRetryable()).isTrue();
        return e;
    }
}
