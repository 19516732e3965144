package dev.stowage.sync;

import static dev.stowage.sync.Trees.age;
import static dev.stowage.sync.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.memory.MemoryBackend;
import dev.stowage.testkit.CountingLayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyTest {
    @TempDir
    Path root;
    @TempDir
    Path elsewhere;
    final MemoryBackend memory = MemoryBackend.builder().baseUrl("https://cdn.example.com/").build();
    final CountingLayer counting = new CountingLayer();
    CacheManager manager;

    @BeforeEach
    void publish() {
        write(root, "a.txt", "a");
        write(root, "b/c.txt", "c");
        write(root, "d.txt", "d");
        age(root);
        manager = CacheManager.builder(root, memory.with(counting)).retryPolicy(CacheManagerTest.QUICK).build();
        manager.publish().join();
    }

    @AfterEach
    void close() {
        manager.close();
        memory.close();
    }

    private void putBehindItsBack(String key, String content) {
        memory.uploadFile(write(elsewhere, "x-" + content.length(), content), key).join();
    }

    @Test
    void afterAPublish_theTargetIsClean() {
        VerifyReport report = manager.verify(true, false).join();

        assertThat(report.clean()).isTrue();
        assertThat(report.differences()).isEmpty();
        assertThat(report.listed()).isEqualTo(4);
        assertThat(report.published()).isEqualTo(3);
    }

    @Test
    void everyKindOfDifference_isReported_andNothingChangesWithoutRepair() {
        memory.deleteFile("a.txt").join();
        putBehindItsBack("b/c.txt", "other content");
        putBehindItsBack("stray.txt", "s");
        putBehindItsBack(".hidden/x", "h");
        memory.deleteFile("manifest.json").join();

        VerifyReport report = manager.verify(false, false).join();

        assertThat(report.clean()).isFalse();
        assertThat(report.differences()).extracting(Difference::toString).containsExactly(
                "MISSING a.txt: published, not on the target",
                "DIFFERENT b/c.txt: holds 13 bytes, published 1",
                "EXTRA stray.txt: on the target, not in the folder",
                "MANIFEST manifest.json: not on the target");
        assertThat(report.repair()).isEmpty();
        counting.reset();
        assertThat(manager.publish().join().nothingToDo()).as("verify alone changed nothing").isTrue();
    }

    @Test
    void repair_uploadsWhatIsMissingOrDifferent_theManifest_andDeletesExtras() {
        memory.deleteFile("a.txt").join();
        putBehindItsBack("d.txt", "D");
        putBehindItsBack("stray.txt", "s");
        memory.deleteFile("manifest.json").join();

        VerifyReport report = manager.verify(true, true).join();

        assertThat(report.differenceCount()).isEqualTo(4);
        assertThat(report.repair()).get().satisfies(r -> {
            assertThat(r.uploaded()).isEqualTo(2);
            assertThat(r.manifestUploaded()).isTrue();
        });
        assertThat(report.extrasDeleted()).isEqualTo(1);
        assertThat(memory.keys()).containsExactlyInAnyOrder("a.txt", "b/c.txt", "d.txt", "manifest.json");
        assertThat(new String(memory.content("d.txt").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("d");
        assertThat(manager.verify(true, false).join().clean()).isTrue();
    }

    @Test
    void aDeepVerify_findsContentThatDiffersAtTheSameSize() {
        putBehindItsBack("a.txt", "Z");

        VerifyReport shallow = manager.verify(false, false).join();
        VerifyReport deep = manager.verify(true, false).join();

        assertThat(deep.differences()).extracting(Difference::toString).containsExactly(
                "DIFFERENT a.txt: holds SHA-256 " + Trees.sha256("Z") + ", published " + Trees.sha256("a"));
        assertThat(shallow.differences()).as("this target lists digests: its listing finds it too")
                .isEqualTo(deep.differences());
    }

    @Test
    void onATargetWhoseListingHasNoDigests_onlyADeepVerify_statsEachObject_andFindsTheSameSizeChange() {
        manager.close();
        CountingLayer stats = new CountingLayer();
        StorageBackend likeS3 = new ListingWithoutDigests(memory.with(stats));
        manager = CacheManager.builder(root, likeS3).retryPolicy(CacheManagerTest.QUICK).build();
        putBehindItsBack("a.txt", "Z");

        VerifyReport shallow = manager.verify(false, false).join();
        long statsBefore = stats.count(Operation.STAT);
        VerifyReport deep = manager.verify(true, false).join();

        assertThat(shallow.clean()).as("same size, and the listing has no digest").isTrue();
        assertThat(deep.differences()).extracting(Difference::key).containsExactly("a.txt");
        assertThat(stats.count(Operation.STAT) - statsBefore).as("three files and the manifest").isEqualTo(4);
    }

    @Test
    void manyExtras_areNotDeleted_beyondTheAllowedShare() {
        for (int i = 0; i < 5; i++) {
            putBehindItsBack("stray" + i + ".txt", "s" + i);
        }

        VerifyReport report = manager.verify(false, true).join();

        assertThat(report.counts().get(Difference.Kind.EXTRA)).isEqualTo(5);
        assertThat(report.extrasDeleted()).isZero();
        assertThat(report.extrasHeldBack()).isEqualTo(5);
        assertThat(memory.keys()).contains("stray0.txt", "stray4.txt");
    }

    @Test
    void verifyAgainstAnotherTarget_failsAtOnce_sendingNothing_andTheStateStaysThisOnes() {
        manager.close();
        CountingLayer sent = new CountingLayer();
        try (MemoryBackend staging = MemoryBackend.builder().baseUrl("https://staging.example.com/").build()) {
            staging.uploadFile(write(elsewhere, "s", "s"), "staging-only.txt").join();
            manager = CacheManager.builder(root, staging.with(sent)).retryPolicy(CacheManagerTest.QUICK).build();

            assertThatThrownBy(() -> manager.verify(false, true).join())
                    .hasMessageContaining("CONFLICT")
                    .hasMessageContaining("is of the target https://cdn.example.com/manifest.json, not"
                            + " https://staging.example.com/manifest.json");
            assertThat(sent.requests()).as("sent: %s", sent.log()).isZero();
            assertThat(staging.keys()).containsExactly("staging-only.txt");
            manager.close();
        }
        manager = CacheManager.builder(root, memory.with(counting)).retryPolicy(CacheManagerTest.QUICK).build();
        counting.reset();

        assertThat(manager.publish().join().nothingToDo()).as("the state is still the first target's").isTrue();
        assertThat(counting.requests()).as("sent: %s", counting.log()).isZero();
    }

    @Test
    void aStateNeverPublished_saysItsFilesAreNotScannedYet_notThatTheScanHadProblems() {
        try (CacheManager fresh = CacheManager.builder(root, memory).stateFile(elsewhere.resolve("fresh/state.db"))
                .retryPolicy(CacheManagerTest.QUICK).build()) {
            VerifyReport report = fresh.verify(false, false).join();

            assertThat(report.differences()).filteredOn(d -> d.key().equals("a.txt")).singleElement()
                    .hasToString("UNRECORDED a.txt: in the folder and on the target, not scanned yet: the next publish"
                            + " records it");
        }
    }

    @Test
    void aFileAddedSinceTheLastScan_isUnrecorded_withoutPointingAtScanProblems() {
        putBehindItsBack("new.txt", "n");
        write(root, "new.txt", "n");

        VerifyReport report = manager.verify(false, false).join();

        assertThat(report.differences()).extracting(Difference::toString).containsExactly(
                "UNRECORDED new.txt: in the folder, not in the last scan: added since, or the scan could not take it"
                        + " (a publish says why)");
    }
}
