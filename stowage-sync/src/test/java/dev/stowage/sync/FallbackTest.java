package dev.stowage.sync;

import static dev.stowage.sync.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ResumeJournal;
import dev.stowage.StorageBackend;
import dev.stowage.layer.ForwardingStorageBackend;
import dev.stowage.local.LocalBackend;
import dev.stowage.memory.MemoryBackend;
import dev.stowage.testkit.CountingLayer;
import dev.stowage.testkit.FlakyLayer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An outage with a local fallback, and the cleanup of unfinished uploads. */
class FallbackTest {
    @TempDir
    Path root;
    final MemoryBackend remote = MemoryBackend.builder().baseUrl("https://cdn.example.com/").build();
    final FlakyLayer flaky = new FlakyLayer();
    final CountingLayer counting = new CountingLayer();
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        remote.close();
    }

    private LocalBackend local() {
        LocalBackend local = LocalBackend.builder().basePath(root).baseUrl("http://127.0.0.1:8080/").build();
        closing.add(local);
        return local;
    }

    private List<ManifestEntry> localManifest(CacheManager manager) throws IOException {
        return Manifest.read(manager.manifestFile()).files();
    }

    @Test
    void duringAnOutage_theManifestNamesTheLocalUrl_pending_andMovesToTheRemoteOnceUploaded() throws IOException {
        write(root, "old.txt", "old");
        write(root, "changed.txt", "v1");
        CacheManager manager = CacheManager.builder(root, remote.with(flaky)).retryPolicy(CacheManagerTest.QUICK)
                .fallback(local()).build();
        closing.add(0, manager);
        manager.publish().join();
        write(root, "new file.txt", "new");
        write(root, "changed.txt", "v2");
        flaky.down();

        PublishReport during = manager.publish().join();

        assertThat(during.complete()).isFalse();
        assertThat(localManifest(manager)).extracting(ManifestEntry::key, e -> e.url().toString(), ManifestEntry::pending)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("changed.txt", "http://127.0.0.1:8080/changed.txt", true),
                        org.assertj.core.groups.Tuple.tuple("new file.txt", "http://127.0.0.1:8080/new%20file.txt", true),
                        org.assertj.core.groups.Tuple.tuple("old.txt", "https://cdn.example.com/old.txt", false));
        assertThat(localManifest(manager).get(0).sha256()).isEqualTo(Trees.sha256("v2"));

        flaky.up();
        PublishReport after = manager.publish().join();

        assertThat(after.complete()).isTrue();
        assertThat(localManifest(manager)).extracting(e -> e.url().toString(), ManifestEntry::pending)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("https://cdn.example.com/changed.txt", false),
                        org.assertj.core.groups.Tuple.tuple("https://cdn.example.com/new%20file.txt", false),
                        org.assertj.core.groups.Tuple.tuple("https://cdn.example.com/old.txt", false));
        assertThat(remote.keys()).contains("manifest.json", "new file.txt");
    }

    @Test
    void aFirstRunWhileTheTargetIsDown_servesEveryFileFromTheFallback_thenPublishesThere() throws IOException {
        write(root, "a.txt", "a");
        CacheManager manager = CacheManager.builder(root, remote.with(flaky)).retryPolicy(CacheManagerTest.QUICK)
                .fallback(local()).build();
        closing.add(0, manager);
        flaky.down();

        PublishReport during = manager.publish().join();

        assertThat(during.complete()).isFalse();
        assertThat(localManifest(manager)).extracting(e -> e.url().toString(), ManifestEntry::pending)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("http://127.0.0.1:8080/a.txt", true));
        flaky.up();
        assertThat(manager.publish().join().complete()).isTrue();
        assertThat(remote.keys()).containsExactlyInAnyOrder("a.txt", "manifest.json");
    }

    @Test
    void withoutAFallback_aFailedModification_keepsTheContentTheTargetHolds() throws IOException {
        write(root, "changed.txt", "v1");
        CacheManager manager = CacheManager.builder(root, remote.with(flaky)).retryPolicy(CacheManagerTest.QUICK).build();
        closing.add(0, manager);
        manager.publish().join();
        write(root, "changed.txt", "v2");
        flaky.down();

        manager.publish().join();

        assertThat(localManifest(manager)).singleElement().satisfies(e -> {
            assertThat(e.sha256()).isEqualTo(Trees.sha256("v1"));
            assertThat(e.pending()).isFalse();
        });
    }

    @Test
    void staleUploads_areLookedFor_atMostOncePerPeriod_andOnlyInARunThatSendsSomething() {
        List<Duration> asked = new ArrayList<>();
        StorageBackend target = new ForwardingStorageBackend(remote.with(counting)) {
            @Override
            public CompletableFuture<Long> abortStaleUploads(Duration olderThan, ResumeJournal keep) {
                asked.add(olderThan);
                assertThat(keep).isInstanceOf(StateJournal.class);
                return CompletableFuture.completedFuture(2L);
            }
        };
        MutableClock clock = new MutableClock();
        CacheManager manager = CacheManager.builder(root, target).clock(clock).staleUploadAge(Duration.ofHours(6)).build();
        closing.add(0, manager);
        write(root, "a.txt", "a");
        Trees.age(root);

        manager.publish().join();
        manager.publish().join();
        write(root, "b.txt", "b");
        clock.advance(Duration.ofHours(1));
        manager.publish().join();
        assertThat(asked).containsExactly(Duration.ofHours(6));

        clock.advance(Duration.ofHours(6));
        manager.publish().join();
        assertThat(asked).as("a run that sends nothing does not look").hasSize(1);
        write(root, "c.txt", "c");
        manager.publish().join();
        assertThat(asked).hasSize(2);
    }

    /** A clock a test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
