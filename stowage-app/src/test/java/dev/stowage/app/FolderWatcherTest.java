package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderWatcherTest {
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void aNewFolder_andThenAFileInIt_eachCallTheAction() throws Exception {
        Semaphore calls = new Semaphore(0);
        try (FolderWatcher watcher = FolderWatcher.start(dir, Set.of(".stowage"), Duration.ofMillis(20), NEVER,
                calls::release)) {
            Path sub = Files.createDirectories(dir.resolve("sub"));
            assertThat(calls.tryAcquire(30, TimeUnit.SECONDS)).as("the new folder").isTrue();

            // The new folder is watched from its creation's call on: a file in it is a change too.
            Files.writeString(sub.resolve("a.txt"), "a");
            assertThat(calls.tryAcquire(30, TimeUnit.SECONDS)).as("the file in the new folder").isTrue();
        }
    }

    @Test
    void triggersWithinTheDelay_makeOneCall() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch called = new CountDownLatch(1);
        try (FolderWatcher watcher = FolderWatcher.start(dir, Set.of(), Duration.ofMillis(500), NEVER, () -> {
            calls.incrementAndGet();
            called.countDown();
        })) {
            for (int i = 0; i < 5; i++) {
                assertThat(watcher.trigger()).isTrue();
            }
            assertThat(called.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void afterClose_triggerSaysNoCallWillCome() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FolderWatcher watcher = FolderWatcher.start(dir, Set.of(), Duration.ofMillis(1), NEVER, calls::incrementAndGet);

        watcher.close();

        assertThat(watcher.trigger()).isFalse();
        assertThat(calls).hasValue(0);
    }

    @Test
    void close_dropsACallWaitingForItsDelay() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FolderWatcher watcher = FolderWatcher.start(dir, Set.of(), NEVER, NEVER, calls::incrementAndGet);
        assertThat(watcher.trigger()).isTrue();

        // Returns at once: the call, an hour away, is dropped rather than waited for.
        assertTimeoutPreemptively(Duration.ofSeconds(20), watcher::close, "close() waited for a call still in its delay");

        assertThat(calls).hasValue(0);
    }

    @Test
    void triggerWhileCloseWaitsForARunningCall_returnsFalseAtOnce() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FolderWatcher watcher = FolderWatcher.start(dir, Set.of(), Duration.ofMillis(1), NEVER, () -> {
            running.countDown();
            await(release);
        });
        watcher.trigger();
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(watcher::close);
        closer.start();
        while (closer.getState() != Thread.State.TIMED_WAITING) { // close() waits for the running call
            Thread.onSpinWait();
        }
        try {
            boolean accepted = assertTimeoutPreemptively(Duration.ofSeconds(20), watcher::trigger,
                    "trigger() waited for the call that close() waits for");

            assertThat(accepted).isFalse();
        } finally {
            release.countDown();
            closer.join();
        }
    }

    @Test
    void watched_leavesOutTheIgnoredPaths_atAnyDepth_andOnlyThose() throws Exception {
        try (FolderWatcher watcher = FolderWatcher.start(dir, Set.of(".stowage", "meta/manifest.json"), NEVER, NEVER,
                () -> { })) {
            assertThat(watcher.watched(dir.resolve(".stowage"))).isFalse();
            assertThat(watcher.watched(dir.resolve("meta/manifest.json"))).isFalse();
            assertThat(watcher.watched(dir.resolve("meta/manifest.json.bak"))).isTrue();
            assertThat(watcher.watched(dir.resolve("manifest.json"))).isTrue();
            assertThat(watcher.watched(dir.resolve("sub/.stowage"))).isTrue();
            assertThat(watcher.watched(dir.resolve("meta"))).isTrue();
            assertThat(watcher.watched(dir.resolve("img/.stowage-0a1b.tmp"))).as("a copy in progress").isFalse();
            assertThat(watcher.watched(dir.resolve("img/.stowage-0a1b.tmp.png"))).isTrue();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
