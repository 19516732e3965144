package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static dev.stowage.testkit.StorageBackendContract.expectFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** What S3Backend does beyond the contract, against a real S3 server. */
@Timeout(120)
class S3BackendIT {
    private static final int MiB = 1 << 20;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private final S3TestServer server = TestS3.server();

    @Test
    void uploadFile_largeFile_goesMultipartInParallelPartsAndStoresEveryByteWithItsSha256() throws Exception {
        byte[] content = random(17 * MiB + 123, 1); // four parts of 5 MiB, the last one short
        S3Config config = TestS3.freshBucket().multipartThresholdBytes(5 * MiB).partSizeBytes(5 * MiB).partConcurrency(3).build();
        RecordedRequests recorded = new RecordedRequests();
        PartsInFlight inFlight = new PartsInFlight();
        try (S3Backend s3 = S3Backend.builder(config).interceptor(recorded).interceptor(inFlight).build()) {
            await(s3.uploadFile(file("big.bin", content), "big/file.bin"));

            assertThat(recorded.of("CreateMultipartUploadRequest")).hasSize(1);
            assertThat(recorded.of("UploadPartRequest")).hasSize(4);
            assertThat(recorded.of("CompleteMultipartUploadRequest")).hasSize(1);
            assertThat(recorded.of("PutObjectRequest")).isEmpty();
            assertThat(inFlight.most()).as("parts in flight at once").isGreaterThan(1);

            assertThat(server.read(config.bucketName(), "big/file.bin")).hasValueSatisfying(
                    stored -> assertThat(sha256(stored)).isEqualTo(sha256(content)));
            assertThat(server.userMetadata(config.bucketName(), "big/file.bin"))
                    .hasValueSatisfying(m -> assertThat(m).containsEntry("sha256", sha256(content)));
            ObjectInfo info = await(s3.stat("big/file.bin")).orElseThrow();
            assertThat(info.sizeBytes()).isEqualTo(content.length);
            assertThat(info.sha256()).hasValue(sha256(content));
            assertThat(server.multipartUploads(config.bucketName())).as("multipart uploads left open").isEmpty();
        }
    }

    /**
     * Counts the parts in flight, from the start of their call to its end, and keeps the most. The
     * first part's answer is held (at most 10 s) until another part has started, so that parts
     * sent at once are sure to be seen at once, and parts sent one after the other never are.
     */
    private static final class PartsInFlight implements ExecutionInterceptor {
        private final AtomicInteger now = new AtomicInteger();
        private final AtomicInteger most = new AtomicInteger();
        private final AtomicInteger started = new AtomicInteger();
        private final CountDownLatch secondStarted = new CountDownLatch(1);
        private final AtomicBoolean held = new AtomicBoolean();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof UploadPartRequest) {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                if (started.incrementAndGet() == 2) {
                    secondStarted.countDown();
                }
            }
        }

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof UploadPartRequest && held.compareAndSet(false, true)) {
                try {
                    secondStarted.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            ended(context.request());
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            ended(context.request());
        }

        private void ended(Object request) {
            if (request instanceof UploadPartRequest) {
                now.decrementAndGet();
            }
        }

        int most() {
            return most.get();
        }
    }

    @Test
    void uploadFile_bucketPrefix_storesUnderItAndUrlsListingsAndDeletesHonourIt() throws Exception {
        S3Config config = TestS3.freshBucket().bucketPrefix("/site/v1/").publicUrl("https://cdn.example.com/media").build();
        try (S3Backend s3 = S3Backend.create(config)) {
            URI url = await(s3.uploadFile(file("a.txt", utf8("hello")), "a b.txt"));

            assertThat(url).isEqualTo(URI.create("https://cdn.example.com/media/site/v1/a%20b.txt"));
            assertThat(server.keys(config.bucketName())).containsExactly("site/v1/a b.txt");
            assertThat(await(s3.stat("a b.txt"))).map(ObjectInfo::key).hasValue("a b.txt");
            assertThat(listAll(s3, "")).extracting(ObjectInfo::key).containsExactly("a b.txt");
            await(s3.deleteFile("a b.txt"));
            assertThat(server.keys(config.bucketName())).isEmpty();
        }
    }

    @Test
    void uploadFile_prefixPlusKeyLongerThanS3Allows_failsInvalidKeyAndStoresNothing() throws Exception {
        S3Config config = TestS3.freshBucket().bucketPrefix("prefix").build();
        String key = "k".repeat(1020); // a valid key alone; 1027 bytes with "prefix/"
        try (S3Backend s3 = S3Backend.create(config)) {
            StorageException e = expectFailure(s3.uploadFile(file("a.txt", utf8("x")), key), ErrorKind.INVALID_KEY, Operation.UPLOAD, key);
            assertThat(e.getMessage()).contains("bucket_prefix", "1027");
            assertThatThrownBy(() -> s3.getUrl(key)).isInstanceOfSatisfying(StorageException.class,
                    g -> assertThat(g.kind()).isEqualTo(ErrorKind.INVALID_KEY));
            assertThat(server.keys(config.bucketName())).isEmpty();
        }
    }

    @Test
    void uploadFile_options_reachTheServerAndComeBackOnAPlainGet() throws Exception {
        S3Config config = TestS3.freshBucket().build();
        UploadOptions options = UploadOptions.builder().contentType("image/webp").cacheControl("public, max-age=60")
                .metadata("origin", "scanner").build();
        try (S3Backend s3 = S3Backend.create(config)) {
            await(s3.uploadFile(file("x.bin", utf8("pixels")), "img/x", options));

            HttpResponse<byte[]> got = get(await(s3.presignGet("img/x", Duration.ofMinutes(5))));
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo(utf8("pixels"));
            assertThat(got.headers().firstValue("Content-Type")).hasValue("image/webp");
            assertThat(got.headers().firstValue("Cache-Control")).hasValue("public, max-age=60");
            assertThat(got.headers().firstValue("x-amz-meta-origin")).hasValue("scanner");
            assertThat(got.headers().firstValue("x-amz-meta-sha256")).hasValue(sha256(utf8("pixels")));
            assertThat(await(s3.stat("img/x")).orElseThrow().contentType()).hasValue("image/webp");
        }
    }

    @Test
    void uploadFile_noContentType_takesItFromTheKeysOrElseTheFilesExtension() throws Exception {
        S3Config config = TestS3.freshBucket().build();
        try (S3Backend s3 = S3Backend.create(config)) {
            await(s3.uploadFile(file("s", utf8("body{}")), "css/site.CSS"));
            await(s3.uploadFile(Files.write(dir.resolve("photo.png"), utf8("png")), "img/photo"));
            await(s3.uploadFile(file("n", utf8("?")), "raw/none"));
            assertThat(server.contentType(config.bucketName(), "css/site.CSS")).hasValue("text/css; charset=UTF-8");
            assertThat(server.contentType(config.bucketName(), "img/photo")).as("from the file name").hasValue("image/png");
            assertThat(server.contentType(config.bucketName(), "raw/none")).hasValue("application/octet-stream");
        }
    }

    @Test
    void uploadFile_sha256GivenAndRight_isStoredWithoutChange() throws Exception {
        S3Config config = TestS3.freshBucket().build();
        byte[] content = utf8("known content");
        try (S3Backend s3 = S3Backend.create(config)) {
            await(s3.uploadFile(file("k", content), "k.txt", UploadOptions.builder().sha256(sha256(content)).build()));
            assertThat(await(s3.stat("k.txt")).orElseThrow().sha256()).hasValue(sha256(content));
        }
    }

    @Test
    void uploadFile_sha256GivenAndWrong_failsIntegrityNotRetryableAndStoresNothing() throws Exception {
        S3Config config = TestS3.freshBucket().build();
        String wrong = sha256(utf8("other content"));
        try (S3Backend s3 = S3Backend.create(config)) {
            StorageException e = expectFailure(s3.uploadFile(file("k", utf8("content")), "k.txt",
                    UploadOptions.builder().sha256(wrong).build()), ErrorKind.INTEGRITY, Operation.UPLOAD, "k.txt");
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains(wrong);
            assertThat(server.keys(config.bucketName())).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"with space.txt", "a+b c.txt", "100%.txt", "a%20b%2Fc.txt", "#tag/c#.txt",
            "why?/really?x=1.txt", "tom&jerry=1;x.txt", "café/日本 😀.txt", "~user/-_.txt"})
    void uploadFile_oddKey_storedUnderExactlyThatKeyAndItsUrlsNameIt(String key) throws Exception {
        S3Config config = TestS3.freshBucket().build();
        byte[] content = utf8("content of " + key);
        try (S3Backend s3 = S3Backend.create(config)) {
            URI url = await(s3.uploadFile(file("odd", content), key));

            assertThat(server.keys(config.bucketName())).containsExactly(key);
            assertThat(URLDecoder.decode(url.getRawPath().replace("+", "%2B"), StandardCharsets.UTF_8))
                    .isEqualTo("/" + config.bucketName() + "/" + key);
            assertThat(url.getRawQuery()).isNull();
            assertThat(url.getRawFragment()).isNull();
            HttpResponse<byte[]> got = get(await(s3.presignGet(key, Duration.ofMinutes(1))));
            assertThat(got.statusCode()).as("presigned GET of %s", key).isEqualTo(200);
            assertThat(got.body()).isEqualTo(content);
        }
    }

    @Test
    void deleteFiles_moreKeysThanOneBatch_deletesAllAndReportsBadKeysApart() throws Exception {
        S3Config config = TestS3.freshBucket().build();
        try (S3Backend s3 = S3Backend.create(config)) {
            List<String> keys = uploadMany(s3, 1205);
            List<String> asked = new ArrayList<>(keys);
            asked.add("never/uploaded.txt");
            asked.add("../escape.txt");
            asked.add(keys.get(0)); // twice

            DeleteResult result = await(s3.deleteFiles(asked));

            assertThat(result.deleted()).hasSize(1206).contains("never/uploaded.txt").doesNotHaveDuplicates();
            assertThat(result.failed()).containsOnlyKeys("../escape.txt");
            assertThat(result.failed().get("../escape.txt").kind()).isEqualTo(ErrorKind.INVALID_KEY);
            assertThat(result.isComplete()).isFalse();
            assertThat(server.keys(config.bucketName())).isEmpty();
        }
    }

    @Test
    void deleteFiles_batchesOff_deletesKeyByKey() throws Exception {
        S3Config config = TestS3.freshBucket().batchDelete(false).build();
        try (S3Backend s3 = S3Backend.create(config)) {
            List<String> keys = uploadMany(s3, 40);
            DeleteResult result = await(s3.deleteFiles(keys));
            assertThat(result.isComplete()).isTrue();
            assertThat(result.deleted()).containsExactlyElementsOf(keys);
            assertThat(server.keys(config.bucketName())).isEmpty();
        }
    }

    @Test
    void deleteFiles_serverRefusingBatchRequests_fallsBackToSingleDeletes() throws Exception {
        try (S3TestServer strict = S3TestServer.startStrict()) {
            String bucket = strict.createBucket();
            S3Config config = S3Config.builder(S3Preset.GENERIC).endpointUrl(strict.endpoint().toString())
                    .region(S3TestServer.REGION).bucketName(bucket)
                    .credentials(strict.accessKeyId(), strict.secretAccessKey()).build();
            List<String> requests = new CopyOnWriteArrayList<>();
            ExecutionInterceptor recorder = new ExecutionInterceptor() {
                @Override
                public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                    requests.add(context.request().getClass().getSimpleName());
                }
            };
            try (S3Backend s3 = S3Backend.builder(config).interceptor(recorder).build()) {
                List<String> keys = uploadMany(s3, 5);
                requests.clear();
                DeleteResult result = await(s3.deleteFiles(keys));
                assertThat(requests).as("one refused batch, then single deletes").containsExactly("DeleteObjectsRequest",
                        "DeleteObjectRequest", "DeleteObjectRequest", "DeleteObjectRequest", "DeleteObjectRequest", "DeleteObjectRequest");
                assertThat(result.failed()).isEmpty();
                assertThat(result.deleted()).containsExactlyElementsOf(keys);
                assertThat(strict.keys(bucket)).isEmpty();
            }
        }
    }

    @Test
    void list_moreThanOnePage_givesEveryKeyInOrderWithSizes_andFiltersByPrefix() throws Exception {
        S3Config config = TestS3.freshBucket().build();
        try (S3Backend s3 = S3Backend.create(config)) {
            List<String> keys = uploadMany(s3, 1003);

            List<ObjectInfo> all = listAll(s3, "");
            assertThat(all).extracting(ObjectInfo::key).containsExactlyElementsOf(keys.stream().sorted().collect(Collectors.toList()));
            assertThat(all).allSatisfy(o -> assertThat(o.sizeBytes()).isEqualTo(utf8(o.key()).length));
            assertThat(listAll(s3, "k/10")).extracting(ObjectInfo::key)
                    .containsExactly("k/10", "k/100", "k/1000", "k/1001", "k/1002", "k/101", "k/102", "k/103", "k/104",
                            "k/105", "k/106", "k/107", "k/108", "k/109");
            assertThat(await(s3.forEach("k/99", o -> { }))).isEqualTo(11);
        }
    }

    @Test
    void list_folderMarkers_areSkipped() throws Exception {
        S3Config config = TestS3.freshBucket().build();
        try (S3Backend s3 = S3Backend.create(config); S3AsyncClient raw = rawClient()) {
            uploadMany(s3, 2);
            raw.putObject(r -> r.bucket(config.bucketName()).key("k/"), AsyncRequestBody.empty()).join();
            raw.putObject(r -> r.bucket(config.bucketName()).key("empty-folder/"), AsyncRequestBody.empty()).join();

            assertThat(server.keys(config.bucketName())).contains("k/", "empty-folder/");
            assertThat(listAll(s3, "")).extracting(ObjectInfo::key).containsExactly("k/0", "k/1");
        }
    }

    /** An SDK client of the test's own, to store what S3Backend would refuse to. */
    private S3AsyncClient rawClient() {
        return S3AsyncClient.builder()
                .endpointOverride(server.endpoint()).region(Region.of(S3TestServer.REGION)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKeyId(), server.secretAccessKey())))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /**
     * Items are delivered on the backend's executor, here one thread: once a task submitted after
     * the cancel has run there, whatever the listing would still deliver has been delivered.
     */
    @Test
    void list_askedForOneItemThenCancelled_deliversOneAndNoMore() throws Exception {
        S3Config config = TestS3.freshBucket().build();
        ExecutorService oneThread = Executors.newSingleThreadExecutor();
        try (S3Backend s3 = S3Backend.builder(config).executor(oneThread).build()) {
            uploadMany(s3, 3);
            List<String> signals = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> first = new CompletableFuture<>();
            s3.list("").subscribe(new Flow.Subscriber<>() {
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(1);
                }

                @Override
                public void onNext(ObjectInfo item) {
                    signals.add(item.key());
                    subscription.cancel();
                    subscription.request(10); // after a cancel, a no-op
                    first.complete(null);
                }

                @Override
                public void onError(Throwable e) {
                    signals.add("error: " + e);
                    first.complete(null);
                }

                @Override
                public void onComplete() {
                    signals.add("complete");
                    first.complete(null);
                }
            });
            await(first);
            oneThread.submit(() -> { }).get(20, TimeUnit.SECONDS);

            assertThat(signals).containsExactly("k/0");
        } finally {
            oneThread.shutdown();
        }
    }

    @Test
    void list_invalidPrefix_endsWithInvalidKey() throws Exception {
        try (S3Backend s3 = S3Backend.create(TestS3.freshBucket().build())) {
            assertThatThrownBy(() -> await(s3.forEach("a/../b", o -> { })))
                    .hasCauseInstanceOf(StorageException.class)
                    .cause().satisfies(e -> assertThat(((StorageException) e).kind()).isEqualTo(ErrorKind.INVALID_KEY));
        }
    }

    @Test
    void presignGet_expiryOutOfRange_throwsAtOnce() throws Exception {
        try (S3Backend s3 = S3Backend.create(TestS3.freshBucket().build())) {
            assertThatThrownBy(() -> s3.presignGet("a.txt", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expiry");
            assertThatThrownBy(() -> s3.presignGet("a.txt", Duration.ofDays(8))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("7 days");
            URI url = await(s3.presignGet("a.txt", S3Backend.MAX_PRESIGN_EXPIRY));
            assertThat(url.getRawQuery()).contains("X-Amz-Expires=604800").doesNotContain(server.secretAccessKey());
        }
    }

    @Test
    void credentialsFromAProvider_areFirstResolvedOffTheCallersThread() throws Exception {
        S3Config noCredentials = TestS3.withoutCredentials(S3Preset.GENERIC, server.createBucket()).build();
        List<String> threads = new CopyOnWriteArrayList<>();
        AwsCredentialsProvider provider = () -> {
            threads.add(Thread.currentThread().getName());
            return AwsBasicCredentials.create(server.accessKeyId(), server.secretAccessKey());
        };
        try (S3Backend s3 = S3Backend.builder(noCredentials).credentialsProvider(provider).build()) {
            assertThat(await(s3.stat("nothing.txt"))).isEmpty();
            assertThat(threads).isNotEmpty();
            assertThat(threads.get(0)).startsWith("stowage-s3-io");
            await(s3.uploadFile(file("a", utf8("a")), "a.txt"));
            assertThat(await(s3.deleteFiles(List.of("a.txt"))).isComplete()).isTrue();
            assertThat(listAll(s3, "")).isEmpty();
        }
    }

    @Test
    void credentialsNowhere_failInvalidConfigSayingWhereToPutThem() throws Exception {
        Path empty = Files.createFile(dir.resolve("credentials"));
        AwsCredentialsProvider none = ProfileCredentialsProvider.builder()
                .profileFile(ProfileFile.builder().content(empty).type(ProfileFile.Type.CREDENTIALS).build())
                .profileName("stowage-test").build();
        try (S3Backend s3 = S3Backend.builder(TestS3.freshBucket().build()).credentialsProvider(none).build()) {
            StorageException e = expectFailure(s3.stat("a.txt"), ErrorKind.INVALID_CONFIG, Operation.STAT, "a.txt");
            assertThat(e.getMessage()).contains("access_key_id", "AWS_ACCESS_KEY_ID");
        }
    }

    @Test
    void close_thenBatchDeleteListAndPresign_failClosed() throws Exception {
        S3Backend s3 = S3Backend.create(TestS3.freshBucket().build());
        s3.close();
        s3.close();
        expectFailure(s3.deleteFiles(List.of("a")), ErrorKind.CLOSED, Operation.DELETE, null);
        assertThatThrownBy(() -> await(s3.forEach("", o -> { }))).cause()
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CLOSED));
        expectFailure(s3.presignGet("a", Duration.ofMinutes(1)), ErrorKind.CLOSED, Operation.PRESIGN, "a");
    }

    private List<String> uploadMany(S3Backend s3, int count) throws Exception {
        List<String> keys = IntStream.range(0, count).mapToObj(i -> "k/" + i).collect(Collectors.toList());
        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (String key : keys) {
            uploads.add(s3.uploadFile(file(key.replace('/', '-'), utf8(key)), key));
        }
        await(CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)));
        return keys;
    }

    private static List<ObjectInfo> listAll(S3Backend s3, String prefix) throws Exception {
        List<ObjectInfo> all = new CopyOnWriteArrayList<>();
        await(s3.forEach(prefix, all::add));
        return all;
    }

    private static HttpResponse<byte[]> get(URI url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(Files.createTempFile(dir, name, ".src"), content);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
