package dev.stowage.app.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.layer.ForwardingStorageBackend;
import dev.stowage.memory.MemoryBackend;
import dev.stowage.s3.S3Preset;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The doctor on a memory backend, through layers that break it on purpose: what each check says,
 * and that the probe objects are removed on every path. Then its two judgements as tables.
 */
class DoctorTest {
    final MemoryBackend memory = MemoryBackend.create();
    final List<Check> heard = new ArrayList<>();

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void memoryBackend_everyPortableCheckPasses_theS3OnesAreSkipped_andNothingStays() {
        Report report = run(new Wrapper(memory));

        assertThat(report.verdict()).isEqualTo(Report.Verdict.PASSED);
        assertThat(statuses(report)).containsExactly("open ok", "access ok", "clock skip", "upload ok", "multipart skip",
                "list ok", "public-url skip", "delete ok");
        assertThat(report.check("public-url").orElseThrow().detail()).contains("not http(s)");
        assertThat(report.check("list").orElseThrow().detail()).matches("the probe object is listed under \\.stowage-doctor-[0-9a-f]+/ with its size");
        assertThat(report.suggested()).isEqualTo(Suggestion.none());
        assertThat(heard).isEqualTo(report.checks());
        assertThat(keys()).isEmpty();
    }

    @Test
    void aDeleteThatFailsOnce_failsTheDeleteCheck_andTheCleanupRemovesTheProbe() {
        AtomicInteger deletes = new AtomicInteger();
        StorageBackend failingOnce = new Wrapper(memory) {
            @Override
            public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
                if (deletes.getAndIncrement() == 0) {
                    Map<String, StorageException> failed = new LinkedHashMap<>();
                    keys.forEach(k -> failed.put(k, StorageException.builder(ErrorKind.ACCESS_DENIED, "not allowed").key(k).build()));
                    return CompletableFuture.completedFuture(new DeleteResult(List.of(), failed));
                }
                return super.deleteFiles(keys);
            }
        };

        Report report = run(failingOnce);

        assertThat(report.verdict()).isEqualTo(Report.Verdict.FAILED);
        assertThat(report.check("delete").orElseThrow().line()).startsWith("FAIL delete: could not delete [.stowage-doctor-")
                .contains("ACCESS_DENIED: not allowed");
        assertThat(report.check("cleanup").orElseThrow().line()).startsWith("ok   cleanup: removed the probe objects");
        assertThat(keys()).isEmpty();
    }

    @Test
    void deletesThatNeverWork_areReported_withTheKeysToDeleteByHand() {
        StorageBackend neverDeletes = new Wrapper(memory) {
            @Override
            public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
                return CompletableFuture.failedFuture(StorageException.builder(ErrorKind.UNAVAILABLE, "gone away").build());
            }
        };

        Report report = run(neverDeletes);

        assertThat(report.verdict()).isEqualTo(Report.Verdict.FAILED);
        Check cleanup = report.check("cleanup").orElseThrow();
        assertThat(cleanup.status()).isEqualTo(Status.FAIL);
        assertThat(cleanup.advice().orElseThrow()).startsWith("delete it by hand: stowage delete '.stowage-doctor-")
                .contains("small.bin' --backend 'memory:'");
        assertThat(keys()).hasSize(1); // the one object it could not remove, named above
    }

    @Test
    void stoppedDuringAnUpload_theExitCleanupWaitsForIt_beforeDeleting() throws InterruptedException {
        List<Thread> hooks = new CopyOnWriteArrayList<>();
        AtomicReference<CompletableFuture<URI>> underWay = new AtomicReference<>();
        AtomicBoolean deletedDuringTheUpload = new AtomicBoolean();
        StorageBackend stoppedMidUpload = new Wrapper(memory) {
            @Override
            public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
                // Ctrl-C while the object is on its way: the JVM runs the hook on a thread of its own.
                CompletableFuture<Void> sent = new CompletableFuture<>();
                CompletableFuture<URI> upload = sent.thenCompose(v -> super.uploadFile(source, key, options));
                underWay.set(upload);
                Thread hook = hooks.get(0);
                hook.start();
                // The upload lands once the hook has done what it does without waiting for it.
                while (hook.getState() == Thread.State.NEW || hook.getState() == Thread.State.RUNNABLE) {
                    Thread.onSpinWait();
                }
                sent.complete(null);
                return upload;
            }

            @Override
            public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
                if (!underWay.get().isDone()) {
                    deletedDuringTheUpload.set(true);
                }
                return super.deleteFiles(keys);
            }
        };

        run(stoppedMidUpload, recording(hooks));
        hooks.get(0).join();

        assertThat(deletedDuringTheUpload).as("a delete sent while the upload was under way, which would land after it").isFalse();
        assertThat(keys()).isEmpty();
    }

    @Test
    void stoppedMidRun_theExitCleanupRemovesTheProbeObjects_andTheProbeFiles() throws InterruptedException {
        List<Thread> hooks = new CopyOnWriteArrayList<>();
        AtomicReference<Path> probeFile = new AtomicReference<>();
        AtomicReference<List<String>> left = new AtomicReference<>();
        StorageBackend stoppedAfterTheUpload = new Wrapper(memory) {
            @Override
            public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
                probeFile.set(source);
                return super.uploadFile(source, key, options);
            }

            @Override
            public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
                if (left.get() == null) {
                    // Ctrl-C as the upload is read back: the hook runs while the checks wait.
                    Thread hook = hooks.get(0);
                    hook.start();
                    join(hook);
                    left.set(keys());
                    assertThat(probeFile.get()).as("the probe file, once the hook has run").doesNotExist();
                }
                return super.stat(key);
            }
        };

        run(stoppedAfterTheUpload, recording(hooks));

        assertThat(left.get()).isEmpty();
        assertThat(probeFile.get().getParent()).doesNotExist();
    }

    private static ExitHooks recording(List<Thread> hooks) {
        return new ExitHooks() {
            @Override
            public void add(Thread hook) {
                hooks.add(hook);
            }

            @Override
            public void remove(Thread hook) {
            }
        };
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCheckThatThrows_isAFailure_theOthersRun_andTheProbeIsRemoved() {
        StorageBackend brokenUrls = new Wrapper(memory) {
            @Override
            public URI getUrl(String key) {
                throw new IllegalStateException("a bug in getUrl");
            }
        };

        Report report = run(brokenUrls);

        assertThat(report.verdict()).isEqualTo(Report.Verdict.FAILED);
        assertThat(report.check("public-url").orElseThrow().line())
                .startsWith("FAIL public-url: unexpected failure: IllegalStateException: a bug in getUrl — ");
        assertThat(report.check("delete").orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(keys()).isEmpty();
    }

    @Test
    void aStatThatFails_failsTheUpload_andTheListingIsSkipped() {
        StorageBackend brokenStat = new Wrapper(memory) {
            private final AtomicInteger stats = new AtomicInteger();

            @Override
            public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
                if (stats.getAndIncrement() == 0) {
                    return CompletableFuture.failedFuture(StorageException.builder(ErrorKind.ACCESS_DENIED, "no reading").build());
                }
                return super.stat(key);
            }
        };

        Report report = run(brokenStat);

        assertThat(report.check("upload").orElseThrow().line())
                .startsWith("FAIL upload: stored 5120 bytes to .stowage-doctor-").contains("but stat failed: ACCESS_DENIED: no reading");
        assertThat(report.check("list").orElseThrow().status()).isEqualTo(Status.SKIP);
        assertThat(report.check("delete").orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(keys()).isEmpty();
    }

    @Test
    void aBackendThatAltersWhatItStores_failsTheUpload() {
        StorageBackend shrinking = new Wrapper(memory) {
            @Override
            public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
                return super.stat(key).thenApply(info -> info.map(i -> new ObjectInfo(i.key(), i.sizeBytes() - 1, i.lastModified(),
                        i.etag(), i.sha256(), i.contentType(), i.cacheControl(), i.metadata())));
            }
        };

        Report report = run(shrinking);

        assertThat(report.check("upload").orElseThrow().line()).startsWith("FAIL upload: stored 5120 bytes to ")
                .contains("but stat says size 5119, not 5120", "the store does not keep what it is sent");
        assertThat(keys()).isEmpty();
    }

    @Test
    void aBackendThatCannotBeOpened_isABadConfiguration() {
        Report report = new Doctor().run("s3://x", uri -> {
            throw StorageException.invalidConfig("region is required for the aws preset, e.g. eu-west-1");
        }, heard::add);

        assertThat(report.verdict()).isEqualTo(Report.Verdict.BAD_CONFIGURATION);
        assertThat(report.checks()).hasSize(1);
        assertThat(report.checks().get(0).line()).startsWith("FAIL open: INVALID_CONFIG: region is required for the aws preset");
        assertThat(report.backend()).contains("s3://x");
    }

    @Test
    void aFolderThatCannotBeOpened_isNotSentToTheS3Settings() {
        Report report = new Doctor().run("file://files.example.com/srv", uri -> {
            throw StorageException.invalidConfig("file: URIs name a local folder; write file:///path (three slashes), not a host");
        }, heard::add);

        assertThat(report.verdict()).isEqualTo(Report.Verdict.BAD_CONFIGURATION);
        assertThat(report.checks().get(0).advice()).contains("fix the URI as the message says");
        assertThat(new Doctor().run("s3://x", uri -> {
            throw StorageException.invalidConfig("region is required for the aws preset, e.g. eu-west-1");
        }, heard::add).checks().get(0).advice()).contains("fix the URI as the message says (S3 settings: docs/s3.md)");
    }

    @ParameterizedTest(name = "server {0} s from here: {1}")
    @CsvSource({
            "0, OK", "1, OK", "-1, OK", "59, OK", "-60, OK",
            "61, WARN", "-61, WARN", "900, WARN",
            "901, FAIL", "-901, FAIL", "86400, FAIL"})
    void clockSkew_warnsAboveAMinute_failsAboveFifteen(long serverAheadSeconds, Status expected) {
        Instant local = Instant.parse("2026-01-01T12:00:00.400Z");

        Check check = Doctor.judgeClock(local.plusSeconds(serverAheadSeconds), local);

        assertThat(check.status()).isEqualTo(expected);
        if (expected == Status.FAIL) {
            assertThat(check.advice().orElseThrow()).contains("15 minutes", "NTP");
        }
        if (Math.abs(serverAheadSeconds) > 1) {
            assertThat(check.detail()).contains(Math.abs(serverAheadSeconds) + " s " + (serverAheadSeconds > 0 ? "behind" : "ahead of"));
        }
    }

    static Stream<Arguments> presets() {
        return Stream.of(
                Arguments.of("https://0123abcd.r2.cloudflarestorage.com", null, S3Preset.R2),
                Arguments.of("https://0123abcd.eu.r2.cloudflarestorage.com", "cloudflare", S3Preset.R2),
                Arguments.of("https://s3.eu-west-1.amazonaws.com", "AmazonS3", S3Preset.AWS),
                Arguments.of("https://media.s3.dualstack.us-east-2.amazonaws.com", null, S3Preset.AWS),
                Arguments.of("https://nyc3.digitaloceanspaces.com", null, S3Preset.SPACES),
                Arguments.of("http://127.0.0.1:9000", "MinIO", S3Preset.MINIO),
                Arguments.of(null, null, S3Preset.AWS));
    }

    @ParameterizedTest(name = "{0} (Server: {1}) -> {2}")
    @MethodSource("presets")
    void presetFor_knowsProvidersByHostOrServer(String endpoint, String server, S3Preset expected) {
        assertThat(Doctor.presetFor(Optional.ofNullable(endpoint).map(URI::create), Optional.ofNullable(server))).contains(expected);
    }

    @ParameterizedTest
    @CsvSource({"https://s3.example.internal, Ceph", "http://127.0.0.1:8080, Jetty(11.0.24)", "https://evil-amazonaws.com.example, AmazonS3"})
    void presetFor_anUnknownStore_isNoneOfThem(String endpoint, String server) {
        assertThat(Doctor.presetFor(Optional.of(URI.create(endpoint)), Optional.of(server))).isEmpty();
    }

    private Report run(StorageBackend backend) {
        return run(backend, ExitHooks.runtime());
    }

    private Report run(StorageBackend backend, ExitHooks exitHooks) {
        return new Doctor(java.time.Clock.systemUTC(), Duration.ofSeconds(5), exitHooks).run("memory:", uri -> backend, heard::add);
    }

    private List<String> statuses(Report report) {
        return report.checks().stream().map(c -> c.name() + " " + c.status().jsonName()).toList();
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        memory.forEach("", o -> keys.add(o.key())).join();
        return keys;
    }

    /** Passes every call to the memory backend; closing it leaves the memory backend open, for the test to look into. */
    private static class Wrapper extends ForwardingStorageBackend {
        Wrapper(StorageBackend delegate) {
            super(delegate);
        }

        @Override
        public void close() {
        }
    }
}
