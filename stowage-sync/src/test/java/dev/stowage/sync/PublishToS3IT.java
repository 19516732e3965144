package dev.stowage.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.stowage.ErrorKind;
import dev.stowage.Keys;
import dev.stowage.Operation;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.s3.S3Backend;
import dev.stowage.s3.S3Config;
import dev.stowage.s3.S3Preset;
import dev.stowage.testkit.CountingLayer;
import dev.stowage.testkit.FaultyProxy;
import dev.stowage.testkit.FaultyProxy.Fault;
import dev.stowage.testkit.S3TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing a folder to a real S3 server: S3Proxy in this JVM on 127.0.0.1, SigV4 on, reached
 * over HTTP by the S3 backend. What the bucket holds is read from the server's store directly,
 * past any S3 client, and compared byte for byte (by SHA-256) with the folder.
 *
 * <p>One tree of 2,000 files with awkward names is published once for the class; the tests on it
 * run in any order, each leaving the bucket a mirror of the folder. The outage and the faulty
 * network have small trees and buckets of their own, behind a {@link FaultyProxy}.
 */
@Timeout(120)
class PublishToS3IT {
    private static final String PREFIX = "site/";
    private static final int FILES = 2_000;
    /** Three attempts a few milliseconds apart: an outage fails each operation in well under a second. */
    private static final RetryPolicy QUICK = new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20), 0.5);

    @TempDir
    static Path dir;
    private static final S3TestServer server = S3TestServer.shared();
    private static final CountingLayer counting = new CountingLayer();
    private static final List<AutoCloseable> closing = new ArrayList<>();
    private static String bucket;
    private static Path root;
    private static CacheManager manager;
    private static PublishReport first;
    private static List<String> firstLog;

    @BeforeAll
    static void publishTheTreeOnce() {
        bucket = server.createBucket();
        root = dir.resolve("odd tree");
        OddTree.write(root, FILES, 2024);
        S3Backend s3 = closeLater(S3Backend.create(config(bucket, server.endpoint()).build()));
        manager = closeLater(CacheManager.builder(root, s3.with(counting)).stateFile(dir.resolve("state/state.db"))
                .retryPolicy(QUICK).concurrency(64).build());
        first = manager.publish().join();
        firstLog = counting.log();
    }

    @AfterAll
    static void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void aTreeOfOddNames_isPublishedByteExactUnderNfcKeys_thenTheManifestLast() throws IOException {
        SortedMap<String, String> folder = OddTree.content(root);
        assertThat(folder).as("the tree on disk").hasSize(FILES);
        assertThat(folder.keySet()).as("keys of names written in NFD").anySatisfy(k -> assertThat(k).contains("Café crème/"))
                .anySatisfy(k -> assertThat(k).contains("한국어/")).anySatisfy(k -> assertThat(k).contains("Ångström/"))
                .anySatisfy(k -> assertThat(k).contains("résumé")).anySatisfy(k -> assertThat(k).contains("naïve"));
        assertThat(first.complete()).as(first.summary()).isTrue();
        assertThat(first.uploaded()).isEqualTo(FILES);
        assertThat(first.failedCount()).isZero();
        assertThat(first.manifestUploaded()).isTrue();
        assertThat(firstLog).as("a listing of one page checks the new target, one upload per file, then the manifest")
                .hasSize(FILES + 2);
        assertThat(firstLog.get(0)).isEqualTo("LIST ");
        assertThat(firstLog.get(FILES + 1)).isEqualTo("UPLOAD manifest.json");

        assertBucketMirrors(bucket, root);
        assertManifestLists(bucket, server.endpoint(), folder);
    }

    @Test
    void republishingTheUnchangedTree_sendsNoRequest_andReadsNoFile() {
        counting.reset();

        PublishReport again = manager.publish().join();

        assertThat(counting.requests()).as("requests: %s", counting.log()).isZero();
        assertThat(again.scan().hashedBytes()).isZero();
        assertThat(again.scan().hashedFiles()).isZero();
        assertThat(again.nothingToDo()).isTrue();
        assertThat(again.complete()).isTrue();
    }

    @Test
    void changesToTheTree_sendExactlyTheirUploadsThenTheManifestThenOneBatchDelete() throws IOException {
        SortedMap<String, Path> before = OddTree.files(root);
        List<String> keys = new ArrayList<>(before.keySet());
        TreeSet<String> uploads = new TreeSet<>();
        TreeSet<String> deletes = new TreeSet<>();
        for (int i = 0; i < 5; i++) {
            String key = keys.get(100 + 37 * i);
            OddTree.writeAged(before.get(key), ("modified " + i).getBytes(StandardCharsets.UTF_8));
            uploads.add(key);
        }
        for (int i = 0; i < 4; i++) {
            String key = keys.get(1000 + 41 * i);
            Files.delete(before.get(key));
            deletes.add(key);
        }
        for (String added : List.of("new/a #1.txt", "new/ +plus+ %2B.txt", "new/empty", "新しい/😀 new.txt")) {
            OddTree.writeAged(root, added, added.equals("new/empty") ? new byte[0] : added.getBytes(StandardCharsets.UTF_8));
            uploads.add(added);
        }
        // A rename is a delete of the old key and an upload of the new one.
        String renamed = keys.get(1500);
        Files.move(before.get(renamed), root.resolve("renamed #1.bin"));
        deletes.add(renamed);
        uploads.add("renamed #1.bin");
        counting.reset();

        PublishReport report = manager.publish().join();

        assertThat(report.complete()).as(report.summary()).isTrue();
        assertThat(report.uploaded()).isEqualTo(uploads.size());
        assertThat(report.deleted()).isEqualTo(deletes.size());
        assertThat(report.scan().hashedFiles()).as("only what changed is read").isEqualTo(uploads.size());
        List<String> log = counting.log();
        assertThat(log).hasSize(uploads.size() + 2);
        assertThat(log.subList(0, uploads.size())).as("the uploads, in any order")
                .containsExactlyInAnyOrderElementsOf(uploads.stream().map(k -> "UPLOAD " + k).toList());
        assertThat(log.subList(uploads.size(), log.size()))
                .containsExactly("UPLOAD manifest.json", "DELETE_BATCH " + deletes.size());
        assertBucketMirrors(bucket, root);
        SortedMap<String, String> after = OddTree.content(root);
        assertThat(after.keySet()).containsAll(uploads).doesNotContainAnyElementsOf(deletes);
        assertManifestLists(bucket, server.endpoint(), after);

        counting.reset();
        assertThat(manager.publish().join().nothingToDo()).isTrue();
        assertThat(counting.requests()).isZero();
    }

    /**
     * Every request refused while the network is down: the run ends, not complete, with each change
     * pending with its attempts and error, the state still naming what S3 holds, and the manifest on
     * S3 the one before; once the network is back, the next run converges to exactly the folder.
     */
    @Test
    void anOutage_leavesChangesPendingAndTheStateTrue_thenTheNextRunConverges() throws Exception {
        String outageBucket = server.createBucket();
        Path tree = dir.resolve("outage tree");
        OddTree.write(tree, 60, 7);
        CountingLayer attempts = new CountingLayer();
        try (FaultyProxy proxy = FaultyProxy.builder("127.0.0.1", server.endpoint().getPort())
                .faults(EnumSet.of(Fault.RESET_BEFORE_FORWARDING)).faultShare(1).start();
             // Default timeouts: the outage refuses at once, and short ones could fail a slow request on a busy machine.
             S3Backend s3 = S3Backend.create(config(outageBucket, proxy.endpoint()).build());
             CacheManager outage = CacheManager.builder(tree, s3.with(attempts)).stateFile(dir.resolve("outage/state.db"))
                     .retryPolicy(QUICK).build()) {
            proxy.passThrough(true);
            assertThat(outage.publish().join().complete()).isTrue();
            byte[] manifestBefore = server.read(outageBucket, PREFIX + "manifest.json").orElseThrow();
            SortedMap<String, String> held = bucketContent(outageBucket);
            SortedMap<String, Path> files = OddTree.files(tree);
            List<String> keys = new ArrayList<>(files.keySet());
            String modified = keys.get(3);
            String gone = keys.get(5);
            String published = outage.state().published(modified).orElseThrow().sha256();
            OddTree.writeAged(files.get(modified), "v2".getBytes(StandardCharsets.UTF_8));
            OddTree.writeAged(tree, "added #1.txt", "added".getBytes(StandardCharsets.UTF_8));
            Files.delete(files.get(gone));
            attempts.reset();

            proxy.passThrough(false);
            PublishReport down = outage.publish().join();

            assertThat(down.complete()).isFalse();
            assertThat(down.uploaded()).isZero();
            assertThat(down.manifestUploaded()).isFalse();
            assertThat(down.failedCount()).as("two uploads and the manifest").isEqualTo(3);
            assertThat(down.failed()).extracting(FailedOperation::key)
                    .containsExactlyInAnyOrder(modified, "added #1.txt", "manifest.json");
            assertThat(down.failed()).allSatisfy(f -> assertThat(f.kind()).as(f.message()).isEqualTo(ErrorKind.UNAVAILABLE));
            assertThat(down.deletesHeldBack()).isEqualTo(1);
            assertThat(attempts.count(Operation.UPLOAD)).as("three attempts each: %s", attempts.log()).isEqualTo(9);
            assertThat(attempts.deleteBatches()).as("no delete while the manifest is not up").isZero();
            assertThat(outage.state().pending()).extracting(PendingOperation::key, PendingOperation::operation)
                    .containsExactlyInAnyOrder(tuple("added #1.txt", Operation.UPLOAD), tuple(modified, Operation.UPLOAD));
            assertThat(outage.state().pending()).allSatisfy(p -> {
                assertThat(p.attempts()).isEqualTo(1);
                assertThat(p.lastError()).contains("UNAVAILABLE", "UPLOAD");
            });
            assertThat(outage.state().published(modified).orElseThrow().sha256()).as("the state names what S3 holds")
                    .isEqualTo(published).isEqualTo(held.get(PREFIX + modified));
            assertThat(outage.state().published("added #1.txt")).isEmpty();
            assertThat(outage.state().published(gone)).as("not deleted, so still published").isPresent();
            assertThat(bucketContent(outageBucket)).as("S3 is as before the outage").isEqualTo(held);
            assertThat(server.read(outageBucket, PREFIX + "manifest.json")).hasValue(manifestBefore);
            // The manifest written for the run (that failed to go up) names what S3 holds, with the
            // content S3 holds, less the file about to be deleted.
            List<ManifestEntry> written = Manifest.read(outage.manifestFile()).files();
            assertThat(written).extracting(ManifestEntry::key).containsExactlyElementsOf(
                    keys.stream().filter(k -> !k.equals(gone)).toList());
            assertThat(written).filteredOn(e -> e.key().equals(modified)).singleElement()
                    .satisfies(e -> assertThat(e.sha256()).isEqualTo(published));

            PublishReport stillDown = outage.publish().join();
            assertThat(stillDown.complete()).isFalse();
            assertThat(outage.state().pending()).allSatisfy(p -> assertThat(p.attempts()).isEqualTo(2));

            proxy.passThrough(true);
            attempts.reset();
            PublishReport back = outage.publish().join();

            assertThat(back.complete()).as(back.summary()).isTrue();
            assertThat(back.uploaded()).isEqualTo(2);
            assertThat(back.deleted()).isEqualTo(1);
            List<String> log = attempts.log();
            assertThat(log).hasSize(4);
            assertThat(log.subList(0, 2)).containsExactlyInAnyOrder("UPLOAD added #1.txt", "UPLOAD " + modified);
            assertThat(log.subList(2, 4)).containsExactly("UPLOAD manifest.json", "DELETE_BATCH 1");
            assertThat(outage.state().pending()).isEmpty();
            assertBucketMirrors(outageBucket, tree);
            assertManifestLists(outageBucket, proxy.endpoint(), OddTree.content(tree));
        }
    }

    /**
     * A quarter of the requests reset, stalled, cut or throttled, never one request more than twice
     * in a row, with two attempts per operation: some operations fail a run and stay pending, and
     * publishing again until a run is complete ends with exactly the folder on S3, deletes included.
     */
    @Test
    void throughAFaultyNetwork_publishingUntilComplete_convergesToExactlyTheFolder() throws Exception {
        String faultyBucket = server.createBucket();
        Path tree = dir.resolve("faulty tree");
        OddTree.write(tree, 300, 99);
        RetryPolicy twice = new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(20), 0.5);
        try (FaultyProxy proxy = FaultyProxy.builder("127.0.0.1", server.endpoint().getPort())
                .faultShare(0.25).seed(20_250_101).maxFaultsInARow(2).stallLimit(Duration.ofSeconds(5)).start();
             S3Backend s3 = S3Backend.create(quickTimeouts(config(faultyBucket, proxy.endpoint())).build());
             CacheManager faulty = CacheManager.builder(tree, s3).stateFile(dir.resolve("faulty/state.db"))
                     .retryPolicy(twice).build()) {
            int runs = publishUntilComplete(faulty);

            assertBucketMirrors(faultyBucket, tree);
            assertManifestLists(faultyBucket, proxy.endpoint(), OddTree.content(tree));
            assertThat(proxy.faults()).as("faults injected in %d requests over %d runs: %s", proxy.requests(), runs,
                    proxy.faultLog()).allSatisfy(fault -> assertThat(proxy.injected(fault)).as(fault.toString()).isPositive());

            SortedMap<String, Path> files = OddTree.files(tree);
            List<String> keys = new ArrayList<>(files.keySet());
            for (int i = 0; i < 20; i++) {
                OddTree.writeAged(files.get(keys.get(i * 7)), ("changed " + i).getBytes(StandardCharsets.UTF_8));
                Files.delete(files.get(keys.get(i * 7 + 3)));
                OddTree.writeAged(tree, "added/" + i + " #+%.txt", ("added " + i).getBytes(StandardCharsets.UTF_8));
            }
            publishUntilComplete(faulty);

            assertBucketMirrors(faultyBucket, tree);
            assertManifestLists(faultyBucket, proxy.endpoint(), OddTree.content(tree));
            assertThat(faulty.state().pending()).isEmpty();
        }
    }

    /** Publishes until a run is complete, five runs at most; returns the runs it took. */
    private static int publishUntilComplete(CacheManager manager) {
        List<String> summaries = new ArrayList<>();
        for (int run = 1; run <= 5; run++) {
            PublishReport report = manager.publish().join();
            summaries.add(report.summary() + " " + report.failed());
            if (report.complete()) {
                return run;
            }
        }
        throw new AssertionError("not complete after 5 runs: " + summaries + "; pending " + manager.state().pending());
    }

    /** The bucket holds exactly the folder's files under the prefix, byte for byte, and the manifest: nothing else. */
    private static void assertBucketMirrors(String bucket, Path folder) {
        SortedMap<String, String> expected = new TreeMap<>(Keys.ORDER);
        OddTree.content(folder).forEach((key, sha256) -> expected.put(PREFIX + key, sha256));
        SortedMap<String, String> held = bucketContent(bucket);
        assertThat(held.keySet()).as("keys in %s", bucket).contains(PREFIX + "manifest.json");
        held.remove(PREFIX + "manifest.json");
        assertThat(held.keySet()).as("keys in %s besides the manifest", bucket).containsExactlyElementsOf(expected.keySet());
        assertThat(held).as("content of %s", bucket).isEqualTo(expected);
    }

    /** Every object in a bucket as key to SHA-256, read from the server's store. */
    private static SortedMap<String, String> bucketContent(String bucket) {
        SortedMap<String, String> held = new TreeMap<>(Keys.ORDER);
        for (String key : server.keys(bucket)) {
            held.put(key, OddTree.sha256(server.read(bucket, key).orElseThrow(() -> new AssertionError("listed, not read: " + key))));
        }
        return held;
    }

    /**
     * The manifest on S3 lists exactly these files, in key order, with their size, SHA-256 and a
     * URL whose decoded path names exactly the object: the bucket, the prefix and the key.
     */
    private static void assertManifestLists(String bucket, URI endpoint, SortedMap<String, String> files) throws IOException {
        byte[] uploaded = server.read(bucket, PREFIX + "manifest.json").orElseThrow(() -> new AssertionError("no manifest"));
        Manifest manifest = Manifest.read(new ByteArrayInputStream(uploaded));
        assertThat(manifest.files()).extracting(ManifestEntry::key).containsExactlyElementsOf(files.keySet());
        for (ManifestEntry entry : manifest.files()) {
            assertThat(entry.sha256()).as(entry.key()).isEqualTo(files.get(entry.key()));
            assertThat(entry.size()).as(entry.key()).isEqualTo(server.read(bucket, PREFIX + entry.key()).orElseThrow().length);
            assertThat(entry.pending()).isFalse();
            URI url = entry.url();
            assertThat(url.getRawQuery()).as("a '?' in %s is encoded", entry.key()).isNull();
            assertThat(url.getRawFragment()).as("a '#' in %s is encoded", entry.key()).isNull();
            assertThat(url.toASCIIString()).as(entry.key()).isEqualTo(url.toString())
                    .startsWith(endpoint + "/" + bucket + "/" + PREFIX);
            assertThat(url.getPath()).as("the decoded path of %s", url).isEqualTo("/" + bucket + "/" + PREFIX + entry.key());
        }
    }

    /**
     * A bucket that does not exist (a typo in a setting) fails the run as a whole, with S3's own
     * answer, and leaves the state to the bucket it was of: back there, nothing is uploaded again
     * and a file removed meanwhile is deleted.
     */
    @Test
    void aBucketThatDoesNotExist_failsTheRun_andLeavesTheStateToTheRightBucket() throws IOException {
        String right = server.createBucket();
        Path tree = dir.resolve("typo tree");
        OddTree.write(tree, 12, 11);
        Path state = dir.resolve("typo/state.db");
        String gone;
        try (S3Backend s3 = S3Backend.create(config(right, server.endpoint()).build());
             CacheManager first = CacheManager.builder(tree, s3).stateFile(state).retryPolicy(QUICK).build()) {
            assertThat(first.publish().join().complete()).isTrue();
            gone = OddTree.files(tree).firstKey();
        }
        String missing = "no-such-" + right;
        CountingLayer sent = new CountingLayer();
        try (S3Backend typo = S3Backend.create(config(missing, server.endpoint()).build());
             CacheManager wrong = CacheManager.builder(tree, typo.with(sent)).stateFile(state).retryPolicy(QUICK).build()) {
            assertThatThrownBy(() -> wrong.publish().join()).hasMessageContaining("INVALID_CONFIG")
                    .hasMessageContaining("NoSuchBucket");
            assertThat(sent.log()).as("one listing, no upload").containsExactly("LIST ");
        }
        Files.delete(OddTree.files(tree).get(gone));

        try (S3Backend s3 = S3Backend.create(config(right, server.endpoint()).build());
             CacheManager back = CacheManager.builder(tree, s3).stateFile(state).retryPolicy(QUICK).build()) {
            PublishReport report = back.publish().join();

            assertThat(report.uploaded()).as(report.summary()).isZero();
            assertThat(report.deleted()).isEqualTo(1);
            assertBucketMirrors(right, tree);
        }
    }

    private static S3Config.Builder config(String bucket, URI endpoint) {
        return S3Config.builder(S3Preset.GENERIC)
                .endpointUrl(endpoint.toString())
                .region(S3TestServer.REGION)
                .pathStyle(true)
                .bucketName(bucket)
                .bucketPrefix(PREFIX)
                .credentials(server.accessKeyId(), server.secretAccessKey());
    }

    /**
     * Timeouts short enough that a stalled request ends in a second. A request that is merely slow
     * may fail too, on a busy machine: only a test that publishes until complete can use them.
     */
    private static S3Config.Builder quickTimeouts(S3Config.Builder config) {
        return config.connectTimeout(Duration.ofSeconds(1)).socketTimeout(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(3)).callTimeout(Duration.ofSeconds(5));
    }

    private static <T extends AutoCloseable> T closeLater(T resource) {
        closing.add(resource);
        return resource;
    }
}
