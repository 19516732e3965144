package dev.stowage.s3;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import dev.stowage.s3.RecordedRequests.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@link S3Backend} puts on the wire for each preset, as recorded after signing by an SDK
 * interceptor: the S3-compatible presets send no SDK checksums or {@code aws-chunked} bodies but
 * {@code Content-MD5}; the AWS preset keeps the SDK's checksums; the SDK never retries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WireShapeIT {
    private static final long MiB = 1 << 20;
    /** Three parts of 5 MiB, 5 MiB and a bit over 1 MiB. */
    private static final int LARGE_BYTES = (int) (11 * MiB) + 12_345;

    @TempDir
    static Path dir;
    static Path small;
    static Path large;
    private final Map<S3Preset, List<Request>> sent = new EnumMap<>(S3Preset.class);

    @BeforeAll
    static void files() throws Exception {
        small = Files.writeString(dir.resolve("small.txt"), "hello, wire");
        byte[] bytes = new byte[LARGE_BYTES];
        new Random(42).nextBytes(bytes);
        large = Files.write(dir.resolve("large.bin"), bytes);
    }

    @ParameterizedTest
    @EnumSource(names = {"R2", "GENERIC", "MINIO"})
    void compatiblePresetsSendNoSdkChecksumsNorChunkedBodies(S3Preset preset) throws Exception {
        for (Request r : sent(preset)) {
            assertThat(r.header("Content-Encoding").orElse("")).as(r.toString()).doesNotContainIgnoringCase("aws-chunked");
            assertThat(r.header("x-amz-content-sha256").orElse("")).as(r.toString()).doesNotStartWith("STREAMING-");
            assertThat(r.has("x-amz-trailer")).as(r.toString()).isFalse();
            assertThat(r.has("x-amz-decoded-content-length")).as(r.toString()).isFalse();
            if (!r.operation().equals("DeleteObjectsRequest")) {
                assertThat(names(r)).as(r.toString()).noneMatch(h -> h.startsWith("x-amz-checksum-"));
                assertThat(r.has("x-amz-sdk-checksum-algorithm")).as(r.toString()).isFalse();
            }
        }
    }

    /** DeleteObjects requires a checksum: the SDK adds its CRC32 whatever it is told, and the legacy plugin Content-MD5. */
    @ParameterizedTest
    @EnumSource(names = {"GENERIC", "MINIO"})
    void batchDeletesCarryContentMd5AndTheSdksCrc32(S3Preset preset) throws Exception {
        List<Request> batches = of(preset, "DeleteObjectsRequest");
        assertThat(batches).hasSize(1);
        Request batch = batches.get(0);
        assertThat(batch.has("Content-MD5")).as(batch.toString()).isTrue();
        assertThat(batch.header("x-amz-sdk-checksum-algorithm")).contains("CRC32");
        assertThat(names(batch).stream().filter(h -> h.startsWith("x-amz-checksum-"))).containsExactly("x-amz-checksum-crc32");
        assertThat(of(preset, "DeleteObjectRequest")).hasSize(1); // deleteFile
    }

    @Test
    void r2DeletesKeyByKeyAndSignsForRegionAuto() throws Exception {
        assertThat(of(S3Preset.R2, "DeleteObjectsRequest")).isEmpty();
        assertThat(of(S3Preset.R2, "DeleteObjectRequest")).hasSize(1 + 3); // deleteFile, then deleteFiles of 3 keys
        assertThat(sent(S3Preset.R2)).allSatisfy(r ->
                assertThat(r.header("Authorization").orElse("")).contains("/auto/s3/aws4_request"));
    }

    @ParameterizedTest
    @EnumSource(names = {"R2", "GENERIC", "MINIO"})
    void uploadsCarryContentMd5AndTheSha256Metadata(S3Preset preset) throws Exception {
        List<Request> puts = of(preset, "PutObjectRequest");
        assertThat(puts).hasSize(1);
        assertThat(puts.get(0).header("Content-MD5")).contains(base64Md5(Files.readAllBytes(small)));
        assertThat(puts.get(0).header("x-amz-meta-sha256")).contains(sha256Hex(Files.readAllBytes(small)));
        assertThat(of(preset, "CreateMultipartUploadRequest")).singleElement()
                .satisfies(r -> assertThat(r.header("x-amz-meta-sha256")).contains(sha256Hex(Files.readAllBytes(large))));
        assertThat(of(preset, "UploadPartRequest")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("Content-MD5")).as(r.toString()).isPresent());
    }

    @ParameterizedTest
    @EnumSource(names = {"R2", "GENERIC", "MINIO"})
    void noRequestCarriesAnAclByDefault(S3Preset preset) throws Exception {
        assertThat(sent(preset)).noneMatch(r -> r.has("x-amz-acl"));
    }

    /** R2 never sends {@code Expect: 100-continue}; the others do, for bodies of 1 MiB or more only (the SDK's threshold). */
    @ParameterizedTest
    @EnumSource(names = {"R2", "GENERIC", "MINIO"})
    void expectContinueOnlyOnLargeBodiesAndNeverOnR2(S3Preset preset) throws Exception {
        List<Request> bodies = sent(preset).stream()
                .filter(r -> r.operation().equals("PutObjectRequest") || r.operation().equals("UploadPartRequest"))
                .collect(Collectors.toList());
        assertThat(bodies).anyMatch(r -> r.contentLength() >= MiB).anyMatch(r -> r.contentLength() < MiB);
        for (Request r : bodies) {
            boolean expected = preset != S3Preset.R2 && r.contentLength() >= MiB;
            assertThat(r.header("Expect")).as(r.toString()).isEqualTo(expected ? Optional.of("100-continue") : Optional.empty());
        }
        if (preset == S3Preset.R2) {
            assertThat(sent(preset)).noneMatch(r -> r.has("Expect"));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"R2", "GENERIC", "MINIO"})
    void multipartPartsButTheLastHaveTheSameLength(S3Preset preset) throws Exception {
        List<Request> parts = of(preset, "UploadPartRequest").stream()
                .sorted(Comparator.comparingInt(WireShapeIT::partNumber)).collect(Collectors.toList());
        assertThat(parts).extracting(WireShapeIT::partNumber).containsExactly(1, 2, 3);
        assertThat(parts).extracting(Request::contentLength).containsExactly(5 * MiB, 5 * MiB, LARGE_BYTES - 10 * MiB);
    }

    @ParameterizedTest
    @EnumSource(names = {"R2", "GENERIC", "MINIO"})
    void theSdkNeverRetries(S3Preset preset) throws Exception {
        assertThat(sent(preset)).isNotEmpty().allSatisfy(r -> assertThat(r.header("amz-sdk-request"))
                .as(r.toString()).hasValueSatisfying(v -> assertThat(v).contains("attempt=1").contains("max=1")));
    }

    /** The AWS preset keeps the SDK's checksums; S3Proxy rejects their trailers, so the upload may fail. */
    @Test
    void theAwsPresetKeepsTheSdksIntegrityChecks() throws Exception {
        String bucket = TestS3.server().createBucket();
        RecordedRequests recorded = new RecordedRequests();
        try (S3Backend s3 = S3Backend.builder(TestS3.config(S3Preset.AWS, bucket).build()).interceptor(recorded).build()) {
            catchThrowable(() -> s3.uploadFile(small, "wire/small.txt").get(20, SECONDS));
        }
        assertThat(recorded.of("PutObjectRequest")).singleElement().satisfies(put -> {
            boolean header = put.has("x-amz-checksum-crc32");
            boolean trailer = put.header("x-amz-trailer").orElse("").startsWith("x-amz-checksum-")
                    && put.header("Content-Encoding").orElse("").contains("aws-chunked");
            assertThat(header || trailer).as(put.toString()).isTrue();
            assertThat(put.header("amz-sdk-request").orElse("")).contains("max=1");
        });
    }

    /** AWS rejects parts with checksums unless the upload named the algorithm when it was created. */
    @Test
    void theAwsPresetNamesTheChecksumOfMultipartUploadsAtCreation() throws Exception {
        String bucket = TestS3.server().createBucket();
        RecordedRequests recorded = new RecordedRequests();
        S3Config config = TestS3.config(S3Preset.AWS, bucket).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).build();
        try (S3Backend s3 = S3Backend.builder(config).interceptor(recorded).build()) {
            catchThrowable(() -> s3.uploadFile(large, "wire/large.bin").get(20, SECONDS)); // S3Proxy refuses the parts
        }
        assertThat(recorded.of("CreateMultipartUploadRequest")).singleElement()
                .satisfies(create -> assertThat(create.header("x-amz-checksum-algorithm")).as(create.toString()).contains("CRC32"));
        assertThat(recorded.of("UploadPartRequest")).isNotEmpty().allSatisfy(part ->
                assertThat(part.header("x-amz-trailer").orElse(part.header("x-amz-sdk-checksum-algorithm").orElse("")))
                        .as(part.toString()).containsIgnoringCase("crc32"));
    }

    @Test
    void aCannedAclIsSentWhereThePresetAllowsIt() throws Exception {
        String bucket = TestS3.server().createBucket();
        RecordedRequests recorded = new RecordedRequests();
        S3Config config = TestS3.config(S3Preset.GENERIC, bucket).acl("public-read").build();
        try (S3Backend s3 = S3Backend.builder(config).interceptor(recorded).build()) {
            catchThrowable(() -> s3.uploadFile(small, "wire/public.txt").get(20, SECONDS)); // only what was sent matters
        }
        assertThat(recorded.of("PutObjectRequest")).singleElement()
                .satisfies(put -> assertThat(put.header("x-amz-acl")).contains("public-read"));
    }

    @Test
    void r2RefusesACannedAclWhenBuilt() {
        Throwable thrown = catchThrowable(() -> TestS3.config(S3Preset.R2, "some-bucket").region("auto").acl("public-read").build());
        assertThat(thrown).isInstanceOf(StorageException.class);
        assertThat(((StorageException) thrown).kind()).isEqualTo(ErrorKind.INVALID_CONFIG);
        assertThat(thrown.getMessage()).contains("acl").contains("R2");
    }

    /**
     * Every request of one run of the preset against the test server: a small upload, a multipart
     * upload, stat, list, delete and a delete of several keys. Run once per preset.
     */
    private List<Request> sent(S3Preset preset) throws Exception {
        List<Request> requests = sent.get(preset);
        if (requests == null) {
            requests = exercise(preset);
            sent.put(preset, requests);
        }
        return requests;
    }

    private List<Request> of(S3Preset preset, String operation) throws Exception {
        return sent(preset).stream().filter(r -> r.operation().equals(operation)).collect(Collectors.toList());
    }

    private static List<Request> exercise(S3Preset preset) throws Exception {
        String bucket = TestS3.server().createBucket();
        S3Config.Builder config = TestS3.config(preset, bucket).multipartThresholdBytes(5 * MiB).partSizeBytes(5 * MiB);
        if (preset == S3Preset.R2) {
            config.region("auto");
        }
        RecordedRequests recorded = new RecordedRequests();
        try (S3Backend s3 = S3Backend.builder(config.build()).interceptor(recorded).build()) {
            s3.uploadFile(small, "wire/small.txt").get(20, SECONDS);
            s3.uploadFile(large, "wire/large.bin").get(20, SECONDS);
            assertThat(s3.stat("wire/small.txt").get(20, SECONDS)).isPresent();
            assertThat(s3.forEach("wire/", info -> { }).get(20, SECONDS)).isEqualTo(2);
            s3.deleteFile("wire/small.txt").get(20, SECONDS);
            DeleteResult deleted = s3.deleteFiles(List.of("wire/large.bin", "wire/absent-1", "wire/absent-2")).get(20, SECONDS);
            assertThat(deleted.failed()).isEmpty();
        }
        assertThat(TestS3.server().keys(bucket)).isEmpty();
        return recorded.all();
    }

    private static List<String> names(Request r) {
        return r.headers().keySet().stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toList());
    }

    private static int partNumber(Request r) {
        String query = r.uri().getRawQuery();
        for (String param : query.split("&")) {
            if (param.startsWith("partNumber=")) {
                return Integer.parseInt(param.substring("partNumber=".length()));
            }
        }
        throw new AssertionError("no partNumber in " + r.uri());
    }

    private static String base64Md5(byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private static String sha256Hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
