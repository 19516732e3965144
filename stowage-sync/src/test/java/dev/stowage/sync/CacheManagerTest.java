package dev.stowage.sync;

import static dev.stowage.sync.Trees.age;
import static dev.stowage.sync.Trees.sha256;
import static dev.stowage.sync.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.layer.ForwardingStorageBackend;
import dev.stowage.layer.Layer;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.memory.MemoryBackend;
import dev.stowage.testkit.CountingLayer;
import dev.stowage.testkit.FlakyLayer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheManagerTest {
    static final RetryPolicy QUICK = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5), 0.5);

    @TempDir
    Path root;
    final MemoryBackend memory = MemoryBackend.builder().baseUrl("https://cdn.example.com/site/").build();
    final CountingLayer counting = new CountingLayer();
    final FlakyLayer flaky = new FlakyLayer();
    final StorageBackend backend = memory.with(flaky).with(counting);
    final List<CacheManager> managers = new ArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(CacheManager::close);
        memory.close();
    }

    private CacheManager manager() {
        return manager(b -> {
        });
    }

    private CacheManager manager(Consumer<CacheManager.Builder> settings) {
        CacheManager.Builder builder = CacheManager.builder(root, backend).retryPolicy(QUICK);
        settings.accept(builder);
        CacheManager manager = builder.build();
        managers.add(manager);
        return manager;
    }

    private Map<String, String> held() {
        Map<String, String> objects = new TreeMap<>();
        for (String key : memory.keys()) {
            objects.put(key, new String(memory.content(key).orElseThrow(), StandardCharsets.UTF_8));
        }
        return objects;
    }

    private Manifest manifest() throws IOException {
        Path copy = root.resolve(".stowage/uploaded-manifest.json");
        Files.write(copy, memory.content("manifest.json").orElseThrow());
        return Manifest.read(copy);
    }

    private static Map<String, String> files(String... keysAndContents) {
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < keysAndContents.length; i += 2) {
            map.put(keysAndContents[i], keysAndContents[i + 1]);
        }
        return map;
    }

    private Map<String, String> heldFiles() {
        Map<String, String> objects = held();
        objects.remove("manifest.json");
        return objects;
    }

    @Test
    void publish_uploadsEveryFile_thenTheManifestNamingThem() throws IOException {
        write(root, "index.html", "<h1>hi</h1>");
        write(root, "img/a b.png", "png");
        write(root, "empty.txt", "");

        PublishReport report = manager().publish().join();

        assertThat(heldFiles()).isEqualTo(files("empty.txt", "", "img/a b.png", "png", "index.html", "<h1>hi</h1>"));
        assertThat(report.uploaded()).isEqualTo(3);
        assertThat(report.uploadedBytes()).isEqualTo(14);
        assertThat(report.manifestUploaded()).isTrue();
        assertThat(report.complete()).isTrue();
        List<String> log = counting.log();
        assertThat(log.get(log.size() - 1)).as("the manifest goes up after the files it names").isEqualTo("UPLOAD manifest.json");
        Manifest manifest = manifest();
        assertThat(manifest.files()).extracting(ManifestEntry::key).containsExactly("empty.txt", "img/a b.png", "index.html");
        assertThat(manifest.files().get(1).url()).isEqualTo(URI.create("https://cdn.example.com/site/img/a%20b.png"));
        assertThat(manifest.files().get(1).sha256()).isEqualTo(sha256("png"));
        assertThat(Manifest.read(root.resolve(".stowage/manifest.json")).files()).isEqualTo(manifest.files());
    }

    @Test
    void publishingAnUnchangedFolder_sendsNoRequestAtAll_andReadsNoFile() {
        for (int i = 0; i < 200; i++) {
            write(root, "d" + (i % 9) + "/f" + i + ".txt", "content " + i);
        }
        age(root);
        CacheManager manager = manager();
        manager.publish().join();
        counting.reset();

        PublishReport again = manager.publish().join();

        assertThat(counting.requests()).isZero();
        assertThat(counting.log()).isEmpty();
        assertThat(again.nothingToDo()).isTrue();
        assertThat(again.scan().hashedBytes()).isZero();
    }

    @Test
    void publish_afterAReopen_stillSendsNothing() {
        write(root, "a.txt", "a");
        age(root);
        manager().publish().join();
        managers.remove(0).close();
        counting.reset();

        PublishReport again = manager().publish().join();

        assertThat(again.nothingToDo()).isTrue();
        assertThat(counting.requests()).isZero();
    }

    @Test
    void publish_uploadsChanges_thenManifest_thenDeletesRemovedFiles() throws IOException {
        write(root, "keep.txt", "keep");
        write(root, "change.txt", "old");
        write(root, "gone1.txt", "x");
        write(root, "gone2.txt", "y");
        write(root, "more/a.txt", "a");
        write(root, "more/b.txt", "b");
        CacheManager manager = manager();
        manager.publish().join();
        write(root, "change.txt", "new!");
        Files.delete(root.resolve("gone1.txt"));
        Files.delete(root.resolve("gone2.txt"));
        write(root, "added.txt", "added");
        counting.reset();

        PublishReport report = manager.publish().join();

        assertThat(heldFiles()).isEqualTo(files("added.txt", "added", "change.txt", "new!", "keep.txt", "keep",
                "more/a.txt", "a", "more/b.txt", "b"));
        assertThat(report.uploaded()).isEqualTo(2);
        assertThat(report.deleted()).isEqualTo(2);
        assertThat(counting.log()).containsExactly("UPLOAD added.txt", "UPLOAD change.txt", "UPLOAD manifest.json",
                "DELETE_BATCH 2");
        assertThat(manifest().files()).extracting(ManifestEntry::key)
                .containsExactly("added.txt", "change.txt", "keep.txt", "more/a.txt", "more/b.txt");
        assertThat(manager.publish().join().nothingToDo()).isTrue();
    }

    @Test
    void aFailedUpload_staysPending_holdsBackDeletes_andTheNextRunFinishes() throws IOException {
        write(root, "a.txt", "a");
        write(root, "b.txt", "b");
        write(root, "c.txt", "c");
        CacheManager manager = manager();
        manager.publish().join();
        write(root, "b.txt", "b2");
        write(root, "new.txt", "n");
        Files.delete(root.resolve("c.txt"));
        flaky.failKeys(k -> k.equals("new.txt"));

        PublishReport report = manager.publish().join();

        assertThat(report.failed()).singleElement().satisfies(f -> {
            assertThat(f.key()).isEqualTo("new.txt");
            assertThat(f.operation()).isEqualTo(Operation.UPLOAD);
            assertThat(f.kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        });
        assertThat(report.deletesHeldBack()).isEqualTo(1);
        assertThat(report.complete()).isFalse();
        assertThat(heldFiles()).isEqualTo(files("a.txt", "a", "b.txt", "b2", "c.txt", "c"));
        assertThat(manager.state().pending()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("new.txt");
            assertThat(p.attempts()).isEqualTo(1);
            assertThat(p.lastError()).contains("ACCESS_DENIED");
        });
        assertThat(manifest().files()).as("the manifest names what is really published")
                .extracting(ManifestEntry::key).containsExactly("a.txt", "b.txt");
        assertThat(manager.state().published("new.txt")).isEmpty();

        manager.publish().join();
        assertThat(manager.state().pending().get(0).attempts()).isEqualTo(2);

        flaky.reset();
        PublishReport last = manager.publish().join();

        assertThat(last.complete()).isTrue();
        assertThat(heldFiles()).isEqualTo(files("a.txt", "a", "b.txt", "b2", "new.txt", "n"));
        assertThat(manager.state().pending()).isEmpty();
        assertThat(manifest().files()).extracting(ManifestEntry::key).containsExactly("a.txt", "b.txt", "new.txt");
    }

    @Test
    void anOutage_failsTheRunWithEverythingPending_andTheStateTrue_thenTheNextRunConverges() throws IOException {
        for (int i = 0; i < 20; i++) {
            write(root, "f" + i + ".txt", "v1 " + i);
        }
        CacheManager manager = manager();
        manager.publish().join();
        write(root, "f3.txt", "v2");
        write(root, "f4.txt", "v2");
        Files.delete(root.resolve("f5.txt"));
        flaky.down();

        PublishReport report = manager.publish().join();

        assertThat(report.uploaded()).isZero();
        assertThat(report.failedCount()).as("two uploads and the manifest").isEqualTo(3);
        assertThat(report.deletesHeldBack()).isEqualTo(1);
        assertThat(manager.state().pending()).extracting(PendingOperation::key).containsExactly("f3.txt", "f4.txt");
        assertThat(manager.state().published("f3.txt").orElseThrow().sha256()).isEqualTo(sha256("v1 3"));
        assertThat(memory.content("f5.txt")).isPresent();

        flaky.up();
        PublishReport next = manager.publish().join();

        assertThat(next.complete()).isTrue();
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 20; i++) {
            if (i != 5) {
                expected.put("f" + i + ".txt", i == 3 || i == 4 ? "v2" : "v1 " + i);
            }
        }
        assertThat(heldFiles()).isEqualTo(expected);
        assertThat(manifest().files()).extracting(ManifestEntry::key).containsExactlyElementsOf(expected.keySet());
    }

    @Test
    void everyThirdCallFailing_retriesConvergeInOneRun_toExactlyTheFolder() throws IOException {
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 150; i++) {
            String key = "dir" + (i % 4) + "/file " + i + ".txt";
            write(root, key, "content " + i);
            expected.put(key, "content " + i);
        }
        flaky.failEvery(3);

        int runs = publishUntilComplete(manager());

        assertThat(runs).isLessThanOrEqualTo(3);
        assertThat(heldFiles()).isEqualTo(expected);
        assertThat(flaky.failuresInjected()).isPositive();
        assertThat(manifest().files()).hasSize(150);
    }

    @Test
    void answersLostAfterTheWrite_areRetried_andConverge() {
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            write(root, "f" + i, "c" + i);
            expected.put("f" + i, "c" + i);
        }
        flaky.failAfterEvery(2);

        int runs = publishUntilComplete(manager());

        assertThat(runs).isLessThanOrEqualTo(3);
        assertThat(heldFiles()).isEqualTo(expected);
    }

    @Test
    void aRunThatWouldDeleteMostFiles_isRefused_unlessForced() throws IOException {
        for (int i = 0; i < 10; i++) {
            write(root, "f" + i, "c" + i);
        }
        CacheManager manager = manager(b -> b.maxDeleteShare(0.5));
        manager.publish().join();
        for (int i = 0; i < 6; i++) {
            Files.delete(root.resolve("f" + i));
        }
        write(root, "new", "n");
        counting.reset();

        assertThatThrownBy(() -> manager.publish().join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(StorageException.class)
                .hasMessageContaining("CONFLICT")
                .hasMessageContaining("would delete 6 of 10 published files (60%), more than the 50% allowed");
        assertThat(counting.requests()).as("nothing was sent").isZero();
        assertThat(memory.keys()).hasSize(11);

        PublishReport forced = manager.publish(true).join();

        assertThat(forced.deleted()).isEqualTo(6);
        assertThat(heldFiles()).containsOnlyKeys("f6", "f7", "f8", "f9", "new");
    }

    @Test
    void plan_listsEveryChange_asJson_andSendsNothing() throws IOException {
        write(root, "a.txt", "a");
        write(root, "b.txt", "b");
        CacheManager manager = manager();
        manager.publish().join();
        write(root, "b.txt", "b2");
        write(root, "c d.txt", "c");
        Files.delete(root.resolve("a.txt"));
        counting.reset();

        Plan plan = manager.plan().join();

        assertThat(counting.requests()).isZero();
        assertThat(plan.uploads()).extracting(Change::key, Change::added)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("b.txt", false),
                        org.assertj.core.groups.Tuple.tuple("c d.txt", true));
        assertThat(plan.deletes()).containsExactly("a.txt");
        assertThat(plan.refusal()).as("1 of 2 is not more than half").isEmpty();
        assertThat(plan.toJson()).contains("\"key\":\"c d.txt\"", "\"change\":\"added\"", "\"deletes\":[\"a.txt\"]",
                "\"upload_bytes\":3", "\"refusal\":null");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(plan.toJson()).get("uploads").size())
                .isEqualTo(2);
        assertThat(heldFiles()).isEqualTo(files("a.txt", "a", "b.txt", "b"));
    }

    @Test
    void aFileRewrittenDuringItsUpload_isUploadedAgain_withItsNewContent() throws IOException {
        Path file = write(root, "hot.txt", "first");
        write(root, "cold.txt", "cold");
        AtomicLong rewrites = new AtomicLong();
        StorageBackend rewriting = backend.with(onUpload("hot.txt", () -> {
            if (rewrites.getAndIncrement() == 0) {
                write(root, "hot.txt", "second, longer");
            }
        }));
        CacheManager manager = managerOn(rewriting);

        PublishReport report = manager.publish().join();

        assertThat(rewrites.get()).isEqualTo(2);
        assertThat(heldFiles()).isEqualTo(files("cold.txt", "cold", "hot.txt", "second, longer"));
        assertThat(manager.state().published("hot.txt").orElseThrow().sha256()).isEqualTo(sha256("second, longer"));
        assertThat(report.complete()).isTrue();
        assertThat(Files.readString(file)).isEqualTo("second, longer");
    }

    @Test
    void aFileDeletedBetweenScanAndUpload_isNeitherPublishedNorAFailure() throws IOException {
        write(root, "doomed.txt", "x");
        write(root, "fine.txt", "y");
        StorageBackend deleting = backend.with(onUpload("doomed.txt", () -> {
            try {
                Files.deleteIfExists(root.resolve("doomed.txt"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        CacheManager manager = managerOn(deleting);

        PublishReport report = manager.publish().join();

        assertThat(report.failedCount()).isZero();
        assertThat(report.complete()).isTrue();
        assertThat(heldFiles()).isEqualTo(files("fine.txt", "y"));
        assertThat(manifest().files()).extracting(ManifestEntry::key).containsExactly("fine.txt");
    }

    @Test
    void oddNames_arePublishedUnderTheirNfcKeys_withEncodedUrls() throws IOException {
        String nfd = Normalizer.normalize("résumé.txt", Normalizer.Form.NFD);
        write(root, nfd, "r");
        write(root, "a #1 100%.txt", "h");
        write(root, "emoji 😀/x y.txt", "e");
        write(root, "+plus&amp.txt", "p");

        manager().publish().join();

        assertThat(heldFiles()).containsOnlyKeys("résumé.txt", "a #1 100%.txt", "emoji 😀/x y.txt", "+plus&amp.txt");
        Map<String, URI> urls = new TreeMap<>();
        manifest().files().forEach(e -> urls.put(e.key(), e.url()));
        assertThat(urls.get("a #1 100%.txt").toASCIIString()).isEqualTo("https://cdn.example.com/site/a%20%231%20100%25.txt");
        assertThat(urls.get("emoji 😀/x y.txt").toASCIIString()).isEqualTo("https://cdn.example.com/site/emoji%20%F0%9F%98%80/x%20y.txt");
    }

    @Test
    void aSecondManagerOnTheSameState_refusesAtOnce() {
        write(root, "a.txt", "a");
        manager();

        assertThatThrownBy(() -> CacheManager.builder(root, backend).build())
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("CONFLICT")
                .hasMessageContaining("is in use by another Stowage process (pid " + ProcessHandle.current().pid() + ")");
    }

    @Test
    void close_waitsForTheRunInProgress_andRunsAskedForLaterFailClosed() throws Exception {
        write(root, "a.txt", "a");
        java.util.concurrent.CountDownLatch uploading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        CacheManager manager = managerOn(backend.with(onUpload("a.txt", () -> {
            uploading.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })));
        CompletableFuture<PublishReport> first = manager.publish();
        CompletableFuture<PublishReport> queued = manager.publish();
        uploading.await();
        managers.remove(manager);
        Thread closer = new Thread(manager::close);
        closer.start();
        closer.join(200);
        assertThat(closer.isAlive()).as("close waits for the run in progress").isTrue();

        release.countDown();
        closer.join(10_000);

        assertThat(first.join().complete()).isTrue();
        assertThatThrownBy(queued::join).hasCauseInstanceOf(StorageException.class).hasMessageContaining("CLOSED");
        assertThatThrownBy(() -> manager.publish().join()).hasMessageContaining("CLOSED");
        CacheManager.builder(root, backend).build().close();
    }

    @Test
    void aNewTarget_getsEverything() {
        write(root, "a.txt", "a");
        write(root, "b.txt", "b");
        manager().publish().join();
        managers.remove(0).close();
        try (MemoryBackend other = MemoryBackend.builder().baseUrl("https://other.example.com/").build()) {
            CacheManager manager = CacheManager.builder(root, other).retryPolicy(QUICK).build();
            managers.add(manager);

            PublishReport report = manager.publish().join();

            assertThat(report.uploaded()).isEqualTo(2);
            assertThat(other.keys()).containsExactlyInAnyOrder("a.txt", "b.txt", "manifest.json");
        }
    }

    @Test
    void theListenerHearsThePlanEveryUploadAndTheBytes() {
        write(root, "a.txt", "aaaa");
        write(root, "b.txt", "bb");
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicLong bytes = new AtomicLong();
        manager(b -> b.listener(new PublishListener() {
            @Override
            public void planned(long uploads, long uploadBytes, long deletes) {
                events.add("planned " + uploads + " " + uploadBytes + " " + deletes);
            }

            @Override
            public void uploaded(String key, long size) {
                events.add("uploaded " + key + " " + size);
            }

            @Override
            public void bytesSent(String key, long sent) {
                bytes.addAndGet(sent);
            }
        })).publish().join();

        assertThat(events.get(0)).isEqualTo("planned 2 6 0");
        assertThat(events).contains("uploaded a.txt 4", "uploaded b.txt 2");
        assertThat(bytes.get()).isEqualTo(6);
    }

    @Test
    void aFileOfTheFolderAtTheManifestKey_makesTheRunAndTheDryRunRefuse_sendingNothing() {
        write(root, "manifest.json", "{\"mine\":true}");
        write(root, "a.txt", "a");
        CacheManager manager = manager();

        for (CompletableFuture<?> run : List.of(manager.publish(), manager.plan())) {
            assertThatThrownBy(run::join).hasMessageContaining("INVALID_CONFIG")
                    .hasMessageContaining(root.toAbsolutePath().resolve("manifest.json") + " is a file of the folder,"
                            + " and the manifest is published at that key: rename it, or set another manifest key");
        }
        assertThat(counting.requests()).as("sent: %s", counting.log()).isZero();
        assertThat(manager.state().meta(TargetRecord.META)).as("the state is no target's yet").isEmpty();
    }

    @Test
    void withAnotherManifestKey_theFolderFileNamedManifestIsPublishedLikeAnyOther() {
        write(root, "manifest.json", "{\"mine\":true}");
        write(root, "sub/manifest.json", "{}");

        manager(b -> b.manifestKey("stowage/manifest.json")).publish().join();

        assertThat(held()).containsOnlyKeys("manifest.json", "sub/manifest.json", "stowage/manifest.json");
        assertThat(held().get("manifest.json")).isEqualTo("{\"mine\":true}");
    }

    /**
     * Publishes until a run completes: a failure that outlasts one operation's retries stays
     * pending for the next run, as it would for an operator. Returns the runs it took.
     */
    private static int publishUntilComplete(CacheManager manager) {
        for (int run = 1; run <= 10; run++) {
            if (manager.publish().join().complete()) {
                return run;
            }
        }
        throw new AssertionError("publish did not converge in 10 runs: " + manager.state().pending());
    }

    private CacheManager managerOn(StorageBackend target) {
        CacheManager manager = CacheManager.builder(root, target).retryPolicy(QUICK).build();
        managers.add(manager);
        return manager;
    }

    /** A layer that runs {@code action} just before each upload of {@code key} reaches the backend. */
    private static Layer onUpload(String key, Runnable action) {
        return backend -> new ForwardingStorageBackend(backend) {
            @Override
            public CompletableFuture<URI> uploadFile(Path source, String uploadKey, UploadOptions options) {
                if (uploadKey.equals(key)) {
                    action.run();
                }
                return super.uploadFile(source, uploadKey, options);
            }
        };
    }
}
