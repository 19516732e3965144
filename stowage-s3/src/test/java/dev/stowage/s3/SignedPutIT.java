package dev.stowage.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Small files and parts sent by {@link SignedPut}, signed by Stowage rather than the SDK: the S3
 * server (with SigV4 on) stores them as it stores the SDK's uploads, refuses bytes that are not the
 * ones signed, an error answer reads as the SDK's, and the request on the wire is Stowage's own.
 */
class SignedPutIT {
    @TempDir
    static Path dir;
    static Path file;
    static String bucket;
    static S3AsyncClient raw;

    @BeforeAll
    static void start() throws Exception {
        file = Files.writeString(dir.resolve("page.html"), "<p>small, signed here</p>\n");
        bucket = TestS3.server().createBucket();
        S3Config config = TestS3.config(S3Preset.GENERIC, bucket).build();
        raw = S3Clients.client(config, S3Clients.credentials(config), List.of());
    }

    @AfterAll
    static void stop() {
        raw.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain.html", "a folder/with spaces.html", "ünï/cødé.html", "odd/+%41~(x)=&,;@$!'*.html",
            "deep/a/b/c/d/e.html"})
    void aSmallFileIsStoredAsTheSdkStoresIt(String key) throws Exception {
        // S3Proxy refuses the signature of a charset in lower case (it reads the header upper-cased), and
        // stores the type as Jetty writes it: the stored type is compared with the SDK's upload's alone.
        UploadOptions options = UploadOptions.builder().contentType("text/html; charset=UTF-8")
                .cacheControl("public, max-age=60").metadata("origin", "stowage test").build();
        try (S3Backend direct = S3Backend.create(TestS3.config(S3Preset.GENERIC, bucket).build());
             S3Backend viaSdk = S3Backend.builder(TestS3.config(S3Preset.GENERIC, bucket).build())
                     .interceptor(new RecordedRequests()).build()) {
            direct.uploadFile(file, "direct/" + key, options).get(30, SECONDS);
            viaSdk.uploadFile(file, "sdk/" + key, options).get(30, SECONDS);
        }
        HeadObjectResponse mine = head("direct/" + key);
        HeadObjectResponse sdks = head("sdk/" + key);
        assertThat(mine.eTag()).isEqualTo(sdks.eTag()).isEqualTo("\"" + hex("MD5", Files.readAllBytes(file)) + "\"");
        assertThat(mine.contentType()).isEqualTo(sdks.contentType()).startsWith("text/html");
        assertThat(mine.cacheControl()).isEqualTo(sdks.cacheControl()).isEqualTo("public, max-age=60");
        assertThat(mine.metadata()).isEqualTo(sdks.metadata())
                .isEqualTo(Map.of("origin", "stowage test", "sha256", hex("SHA-256", Files.readAllBytes(file))));
        assertThat(raw.getObject(r -> r.bucket(bucket).key("direct/" + key), AsyncResponseTransformer.toBytes())
                .get(30, SECONDS).asByteArray()).isEqualTo(Files.readAllBytes(file));
    }

    /** With the MinIO preset, whose stores check a signed body's SHA-256, parts are signed here and carry no MD5. */
    @Test
    void aFileInPartsIsStoredAsTheSdkStoresIt() throws Exception {
        byte[] bytes = new byte[(12 << 20) + 12345];
        new Random(7).nextBytes(bytes);
        Path big = Files.write(dir.resolve("big.bin"), bytes);
        S3Config config = TestS3.config(S3Preset.MINIO, bucket).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).build();
        try (S3Backend direct = S3Backend.create(config);
             S3Backend viaSdk = S3Backend.builder(config).interceptor(new RecordedRequests()).build()) {
            direct.uploadFile(big, "direct/big.bin").get(60, SECONDS);
            viaSdk.uploadFile(big, "sdk/big.bin").get(60, SECONDS);
        }
        HeadObjectResponse mine = head("direct/big.bin");
        assertThat(mine.eTag()).isEqualTo(head("sdk/big.bin").eTag()).endsWith("-3\"");
        assertThat(mine.metadata()).containsEntry("sha256", hex("SHA-256", bytes));
        assertThat(raw.getObject(r -> r.bucket(bucket).key("direct/big.bin"), AsyncResponseTransformer.toBytes())
                .get(60, SECONDS).asByteArray()).isEqualTo(bytes);
    }

    /**
     * With the MinIO preset, a file over the bytes kept of a small file and under the multipart
     * threshold, whose SHA-256 the caller gives, is streamed with that SHA-256 signed, not hashed first.
     */
    @Test
    void aFileOfTheCallersSha256IsStreamedWithItSigned() throws Exception {
        byte[] bytes = new byte[(3 << 20) + 7];
        new Random(11).nextBytes(bytes);
        Path mid = Files.write(dir.resolve("mid.bin"), bytes);
        try (S3Backend s3 = S3Backend.create(TestS3.config(S3Preset.MINIO, bucket).build())) {
            s3.uploadFile(mid, "streamed/mid.bin", UploadOptions.builder().sha256(hex("SHA-256", bytes)).build()).get(30, SECONDS);
        }
        HeadObjectResponse stored = head("streamed/mid.bin");
        assertThat(stored.eTag()).isEqualTo("\"" + hex("MD5", bytes) + "\"");
        assertThat(stored.metadata()).containsEntry("sha256", hex("SHA-256", bytes));
        assertThat(raw.getObject(r -> r.bucket(bucket).key("streamed/mid.bin"), AsyncResponseTransformer.toBytes())
                .get(30, SECONDS).asByteArray()).isEqualTo(bytes);
    }

    @Test
    void aStreamedFileThatIsNotTheCallersSha256IsRefusedForGood_andNothingIsStored() throws Exception {
        byte[] bytes = new byte[(2 << 20) + 3];
        new Random(13).nextBytes(bytes);
        Path mid = Files.write(dir.resolve("other.bin"), bytes);
        String claimed = hex("SHA-256", "not these bytes".getBytes(UTF_8));
        Throwable e;
        try (S3Backend s3 = S3Backend.create(TestS3.config(S3Preset.MINIO, bucket).build())) {
            e = catchThrowable(() -> s3.uploadFile(mid, "streamed/other.bin", UploadOptions.builder().sha256(claimed).build())
                    .get(30, SECONDS));
        }
        assertThat(e).isInstanceOf(ExecutionException.class).cause().isInstanceOf(StorageException.class);
        StorageException refused = (StorageException) e.getCause();
        assertThat(refused.kind()).isEqualTo(ErrorKind.INTEGRITY);
        assertThat(refused.isRetryable()).isFalse();
        assertThat(refused.getMessage()).contains("the file's bytes are not those of the SHA-256 " + claimed + " the caller gave");
        assertThat(catchThrowable(() -> head("streamed/other.bin"))).hasRootCauseInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void aPartWhoseBytesAreNotTheOnesSignedIsRefused() throws Exception {
        S3Config config = TestS3.config(S3Preset.GENERIC, bucket).build();
        String uploadId = raw.createMultipartUpload(r -> r.bucket(bucket).key("refused-part")).get(30, SECONDS).uploadId();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (SdkAsyncHttpClient http = AwsCrtAsyncHttpClient.create()) {
            SignedPut put = SignedPut.of(config, false, S3Clients.credentials(config), () -> http, timer).orElseThrow();
            byte[] part = "the bytes sent".getBytes(UTF_8);
            String signedFor = hex("SHA-256", "other bytes".getBytes(UTF_8));

            Throwable refused = catchThrowable(() -> put.sendPart("refused-part", uploadId, 1, ByteBuffer.wrap(part), signedFor)
                    .get(30, SECONDS));
            String eTag = put.sendPart("refused-part", uploadId, 2, ByteBuffer.wrap(part), hex("SHA-256", part)).get(30, SECONDS);

            assertThat(refused).isInstanceOf(ExecutionException.class).cause().isInstanceOf(S3Exception.class);
            assertThat(((S3Exception) refused.getCause()).awsErrorDetails().errorCode()).isIn("XAmzContentSHA256Mismatch", "BadDigest");
            assertThat(eTag).isEqualTo("\"" + hex("MD5", part) + "\"");
        } finally {
            timer.shutdownNow();
            raw.abortMultipartUpload(r -> r.bucket(bucket).key("refused-part").uploadId(uploadId)).get(30, SECONDS);
        }
    }

    /** On the wire: to MinIO, parts and a streamed file carry their SHA-256, signed, and no MD5; to a generic store, parts keep it. */
    @ParameterizedTest
    @ValueSource(strings = {"MINIO", "GENERIC"})
    void partsAndStreamedFilesCarryTheirSignedSha256InPlaceOfAnMd5OnlyToMinio(String preset) throws Exception {
        byte[] bytes = new byte[(10 << 20) + 1];
        new Random(17).nextBytes(bytes);
        Path big = Files.write(dir.resolve("wire-" + preset + ".bin"), bytes);
        byte[] mid = Arrays.copyOf(bytes, 3 << 20);
        Path streamed = Files.write(dir.resolve("wire-mid-" + preset + ".bin"), mid);
        List<Map.Entry<Map<String, List<String>>, String>> puts = new CopyOnWriteArrayList<>(); // headers, body's SHA-256
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String query = String.valueOf(exchange.getRequestURI().getRawQuery());
            String answer = "";
            if (exchange.getRequestMethod().equals("PUT")) {
                puts.add(Map.entry(Map.copyOf(exchange.getRequestHeaders()), sha256(body)));
                exchange.getResponseHeaders().add("ETag", "\"etag\"");
            } else if (query.equals("uploads")) {
                answer = "<InitiateMultipartUploadResult><Bucket>fake-bucket</Bucket><Key>big.bin</Key>"
                        + "<UploadId>upload-1</UploadId></InitiateMultipartUploadResult>";
            } else {
                answer = "<CompleteMultipartUploadResult><Bucket>fake-bucket</Bucket><Key>big.bin</Key>"
                        + "<ETag>\"etag-3\"</ETag></CompleteMultipartUploadResult>";
            }
            byte[] out = answer.getBytes(UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, out.length == 0 ? -1 : out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        try {
            S3Config config = S3Config.builder(S3Preset.valueOf(preset)).endpointUrl("http://127.0.0.1:" + server.getAddress().getPort())
                    .bucketName("fake-bucket").credentials("AKIDFAKE0000", "fake-secret-key")
                    .multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).build();
            try (S3Backend s3 = S3Backend.create(config)) {
                s3.uploadFile(big, "big.bin").get(30, SECONDS);
                s3.uploadFile(streamed, "mid.bin", UploadOptions.builder().sha256(sha256(mid)).build()).get(30, SECONDS);
            }
        } finally {
            server.stop(0);
        }
        assertThat(puts).as("three parts and one PUT").hasSize(4);
        for (Map.Entry<Map<String, List<String>>, String> put : puts) {
            if (preset.equals("MINIO")) {
                assertThat(put.getKey().get("X-amz-content-sha256")).containsExactly(put.getValue());
                assertThat(put.getKey()).doesNotContainKey("Content-md5");
            } else {
                assertThat(put.getKey()).containsKey("Content-md5");
            }
        }
    }

    @Test
    void anErrorAnswerReadsAsTheSdksError() throws Exception {
        S3Config.Builder wrongSecret = TestS3.config(S3Preset.GENERIC, bucket).credentials(TestS3.server().accessKeyId(),
                "not-the-secret");
        StorageException mine;
        StorageException sdks;
        try (S3Backend direct = S3Backend.create(wrongSecret.build());
             S3Backend viaSdk = S3Backend.builder(wrongSecret.build()).interceptor(new RecordedRequests()).build()) {
            mine = failure(direct, "refused.html");
            sdks = failure(viaSdk, "refused.html");
        }
        assertThat(mine.kind()).isEqualTo(sdks.kind());
        assertThat(mine.isRetryable()).isEqualTo(sdks.isRetryable());
        assertThat(withoutRequestId(mine.getMessage())).isEqualTo(withoutRequestId(sdks.getMessage()))
                .contains("SignatureDoesNotMatch").doesNotContain("not-the-secret");
    }

    @Test
    void theRequestIsStowagesOwnUnlessInterceptorsWatchTheSdk() throws Exception {
        List<Map<String, List<String>>> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            seen.add(Map.copyOf(exchange.getRequestHeaders()));
            exchange.getResponseHeaders().add("ETag", "\"etag\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            S3Config config = S3Config.builder(S3Preset.GENERIC).endpointUrl("http://127.0.0.1:" + server.getAddress().getPort())
                    .bucketName("fake-bucket").credentials("AKIDFAKE0000", "fake-secret-key").build();
            try (S3Backend direct = S3Backend.create(config);
                 S3Backend viaSdk = S3Backend.builder(config).interceptor(new RecordedRequests()).build()) {
                direct.uploadFile(file, "page.html").get(30, SECONDS);
                viaSdk.uploadFile(file, "page.html").get(30, SECONDS);
            }
        } finally {
            server.stop(0);
        }
        assertThat(seen).hasSize(2);
        Map<String, List<String>> mine = seen.get(0);
        assertThat(mine).doesNotContainKey("Amz-sdk-invocation-id");
        assertThat(seen.get(1)).containsKey("Amz-sdk-invocation-id");
        assertThat(mine.get("X-amz-content-sha256")).containsExactly(hex("SHA-256", Files.readAllBytes(file)));
        assertThat(mine.get("X-amz-meta-sha256")).containsExactly(hex("SHA-256", Files.readAllBytes(file)));
        assertThat(mine.get("Content-md5")).isEqualTo(seen.get(1).get("Content-md5"));
        assertThat(mine.get("Content-type")).isEqualTo(seen.get(1).get("Content-type"));
        assertThat(mine.get("Authorization")).singleElement().asString()
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDFAKE0000/")
                .contains("/us-east-1/s3/aws4_request, SignedHeaders=content-length;content-md5;content-type;host;"
                        + "x-amz-content-sha256;x-amz-date;x-amz-meta-sha256, Signature=")
                .doesNotContain("fake-secret-key");
    }

    private static StorageException failure(S3Backend s3, String key) throws Exception {
        Throwable e = catchThrowable(() -> s3.uploadFile(file, key).get(30, SECONDS));
        assertThat(e).isInstanceOf(ExecutionException.class).cause().isInstanceOf(StorageException.class);
        return (StorageException) e.getCause();
    }

    private static String withoutRequestId(String message) {
        return message.replaceAll("\\[request id [^]]*]", "[request id]");
    }

    private static HeadObjectResponse head(String key) throws Exception {
        return raw.headObject(r -> r.bucket(bucket).key(key)).get(30, SECONDS);
    }

    private static String sha256(byte[] bytes) {
        try {
            return hex("SHA-256", bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }
}
