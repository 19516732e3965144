package dev.stowage.s3;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import dev.stowage.testkit.FaultyProxy;
import dev.stowage.testkit.FaultyProxy.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Multipart uploads are aborted even when the network loses what would say so: a creation whose
 * answer was lost has its upload found and aborted; an abort that fails is sent again.
 */
@Timeout(60)
class MultipartAbortsIT {
    private static final String KEY = "big.bin";

    @TempDir
    Path dir;
    private final String bucket = TestS3.server().createBucket();

    /** The server made the upload both times; the client never learnt its id. */
    @ParameterizedTest
    @EnumSource(names = {"CUT_HEAD", "RESET_AFTER_FORWARDING"})
    void creationAnswerLost_theUploadItMadeIsFoundAndAborted(Fault fault) throws Exception {
        RecordedRequests recorded = new RecordedRequests();
        try (FaultyProxy proxy = TargetedFaults.proxy(fault, 1, TargetedFaults.CREATE);
             S3Backend s3 = S3Backend.builder(multipart(proxy)).interceptor(recorded).build()) {
            StorageException e = failure(s3.uploadFile(TestS3.randomFile(dir, 6), KEY));

            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.isRetryable()).isTrue();
            assertThat(proxy.faultLog()).singleElement().asString().startsWith(fault + " POST ");
        }
        assertThat(recorded.of("ListMultipartUploadsRequest")).hasSize(1);
        assertThat(recorded.of("AbortMultipartUploadRequest")).hasSize(1);
        assertThat(TestS3.server().multipartUploads(bucket)).as("uploads left").isEmpty();
    }

    /**
     * Only an upload of exactly that key, initiated since the lost creation was sent, is aborted:
     * one of the same key initiated an hour before (S3Proxy says "now" for every upload, so the
     * listing is rewritten on its way in), and one of a longer key, stay.
     */
    @Test
    void creationAnswerLost_uploadsOfOtherKeysOrInitiatedBeforeStay() throws Exception {
        S3Config direct = TestS3.config(S3Preset.GENERIC, bucket).build();
        String older;
        String longer;
        try (S3AsyncClient raw = S3Clients.client(direct, S3Clients.credentials(direct), List.of())) {
            older = raw.createMultipartUpload(r -> r.bucket(bucket).key(KEY)).get(20, SECONDS).uploadId();
            longer = raw.createMultipartUpload(r -> r.bucket(bucket).key(KEY + ".v2")).get(20, SECONDS).uploadId();
        }
        ExecutionInterceptor anHourAgo = new ExecutionInterceptor() {
            @Override
            public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
                if (!(context.response() instanceof ListMultipartUploadsResponse)) {
                    return context.response();
                }
                ListMultipartUploadsResponse listed = (ListMultipartUploadsResponse) context.response();
                return listed.toBuilder().uploads(listed.uploads().stream()
                        .map(u -> u.uploadId().equals(older) ? u.toBuilder().initiated(Instant.now().minus(Duration.ofHours(1))).build() : u)
                        .collect(Collectors.toList())).build();
            }
        };
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.RESET_AFTER_FORWARDING, 1, TargetedFaults.CREATE);
             S3Backend s3 = S3Backend.builder(multipart(proxy)).interceptor(anHourAgo).build()) {
            failure(s3.uploadFile(TestS3.randomFile(dir, 6), KEY));
        }
        try (S3AsyncClient raw = S3Clients.client(direct, S3Clients.credentials(direct), List.of())) {
            List<MultipartUpload> left = raw.listMultipartUploads(r -> r.bucket(bucket)).get(20, SECONDS).uploads();
            assertThat(left).extracting(MultipartUpload::uploadId).containsExactlyInAnyOrder(older, longer);
        }
    }

    /**
     * Another writer began an upload of the same key within the window: which of the two is the
     * lost one cannot be told, so neither is aborted (a lifecycle rule removes the orphan).
     */
    @Test
    void creationAnswerLost_anotherWritersUploadOfTheSameKeyMeanwhile_noneIsAborted() throws Exception {
        S3Config direct = TestS3.config(S3Preset.GENERIC, bucket).build();
        String others;
        try (S3AsyncClient raw = S3Clients.client(direct, S3Clients.credentials(direct), List.of())) {
            others = raw.createMultipartUpload(r -> r.bucket(bucket).key(KEY)).get(20, SECONDS).uploadId();
        }
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.RESET_AFTER_FORWARDING, 1, TargetedFaults.CREATE);
             S3Backend s3 = S3Backend.create(multipart(proxy))) {
            failure(s3.uploadFile(TestS3.randomFile(dir, 6), KEY));
        }
        try (S3AsyncClient raw = S3Clients.client(direct, S3Clients.credentials(direct), List.of())) {
            List<MultipartUpload> left = raw.listMultipartUploads(r -> r.bucket(bucket)).get(20, SECONDS).uploads();
            assertThat(left).extracting(MultipartUpload::uploadId).contains(others).hasSize(2);
        }
    }

    @Test
    void abortLostTwiceOnTheWay_isSentAgainAndTheUploadIsGone() throws Exception {
        AtomicInteger part2 = new AtomicInteger();
        RecordedRequests recorded = new RecordedRequests();
        try (FaultyProxy proxy = TargetedFaults.proxy(Fault.RESET_BEFORE_FORWARDING, 2, TargetedFaults.ABORT);
             S3Backend s3 = S3Backend.builder(TargetedFaults.through(proxy, bucket).multipartThresholdBytes(5 << 20)
                             .partSizeBytes(5 << 20).partConcurrency(1).partAttempts(1).build())
                     .interceptor(recorded).interceptor(Interceptors.failPart2(part2, 1)).build()) {
            StorageException e = failure(s3.uploadFile(TestS3.randomFile(dir, 11), KEY));

            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.getSuppressed()).as("failures of an abort that succeeded in the end").isEmpty();
            assertThat(proxy.faultLog()).hasSize(2).allSatisfy(f -> assertThat(f).startsWith("RESET_BEFORE_FORWARDING DELETE "));
        }
        assertThat(recorded.of("AbortMultipartUploadRequest")).hasSize(3);
        assertThat(TestS3.server().multipartUploads(bucket)).as("uploads left").isEmpty();
    }

    /** The test log: {@code simplelogger.properties} sends every line there. */
    private static final Path LOG = Path.of("target", "s3-tests.log");

    @Test
    void abortFailingEveryTime_isTriedFourTimes_thenLoggedWithItsUploadId_andTheUploadStillEnds() throws Exception {
        AtomicInteger part2 = new AtomicInteger();
        AtomicInteger aborts = new AtomicInteger();
        RecordedRequests recorded = new RecordedRequests();
        S3Config config = TestS3.config(S3Preset.GENERIC, bucket).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20)
                .partConcurrency(1).partAttempts(1).build();
        try (S3Backend s3 = S3Backend.builder(config).interceptor(recorded).interceptor(Interceptors.failPart2(part2, 1))
                .interceptor(Interceptors.failFirst(AbortMultipartUploadRequest.class, aborts, Integer.MAX_VALUE)).build()) {
            StorageException e = failure(s3.uploadFile(TestS3.randomFile(dir, 11), KEY));

            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.getSuppressed()).as("why the abort failed").isNotEmpty();
        }
        assertThat(aborts).hasValue(4);
        String uploadId = recorded.of("UploadPartRequest").get(0).uri().getRawQuery().replaceFirst(".*uploadId=([^&]+).*", "$1");
        assertThat(Files.readAllLines(LOG)).as("the WARN line of the abort given up")
                .anyMatch(line -> line.contains("WARN") && line.contains("Could not abort multipart upload " + uploadId));
        assertThat(TestS3.server().multipartUploads(bucket)).as("the upload no abort reached").containsExactly(KEY);
    }

    private S3Config multipart(FaultyProxy proxy) {
        return TargetedFaults.through(proxy, bucket).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).build();
    }

    private static StorageException failure(CompletableFuture<?> future) {
        Throwable thrown = catchThrowable(() -> future.get(30, SECONDS));
        assertThat(thrown).as("the future ends, failed").isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StorageException.class);
        return (StorageException) thrown.getCause();
    }
}
