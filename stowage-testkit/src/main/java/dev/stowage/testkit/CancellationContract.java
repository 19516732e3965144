package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.AWAIT;
import static dev.stowage.testkit.StorageBackendContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.UploadOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An upload is all or nothing, when cancelled too. Each test replaces an existing object with a
 * larger one and cancels the replacement from its own progress listener, at the first report of
 * some but not all
 * bytes done: deterministically in flight (after the first 8 MiB chunk on the local disk, after
 * the object is stored in memory). Then, once the backend's background work has ended
 * ({@link StorageBackendContract#awaitNoLeftovers()}), the key holds the old content or the new
 * one, whole, and nothing else is left.
 */
abstract class CancellationContract extends ContractGroup {
    /** Larger than the local disk's copy chunk (8 MiB) and S3's multipart threshold (16 MiB). */
    private static final long NEW_BYTES = 20L * MiB;
    private static final long OLD_BYTES = 64 * 1024;
    private static final String CANCELLED_IN_FLIGHT = "cancelled in flight";

    CancellationContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void uploadFile_replacementCancelledMidway_keyHoldsTheOldOrTheNewWhole_nothingLeft() throws Exception {
        String key = "replaced/object.bin";
        SourceFile old = randomSource(OLD_BYTES, 1);
        await(backend().uploadFile(old.path(), key));
        SourceFile replacement = randomSource(NEW_BYTES, 2);
        Set<String> before = storedNames();

        String outcome = await(uploadCancellingMidway(replacement.path(), key, () -> { }));

        assertThat(outcome).isEqualTo(CANCELLED_IN_FLIGHT);
        awaitNoLeftovers();
        assertStoredWholeOneOf(key, Set.of(old.sha256(), replacement.sha256()));
        assertThat(storedNames()).as("everything stored, after the cancelled upload").isEqualTo(before);
    }

    @Test
    void uploadFile_readerPollingThroughCancelledReplacements_neverSeesAPartOrNothing() throws Exception {
        String key = "polled/object.bin";
        SourceFile old = randomSource(OLD_BYTES, 10);
        await(backend().uploadFile(old.path(), key));
        List<SourceFile> replacements = new ArrayList<>();
        Set<String> whole = new HashSet<>(Set.of(old.sha256()));
        for (int i = 0; i < 3; i++) {
            SourceFile replacement = randomSource(NEW_BYTES, 11 + i);
            replacements.add(replacement);
            whole.add(replacement.sha256());
        }
        Set<String> before = storedNames();

        Reader reader = new Reader(key, whole);
        try {
            List<CompletableFuture<String>> outcomes = new ArrayList<>();
            for (SourceFile replacement : replacements) {
                // Each upload, in flight, waits until the reader has read the key through at least once.
                outcomes.add(uploadCancellingMidway(replacement.path(), key, reader::awaitTwoMoreReads));
            }
            for (CompletableFuture<String> outcome : outcomes) {
                assertThat(await(outcome)).isEqualTo(CANCELLED_IN_FLIGHT);
            }
            awaitNoLeftovers();
            reader.awaitTwoMoreReads();
            assertThat(reader.wrongReads()).as("reads of %s that were not one whole content", key).isEmpty();
        } finally {
            reader.stop();
        }
        assertStoredWholeOneOf(key, whole);
        assertThat(storedNames()).as("everything stored, after the cancelled uploads").isEqualTo(before);
    }

    /**
     * Starts an upload that, at its first report of bytes done, runs {@code atMidway} and cancels
     * itself. The future tells what happened: {@link #CANCELLED_IN_FLIGHT}, or why not.
     */
    private CompletableFuture<String> uploadCancellingMidway(Path source, String key, Checked atMidway) {
        CompletableFuture<CompletableFuture<URI>> started = new CompletableFuture<>();
        CompletableFuture<String> outcome = new CompletableFuture<>();
        AtomicBoolean reached = new AtomicBoolean();
        UploadOptions options = UploadOptions.builder().progress((done, total) -> {
            // Midway only: a report of the whole, made as the object is stored, is too late to cancel.
            if (done == 0 || done >= total || !reached.compareAndSet(false, true)) {
                return;
            }
            try {
                atMidway.run();
                boolean cancelled = started.get(AWAIT.toSeconds(), TimeUnit.SECONDS).cancel(true);
                outcome.complete(cancelled ? CANCELLED_IN_FLIGHT : "the upload had ended before it was cancelled");
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        }).build();
        CompletableFuture<URI> upload = backend().uploadFile(source, key, options);
        started.complete(upload);
        upload.whenComplete((url, error) -> {
            if (!reached.get()) {
                outcome.complete("the upload ended (" + (error == null ? "stored" : error)
                        + ") without reporting bytes done before the end, so it could not be cancelled midway");
            }
        });
        return outcome;
    }

    /** A step that may throw. */
    @FunctionalInterface
    private interface Checked {
        void run() throws Exception;
    }

    /** A thread that reads a key again and again, and keeps what it read that was not one of the whole contents. */
    private final class Reader {
        private final String key;
        private final Set<String> wholeSha256s;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger reads = new AtomicInteger();
        private final List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;

        Reader(String key, Set<String> wholeSha256s) {
            this.key = key;
            this.wholeSha256s = wholeSha256s;
            this.thread = new Thread(this::readUntilStopped, "contract-reader");
            thread.setDaemon(true);
            thread.start();
        }

        private void readUntilStopped() {
            while (!stop.get()) {
                try {
                    Optional<byte[]> stored = readObject(key);
                    if (stored.isEmpty()) {
                        wrong.add("nothing");
                    } else if (!wholeSha256s.contains(sha256(stored.get()))) {
                        wrong.add(stored.get().length + " bytes of no whole content");
                    }
                } catch (Exception e) {
                    wrong.add("a failed read: " + e);
                }
                reads.incrementAndGet();
            }
        }

        /** Waits until two more reads have ended, so that one began and ended after this call. */
        void awaitTwoMoreReads() throws Exception {
            int target = reads.get() + 2;
            StorageBackendContract.awaitUntil("the reader has read " + key + " twice more", () -> {
                assertThat(thread.isAlive()).as("the reader is alive").isTrue();
                return reads.get() >= target;
            });
        }

        List<String> wrongReads() {
            return List.copyOf(wrong);
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(AWAIT.toMillis());
        }
    }
}
