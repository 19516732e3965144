package dev.stowage.s3;

import static java.util.concurrent.TimeUnit.SECONDS;
import static java.util.stream.Collectors.toMap;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import dev.stowage.StorageBackends;
import dev.stowage.StorageException;
import dev.stowage.testkit.FaultyProxy;
import dev.stowage.testkit.FaultyProxy.Fault;
import dev.stowage.testkit.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend opened from a URI survives a faulty network: through a {@link FaultyProxy} that resets,
 * stalls, cuts and throttles a share of the requests, uploads (one of them multipart), stats and
 * deletes all end as asked, which is then checked on the S3 server directly, past the proxy. With
 * retries turned off the same faults fail operations, so it is the retrying that saves them.
 *
 * <p>Backends opened from a URI take credentials from the AWS chain, never from the URI: this class
 * gives the test server's through the chain's system properties while it runs.
 */
class FaultyNetworkIT {
    private static final int SMALL_FILES = 20;
    private static final String LARGE_KEY = "big/large.bin";
    /** Short timeouts, so that a stalled request ends in a second. */
    private static final String TIMEOUTS = "connect_timeout=2s&socket_timeout=1s&request_timeout=5s&call_timeout=10s";
    /**
     * Every fault, {@link Fault#CUT_HEAD} included: the SDK's Netty client takes an answer cut
     * within its head for a whole one, and the backend must see that the answer lacks what it must
     * carry (a length, an ETag, an upload id) and try again.
     */
    private static final Set<Fault> FAULTS = EnumSet.allOf(Fault.class);
    private static final String ACCESS_KEY_PROPERTY = "aws.accessKeyId";
    private static final String SECRET_KEY_PROPERTY = "aws.secretAccessKey";

    @TempDir
    static Path dir;
    static Map<String, Path> files;
    private static String accessKeyBefore;
    private static String secretKeyBefore;

    @BeforeAll
    static void filesAndCredentials() throws Exception {
        files = new LinkedHashMap<>();
        Random random = new Random(11);
        for (int i = 0; i < SMALL_FILES; i++) {
            byte[] bytes = new byte[i == 0 ? 0 : random.nextInt(64 << 10)];
            random.nextBytes(bytes);
            files.put("small/file-" + i + ".bin", Files.write(dir.resolve("file-" + i + ".bin"), bytes));
        }
        // 12 MiB: three parts of 5, 5 and 2 MiB.
        byte[] large = new byte[12 << 20];
        random.nextBytes(large);
        files.put(LARGE_KEY, Files.write(dir.resolve("large.bin"), large));

        accessKeyBefore = System.getProperty(ACCESS_KEY_PROPERTY);
        secretKeyBefore = System.getProperty(SECRET_KEY_PROPERTY);
        System.setProperty(ACCESS_KEY_PROPERTY, server().accessKeyId());
        System.setProperty(SECRET_KEY_PROPERTY, server().secretAccessKey());
    }

    @AfterAll
    static void restoreCredentials() {
        restore(ACCESS_KEY_PROPERTY, accessKeyBefore);
        restore(SECRET_KEY_PROPERTY, secretKeyBefore);
    }

    /**
     * A quarter of the requests faulted, never one request more than twice in a row, which the
     * default three retries outlast. The multipart upload goes first and alone, so the seed alone
     * decides its faults: its CompleteMultipartUpload is reset after the server completed it (the
     * abort then finds nothing, and the upload starts over), and a part of the second try loses its
     * answer.
     */
    @Test
    void uploadsStatsAndDeletes_throughAFaultyNetwork_endByteExactWithNothingLeftBehind() throws Exception {
        String bucket = server().createBucket();
        List<String> deleted = new ArrayList<>();
        Set<String> kept = new TreeSet<>();
        try (FaultyProxy proxy = proxyToServer().faultShare(0.25).seed(20_252_283).maxFaultsInARow(2)
                .start();
             StorageBackend s3 = StorageBackends.open(uri(bucket, proxy) + "&retry_delay=50ms")) {
            awaitAll(Map.of(LARGE_KEY, s3.uploadFile(files.get(LARGE_KEY), LARGE_KEY)));
            assertThat(proxy.faultLog()).as("faults the multipart upload met").isNotEmpty();
            Map<String, CompletableFuture<?>> uploads = new LinkedHashMap<>();
            files.forEach((key, file) -> {
                if (!key.equals(LARGE_KEY)) {
                    uploads.put(key, s3.uploadFile(file, key));
                }
            });
            awaitAll(uploads);

            Map<String, CompletableFuture<Optional<ObjectInfo>>> stats = new LinkedHashMap<>();
            files.keySet().forEach(key -> stats.put(key, s3.stat(key)));
            awaitAll(stats);
            for (Map.Entry<String, Path> file : files.entrySet()) {
                ObjectInfo info = stats.get(file.getKey()).join().orElseThrow(() -> new AssertionError("no object " + file.getKey()));
                assertThat(info.sizeBytes()).as(file.getKey()).isEqualTo(Files.size(file.getValue()));
                assertThat(info.sha256()).as(file.getKey()).contains(sha256(file.getValue()));
            }

            Map<String, CompletableFuture<?>> deletes = new LinkedHashMap<>();
            int i = 0;
            for (String key : files.keySet()) {
                if (!key.equals(LARGE_KEY) && i++ % 2 == 0) {
                    deleted.add(key);
                    deletes.put(key, s3.deleteFile(key));
                } else {
                    kept.add(key);
                }
            }
            awaitAll(deletes);
            Map<String, CompletableFuture<Optional<ObjectInfo>>> gone = new LinkedHashMap<>();
            deleted.forEach(key -> gone.put(key, s3.stat(key)));
            awaitAll(gone);
            gone.forEach((key, stat) -> assertThat(stat.join()).as(key).isEmpty());

            assertThat(proxy.faults()).as("faults injected in %d requests: %s", proxy.requests(), proxy.faultLog())
                    .allSatisfy(fault -> assertThat(proxy.injected(fault)).as(fault.toString()).isPositive());
        }

        // On the server itself, past the proxy and any S3 client.
        for (String key : kept) {
            byte[] content = Files.readAllBytes(files.get(key));
            String sha256 = sha256(files.get(key));
            assertThat(server().read(bucket, key)).as(key).hasValueSatisfying(stored ->
                    assertThat(stored).as(key).hasSameSizeAs(content).isEqualTo(content));
            assertThat(server().userMetadata(bucket, key)).as(key)
                    .hasValueSatisfying(metadata -> assertThat(metadata).containsEntry(S3Backend.SHA256_METADATA, sha256));
        }
        deleted.forEach(key -> assertThat(server().read(bucket, key)).as(key).isEmpty());
        assertThat(server().keys(bucket)).as("everything in the bucket, parts included").containsExactlyElementsOf(kept);
        assertThat(server().multipartUploads(bucket)).as("multipart uploads left").isEmpty();
    }

    /**
     * One request per operation, every fault a failure of a kind worth retrying: SlowDown is
     * RATE_LIMITED, a reset, a stall or a cut answer UNAVAILABLE.
     */
    @Test
    void withRetriesOff_theSameFaultsFailOperationsWithRetryableKinds() throws Exception {
        String bucket = server().createBucket();
        List<String> keys = new ArrayList<>(files.keySet()).subList(0, SMALL_FILES);
        List<String> present = keys.subList(0, SMALL_FILES / 2);
        try (S3Backend direct = S3Backend.create(TestS3.config(S3Preset.MINIO, bucket).build())) {
            awaitAll(present.stream().collect(toMap(key -> key, key -> direct.uploadFile(files.get(key), key))));
        }
        Map<ErrorKind, Integer> failures = new EnumMap<>(ErrorKind.class);
        int operations;
        // Without CUT_HEAD: a DELETE whose empty answer is cut in its head has done its work, and
        // rightly succeeds, so that fault need not fail the operation it hits.
        try (FaultyProxy proxy = proxyToServer().faults(EnumSet.complementOf(EnumSet.of(Fault.CUT_HEAD)))
                .faultShare(0.5).seed(7).start();
             StorageBackend s3 = StorageBackends.open(uri(bucket, proxy) + "&retries=0")) {
            // One request each: an upload, a stat of a key that is there (of one that is not, a
            // HeadBucket follows), a delete whether the key is there or not.
            Map<String, CompletableFuture<?>> calls = new LinkedHashMap<>();
            keys.forEach(key -> calls.put("upload " + key, s3.uploadFile(files.get(key), "uploaded/" + key)));
            present.forEach(key -> calls.put("stat " + key, s3.stat(key)));
            present.forEach(key -> calls.put("delete " + key, s3.deleteFile("absent/" + key)));
            operations = calls.size();
            for (Map.Entry<String, CompletableFuture<?>> call : calls.entrySet()) {
                try {
                    call.getValue().get(30, SECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    assertThat(cause).as(call.getKey()).isInstanceOf(StorageException.class);
                    StorageException failure = (StorageException) cause;
                    assertThat(failure.kind()).as(failure.getMessage()).isIn(ErrorKind.UNAVAILABLE, ErrorKind.RATE_LIMITED);
                    assertThat(failure.kind().isRetryableByDefault()).isTrue();
                    failures.merge(failure.kind(), 1, Integer::sum);
                }
            }

            Map<Fault, Integer> injected = proxy.injected();
            // At most one request per operation: nothing was retried. A request sent on a pooled
            // connection the proxy had just closed fails before the proxy reads it: unavailable too.
            int unreached = operations - proxy.requests();
            assertThat(unreached).as("operations whose request the proxy never read; none retried").isNotNegative();
            assertThat(proxy.faults()).allSatisfy(fault -> assertThat(injected.get(fault)).as(fault.toString()).isPositive());
            int unavailable = injected.values().stream().mapToInt(Integer::intValue).sum() - injected.get(Fault.SLOW_DOWN)
                    + unreached;
            assertThat(failures).as("failures of %d operations; faults injected: %s", operations, injected)
                    .containsOnlyKeys(ErrorKind.UNAVAILABLE, ErrorKind.RATE_LIMITED)
                    .containsEntry(ErrorKind.RATE_LIMITED, injected.get(Fault.SLOW_DOWN))
                    .containsEntry(ErrorKind.UNAVAILABLE, unavailable);
        }
    }

    private static FaultyProxy.Builder proxyToServer() {
        return FaultyProxy.builder("127.0.0.1", server().endpoint().getPort()).faults(FAULTS);
    }

    /** The bucket through the proxy, MinIO preset, parts of 5 MiB, short timeouts. */
    private static String uri(String bucket, FaultyProxy proxy) {
        return "s3://" + bucket + "?endpoint=" + proxy.endpoint() + "&preset=minio&region=" + S3TestServer.REGION
                + "&multipart_threshold=5MiB&part_size=5MiB&" + TIMEOUTS;
    }

    /** Waits for every call, failing on the first that failed, naming it. */
    private static void awaitAll(Map<String, ? extends CompletableFuture<?>> calls) throws Exception {
        for (Map.Entry<String, ? extends CompletableFuture<?>> call : calls.entrySet()) {
            try {
                call.getValue().get(60, SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(call.getKey() + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private static S3TestServer server() {
        return TestS3.server();
    }
}
