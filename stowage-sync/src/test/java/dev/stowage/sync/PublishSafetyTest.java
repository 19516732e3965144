package dev.stowage.sync;

import static dev.stowage.sync.Trees.age;
import static dev.stowage.sync.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.layer.ForwardingStorageBackend;
import dev.stowage.memory.MemoryBackend;
import dev.stowage.testkit.FlakyLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promises that keep a publish safe when the folder, the target or the state do something
 * unexpected mid-run: no mass delete of an emptied folder, no delete of what a repair just put
 * back or of a file the scan could not read, a dry run that changes nothing, a new target noticed,
 * the state never published, failures counted once, names that make no key reported.
 */
class PublishSafetyTest {
    @TempDir
    Path root;
    final MemoryBackend memory = MemoryBackend.builder().baseUrl("https://cdn.example.com/").build();
    final List<CacheManager> managers = new ArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(CacheManager::close);
        memory.close();
    }

    private CacheManager manager(StorageBackend backend, Consumer<CacheManager.Builder> settings) {
        CacheManager.Builder b = CacheManager.builder(root, backend).retryPolicy(CacheManagerTest.QUICK);
        settings.accept(b);
        CacheManager m = b.build();
        managers.add(m);
        return m;
    }

    /** Runs action just before each upload of key reaches the backend. */
    private static StorageBackend onUpload(StorageBackend backend, String key, Runnable action) {
        return new ForwardingStorageBackend(backend) {
            @Override
            public CompletableFuture<URI> uploadFile(Path source, String k, UploadOptions options) {
                if (k.equals(key)) {
                    action.run();
                }
                return super.uploadFile(source, k, options);
            }
        };
    }

    private static void emptyFolder(Path root) {
        try (Stream<Path> files = Files.list(root)) {
            files.filter(p -> !p.getFileName().toString().startsWith(".")).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void folderEmptiedDuringARun_isNotMirroredByMassDeletes() {
        for (int i = 0; i < 10; i++) {
            write(root, "f" + i + ".txt", "f" + i);
        }
        age(root);
        manager(memory, b -> { }).publish().join();
        managers.remove(0).close();
        write(root, "new.txt", "n");
        age(root);
        AtomicBoolean once = new AtomicBoolean();
        // The disk goes away (unmounted, emptied) while new.txt is being uploaded.
        CacheManager m = manager(onUpload(memory, "new.txt", () -> {
            if (once.compareAndSet(false, true)) {
                emptyFolder(root);
            }
        }), b -> { });

        try {
            m.publish().join();
        } catch (RuntimeException refusedAsDocumented) {
            // CONFLICT: the documented outcome
        }

        assertThat(memory.keys()).as("a run deleting 10 of 10 published files must stop unless forced")
                .contains("f0.txt", "f9.txt");
    }

    @Test
    void aFailedUpload_isCountedOncePerRun_notOncePerPass() {
        write(root, "bad.txt", "b");
        write(root, "x.txt", "x");
        age(root);
        FlakyLayer flaky = new FlakyLayer();
        flaky.failKeys("bad.txt"::equals);
        AtomicBoolean once = new AtomicBoolean();
        CacheManager m = manager(onUpload(memory.with(flaky), "x.txt", () -> {
            if (once.compareAndSet(false, true)) {
                write(root, "x.txt", "x changed during its upload");
            }
        }), b -> { });

        PublishReport report = m.publish().join();

        assertThat(report.failed()).extracting(FailedOperation::key).containsExactly("bad.txt");
        assertThat(report.failedCount()).isEqualTo(1);
        assertThat(m.state().pending().get(0).attempts()).isEqualTo(1);
    }

    @Test
    void aFileNeverPublished_doesNotMakeACompleteReport() {
        write(root, "x.txt", "x");
        age(root);
        AtomicInteger n = new AtomicInteger();
        CacheManager m = manager(onUpload(memory, "x.txt",
                () -> write(root, "x.txt", "x".repeat(n.incrementAndGet() + 1))), b -> { });

        PublishReport report = m.publish().join();

        assertThat(m.state().published("x.txt")).isEmpty();
        assertThat(report.complete()).as("x.txt was not published: " + report.summary()).isFalse();
    }

    @Test
    void repair_doesNotDeleteAnObjectItsOwnPublishJustRecorded() {
        write(root, "a.txt", "a");
        write(root, "b.txt", "b");
        write(root, "d.txt", "d");
        age(root);
        CacheManager m = manager(memory, b -> { });
        m.publish().join();
        Path c = write(root, "c.txt", "c");
        age(root);
        memory.uploadFile(c, "c.txt").join(); // e.g. `stowage upload c.txt c.txt`, before any scan saw it

        VerifyReport report = m.verify(false, true).join();

        assertThat(m.state().published("c.txt")).as("the state says the target holds c.txt").isPresent();
        assertThat(memory.keys()).as("... so the target must hold it; report: " + report.differences()).contains("c.txt");
    }

    @Test
    void aManifestKeyWithGlobCharacters_excludesOnlyItself() {
        write(root, "m1.json", "mine");
        age(root);

        manager(memory, b -> b.manifestKey("m[1].json")).publish().join();

        assertThat(memory.keys()).as("m1.json is an ordinary file of the folder").contains("m1.json", "m[1].json");
    }

    @Test
    void aStateFileDirectlyInTheRoot_isRefused_soItIsNeverPublished() {
        write(root, "a.txt", "a");
        age(root);

        assertThatThrownBy(() -> manager(memory, b -> b.stateFile(root.resolve("state.db"))))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("INVALID_CONFIG")
                .hasMessageContaining("must not be directly in the folder it publishes");
        assertThat(memory.keys()).isEmpty();
    }

    @Test
    void aStateFolderInsideTheRoot_reachedThroughALink_isNotPublished(@TempDir Path elsewhere) throws IOException {
        write(root, "a.txt", "a");
        age(root);
        Path linkToRoot = Files.createSymbolicLink(elsewhere.resolve("site"), root);
        CacheManager m = CacheManager.builder(linkToRoot, memory).retryPolicy(CacheManagerTest.QUICK)
                .scanOptions(ScanOptions.builder().includeHidden(true).build())
                .stateFile(root.resolve("private/state.db")).build();
        managers.add(m);

        m.publish().join();

        assertThat(memory.keys()).containsExactlyInAnyOrder("a.txt", "manifest.json");
    }

    @Test
    void aDryRunAgainstAnotherTarget_leavesTheStateAlone() {
        write(root, "a.txt", "a");
        write(root, "b.txt", "b");
        age(root);
        manager(memory, b -> { }).publish().join();
        managers.remove(0).close();
        try (MemoryBackend staging = MemoryBackend.builder().baseUrl("https://staging.example.com/").build()) {
            manager(staging, b -> { }).plan().join();
            managers.remove(0).close();
        }

        PublishReport again = manager(memory, b -> { }).publish().join();

        assertThat(again.nothingToDo()).as("nothing changed for this target: " + again.summary()).isTrue();
    }

    @Test
    void aNewTargetThatDoesNotAnswer_doesNotTakeTheStateOver() throws IOException {
        write(root, "a.txt", "a");
        write(root, "b.txt", "b");
        write(root, "c.txt", "c");
        age(root);
        manager(memory, b -> b.target("memory:site")).publish().join();
        managers.remove(0).close();
        FlakyLayer down = new FlakyLayer();
        down.down();
        try (MemoryBackend mistyped = MemoryBackend.builder().baseUrl("https://cdn.example.com/").build()) {
            CacheManager wrong = manager(mistyped.with(down), b -> b.target("memory:sitte"));

            assertThatThrownBy(() -> wrong.publish().join()).hasMessageContaining("UNAVAILABLE");
            assertThat(mistyped.keys()).isEmpty();
            managers.remove(0).close();
        }
        Files.delete(root.resolve("c.txt"));

        PublishReport back = manager(memory, b -> b.target("memory:site")).publish().join();

        assertThat(back.uploaded()).as("the state is still this target's: " + back.summary()).isZero();
        assertThat(memory.keys()).as("c.txt left the folder meanwhile").containsExactlyInAnyOrder("a.txt", "b.txt",
                "manifest.json");
    }

    @Test
    void aFirstRunAgainstATargetThatDoesNotAnswer_failsAsAWhole_uploadingNothing() {
        write(root, "a.txt", "a");
        age(root);
        FlakyLayer down = new FlakyLayer();
        down.down();
        dev.stowage.testkit.CountingLayer sent = new dev.stowage.testkit.CountingLayer();
        CacheManager m = manager(memory.with(down).with(sent), b -> { });

        assertThatThrownBy(() -> m.publish().join()).hasMessageContaining("UNAVAILABLE").hasMessageContaining("LIST");
        assertThat(sent.count(Operation.UPLOAD)).as("sent: %s", sent.log()).isZero();
        down.up();
        assertThat(m.publish().join().uploaded()).isEqualTo(1);
    }

    /** A target over the folder itself, as {@code stowage serve DIR} publishes. */
    private dev.stowage.local.LocalBackend overTheFolder() {
        return dev.stowage.local.LocalBackend.builder().basePath(root).baseUrl("http://127.0.0.1:8080/").build();
    }

    @Test
    void aTargetOverTheFolder_neverReplacesTheFoldersOwnManifestFile() throws IOException {
        write(root, "manifest.json", "{\"name\":\"my app\"}");
        write(root, "a.txt", "a");
        age(root);
        try (dev.stowage.local.LocalBackend local = overTheFolder()) {
            CacheManager m = manager(local, b -> { });

            assertThatThrownBy(() -> m.publish().join()).hasMessageContaining("INVALID_CONFIG")
                    .hasMessageContaining("manifest.json is a file of the folder");
            assertThat(Files.readString(root.resolve("manifest.json"))).isEqualTo("{\"name\":\"my app\"}");
        }
    }

    @Test
    void aTargetOverTheFolder_knowsTheManifestItPutThere_afterACutRun_andAfterTheStateWasDeleted() throws IOException {
        write(root, "a.txt", "a");
        age(root);
        try (dev.stowage.local.LocalBackend local = overTheFolder()) {
            CacheManager m = manager(local, b -> { });
            m.publish().join();
            write(root, "b.txt", "b");
            age(root);
            assertThat(m.publish().join().uploaded()).as("the manifest in the folder is the run's own").isEqualTo(1);
            // A run cut after writing its manifest and before putting it in the folder.
            Files.writeString(m.manifestFile(), "{\"version\":1,\"generated_at\":\"2026-01-01T00:00:00Z\",\"files\":[]}");
            write(root, "c.txt", "c");
            age(root);
            assertThat(m.publish().join().uploaded()).as("after a cut run").isEqualTo(1);
            managers.remove(0).close();
            try (Stream<Path> state = Files.walk(root.resolve(".stowage"))) {
                state.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }

            PublishReport fresh = manager(local, b -> { }).publish().join();

            assertThat(fresh.complete()).as("the state was deleted: " + fresh.summary()).isTrue();
            assertThat(Manifest.read(root.resolve("manifest.json")).files()).extracting(ManifestEntry::key)
                    .containsExactly("a.txt", "b.txt", "c.txt");
        }
    }

    /** As {@code stowage serve DIR} (a target over the folder) and then {@code stowage sync DIR s3://...}. */
    @Test
    void theManifestATargetOverTheFolderPutThere_isNoFileOfTheFolder_forTheNextTarget() throws IOException {
        write(root, "a.txt", "a");
        age(root);
        try (dev.stowage.local.LocalBackend local = overTheFolder()) {
            manager(local, b -> { }).publish().join();
        }
        managers.remove(0).close();
        assertThat(root.resolve("manifest.json")).as("the manifest written into the folder").isRegularFile();

        CacheManager remote = manager(memory, b -> { });
        PublishReport first = remote.publish().join();
        PublishReport second = remote.publish().join();

        assertThat(first.complete()).as(first.summary()).isTrue();
        assertThat(first.uploaded()).as("a.txt only, not the folder's manifest as a file").isEqualTo(1);
        assertThat(second.nothingToDo()).as(second.summary()).isTrue();
        assertThat(Manifest.read(root.resolve(".stowage/manifest.json")).files()).extracting(ManifestEntry::key)
                .containsExactly("a.txt");
    }

    @Test
    void aDeepVerifyThatCouldNotStat_isNotClean() {
        write(root, "a.txt", "a");
        age(root);
        StorageBackend noDigestListing = new ForwardingStorageBackend(new ListingWithoutDigests(memory)) {
            @Override
            public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
                if (key.equals("manifest.json")) {
                    return super.stat(key);
                }
                return CompletableFuture.failedFuture(StorageException.builder(ErrorKind.ACCESS_DENIED, "HeadObject denied")
                        .operation(Operation.STAT).key(key).build());
            }
        };
        CacheManager m = manager(noDigestListing, b -> { });
        m.publish().join();
        memory.uploadFile(write(root.resolve(".stowage"), "other", "Z"), "a.txt").join(); // same size, other content

        VerifyReport report = m.verify(true, false).join();

        assertThat(report.clean()).as("the deep check did not run for any object").isFalse();
    }

    @Test
    void aDeepVerify_countsEachDifferentObjectOnce() {
        write(root, "a.txt", "a");
        age(root);
        CacheManager m = manager(new ListingWithoutDigests(memory), b -> { });
        m.publish().join();
        memory.uploadFile(write(root.resolve(".stowage"), "other", "ZZ"), "a.txt").join();

        VerifyReport report = m.verify(true, false).join();

        assertThat(report.counts().get(Difference.Kind.DIFFERENT)).as(report.differences().toString()).isEqualTo(1);
    }

    @Test
    void anotherBucketBehindTheSamePublicUrl_isANewTarget() {
        write(root, "a.txt", "a");
        age(root);
        manager(memory, b -> b.target("memory:old-bucket")).publish().join();
        managers.remove(0).close();
        try (MemoryBackend newBucket = MemoryBackend.builder().baseUrl("https://cdn.example.com/").build()) {
            manager(newBucket, b -> b.target("memory:new-bucket")).publish().join();
            managers.remove(0).close();
            assertThat(newBucket.keys()).as("docs: moving to another bucket is noticed").contains("a.txt");
        }
    }

    @Test
    void repair_neverDeletesAFileOfTheFolderThatCouldNotBeRead(@TempDir Path dir, @TempDir Path state1,
                                                               @TempDir Path state2) {
        dev.stowage.testfs.HookedFileSystem hooked = new dev.stowage.testfs.HookedFileSystem();
        Path hookedRoot = hooked.wrap(dir);
        write(dir, "a.txt", "a");
        write(dir, "b.txt", "b");
        write(dir, "d.txt", "d");
        write(dir, "log.txt", "log");
        age(dir);
        CacheManager first = CacheManager.builder(hookedRoot, memory).retryPolicy(CacheManagerTest.QUICK)
                .stateFile(state1.resolve("state.db")).build();
        first.publish().join();
        first.close();
        hooked.failing(dev.stowage.testfs.HookedFileSystem.Call.READ_FILE, "log.txt"::equals,
                java.nio.file.AccessDeniedException::new);
        CacheManager m = CacheManager.builder(hookedRoot, memory).retryPolicy(CacheManagerTest.QUICK)
                .stateFile(state2.resolve("state.db")).build(); // the state was deleted: "safe"
        managers.add(m);
        m.publish().join();

        VerifyReport report = m.verify(false, true).join();

        assertThat(memory.keys()).as("unreadable is not removed: " + report.differences()).contains("log.txt");
    }

    @Test
    void aFileDeletedAfterAnOutage_isUnpublished_evenWithANonNfcName() {
        dev.stowage.local.LocalBackend local = overTheFolder();
        FlakyLayer flaky = new FlakyLayer();
        String nfd = java.text.Normalizer.normalize("café.txt", java.text.Normalizer.Form.NFD);
        String nfc = java.text.Normalizer.normalize("café.txt", java.text.Normalizer.Form.NFC);
        write(root, "other.txt", "o");
        write(root, "other2.txt", "o2");
        write(root, nfd, "c");
        age(root);
        try {
            CacheManager m = manager(memory.with(flaky), b -> b.fallback(local));
            flaky.down();
            m.publish().join();               // outage: café.txt served by the fallback
            flaky.up();
            m.publish().join();               // back: everything on the target
            assertThat(memory.keys()).contains(nfc);
            Files.delete(root.resolve(nfd));  // the user deletes the file

            m.publish().join();

            assertThat(memory.keys()).as("folder now: " + java.util.Arrays.toString(root.toFile().list()))
                    .doesNotContain(nfc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            local.close();
        }
    }

    @Test
    void namesThatAreNotUtf8_areReportedAsProblems_notSilentlyLost() throws Exception {
        write(root, "ok.txt", "ok");
        Process p = new ProcessBuilder("sh", "-c", "printf 1 > \"$0/a$(printf '\\377').txt\"; printf 2 > \"$0/a$(printf '\\376').txt\"",
                root.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        age(root);
        CacheManager m = manager(memory, b -> { });

        PublishReport report = m.publish().join();

        assertThat(report.scan().problemCount()).as("two names that make no key: " + m.state().snapshot().files()
                + " files in the snapshot, published " + memory.keys()).isEqualTo(2);
        assertThat(report.complete()).isFalse();
    }

    @Test
    void localTargetOverTheRoot_deletingANonNfcFile_unpublishesIt() throws IOException {
        String nfd = java.text.Normalizer.normalize("café.txt", java.text.Normalizer.Form.NFD);
        String nfc = java.text.Normalizer.normalize("café.txt", java.text.Normalizer.Form.NFC);
        write(root, nfd, "c");
        write(root, "a.txt", "a");
        age(root);
        try (dev.stowage.local.LocalBackend local = overTheFolder()) {
            CacheManager m = manager(local, b -> { });
            m.publish().join();
            Files.delete(root.resolve(nfd));

            m.publish().join();

            assertThat(m.state().published(nfc)).as("folder now: " + java.util.Arrays.toString(root.toFile().list()))
                    .isEmpty();
        }
    }

    @Test
    void repairOnALocalTargetOverTheRoot_doesNotDeleteTheUsersFiles() {
        String nfd = java.text.Normalizer.normalize("café.txt", java.text.Normalizer.Form.NFD);
        write(root, nfd, "c");
        write(root, "a.txt", "a");
        write(root, "b.txt", "b");
        age(root);
        try (dev.stowage.local.LocalBackend local = dev.stowage.local.LocalBackend.builder().basePath(root)
                .baseUrl("http://127.0.0.1:8080/").ownsFiles(true).build()) {
            CacheManager m = manager(local, b -> { });
            m.publish().join();

            VerifyReport report = m.verify(false, true).join();

            assertThat(Files.exists(root.resolve(nfd))).as("the user's file; report " + report.differences()).isTrue();
        }
    }
}
