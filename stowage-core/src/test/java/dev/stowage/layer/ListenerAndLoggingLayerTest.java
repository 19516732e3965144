package dev.stowage.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.Failures;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.memory.MemoryBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerAndLoggingLayerTest {
    @TempDir
    Path dir;
    private MemoryBackend memory;
    private FaultyBackend faulty;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final StorageListener recorder = new StorageListener() {
        @Override
        public void onStart(Operation op, String key) {
            events.add("start " + op + " " + key);
        }

        @Override
        public void onSuccess(Operation op, String key, long bytes, Duration elapsed) {
            events.add("ok " + op + " " + key + " " + bytes + " " + elapsed.toMillis());
        }

        @Override
        public void onFailure(Operation op, String key, Duration elapsed, Throwable error) {
            events.add("failed " + op + " " + key + " " + (error instanceof StorageException
                    ? ((StorageException) error).kind() : error.getClass().getSimpleName()));
        }
    };
    /** A clock that moves 5 ms on every reading. */
    private final AtomicLong nanos = new AtomicLong();
    private Path file;

    @BeforeEach
    void setUp() throws IOException {
        memory = MemoryBackend.create();
        faulty = new FaultyBackend(memory);
        file = Files.writeString(dir.resolve("f.txt"), "twelve bytes");
    }

    @AfterEach
    void tearDown() {
        memory.close();
    }

    private StorageBackend listened() {
        return faulty.with(new ListenerLayer(recorder, () -> nanos.addAndGet(5_000_000)));
    }

    @Test
    void everyStart_hasOneMatchingEnd_withSizeAndDuration() {
        StorageBackend backend = listened();
        backend.uploadFile(file, "a.txt").join();
        backend.stat("a.txt").join();
        backend.stat("missing").join();
        backend.deleteFile("a.txt").join();

        assertThat(events).containsExactly(
                "start UPLOAD a.txt", "ok UPLOAD a.txt 12 5",
                "start STAT a.txt", "ok STAT a.txt 12 5",
                "start STAT missing", "ok STAT missing -1 5",
                "start DELETE a.txt", "ok DELETE a.txt -1 5");
    }

    @Test
    void failure_isReportedUnwrapped() {
        faulty.failNext(1, ErrorKind.UNAVAILABLE);
        Failures.storage(listened().uploadFile(file, "a.txt"));

        assertThat(events).containsExactly("start UPLOAD a.txt", "failed UPLOAD a.txt UNAVAILABLE");
    }

    @Test
    void cancellation_endsTheOperation() {
        faulty.stall = new CompletableFuture<>();
        CompletableFuture<?> result = listened().stat("a.txt");
        result.cancel(true);

        assertThat(events).containsExactly("start STAT a.txt", "failed STAT a.txt CancellationException");
    }

    @Test
    void upload_backendReportsNoProgress_sizeIsUnknownAndTheFileIsNotRead() throws Exception {
        List<Long> sizes = new CopyOnWriteArrayList<>();
        StorageListener sizeRecorder = new StorageListener() {
            @Override
            public void onSuccess(Operation op, String key, long bytes, Duration elapsed) {
                sizes.add(bytes);
            }
        };
        StorageBackend silent = new ForwardingStorageBackend(memory) {
            @Override
            public CompletableFuture<java.net.URI> uploadFile(Path source, String key, dev.stowage.UploadOptions options) {
                return CompletableFuture.completedFuture(java.net.URI.create("memory:///" + key));
            }
        };
        Files.delete(file); // the layer must not look at it

        silent.with(new ListenerLayer(sizeRecorder)).uploadFile(file, "a.txt").join();

        assertThat(sizes).containsExactly(-1L);
    }

    @Test
    void upload_progress_reachesTheCallerAndTheListener_andGivesTheSize() {
        List<String> heard = new CopyOnWriteArrayList<>();
        StorageListener listener = new StorageListener() {
            @Override
            public void onProgress(Operation op, String key, long done, long total) {
                heard.add("listener " + op + " " + key + " " + done + "/" + total);
            }

            @Override
            public void onSuccess(Operation op, String key, long bytes, Duration elapsed) {
                heard.add("success " + bytes);
            }
        };
        dev.stowage.UploadOptions options = dev.stowage.UploadOptions.builder()
                .progress((done, total) -> heard.add("caller " + done + "/" + total)).build();

        memory.with(new ListenerLayer(listener)).uploadFile(file, "a.txt", options).join();

        assertThat(heard).containsExactly("listener UPLOAD a.txt 0/12", "caller 0/12",
                "listener UPLOAD a.txt 12/12", "caller 12/12", "success 12");
    }

    @Test
    void listenerThatThrows_doesNotChangeTheOutcome() {
        StorageListener broken = new StorageListener() {
            @Override
            public void onStart(Operation op, String key) {
                throw new IllegalStateException("broken listener");
            }

            @Override
            public void onSuccess(Operation op, String key, long bytes, Duration elapsed) {
                throw new IllegalStateException("broken listener");
            }
        };
        StorageBackend backend = faulty.with(new ListenerLayer(broken));

        assertThat(backend.uploadFile(file, "a.txt").join()).hasToString("memory:///a.txt");
    }

    @Test
    void outsideRetry_seesOneLogicalOperation() {
        faulty.failNext(2, ErrorKind.RATE_LIMITED);
        StorageBackend backend = faulty
                .with(new RetryLayer(new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 0), StorageListener.NONE,
                        (task, delay) -> task.run(), () -> 0))
                .with(new ListenerLayer(recorder, () -> 0));

        backend.stat("a.txt").join();

        assertThat(events).containsExactly("start STAT a.txt", "ok STAT a.txt -1 0");
        assertThat(faulty.calls).hasValue(3);
    }

    @Test
    void loggingListener_givenToRetryLayer_logsEachRetryAtInfo() {
        RecordingLogger log = new RecordingLogger();
        faulty.failNext(1, ErrorKind.RATE_LIMITED);
        StorageBackend backend = faulty.with(new RetryLayer(new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 0),
                new LoggingListener(log), (task, delay) -> task.run(), () -> 0));

        backend.stat("a.txt").join();

        assertThat(log.lines).singleElement().asString()
                .startsWith("INFO STAT key=a.txt attempt 1 failed, retrying in 0ms: RATE_LIMITED (retryable)");
    }

    @Test
    void logging_successAtDebugFailureAtWarn_keysEscaped() {
        RecordingLogger log = new RecordingLogger();
        StorageBackend backend = faulty.with(new LoggingLayer(log));
        backend.uploadFile(file, "dir/a b.txt").join();
        faulty.failNext(1, ErrorKind.ACCESS_DENIED);
        assertThatThrownBy(() -> backend.deleteFile("dir/a b.txt").join()).isNotNull();
        assertThatThrownBy(() -> backend.stat("evil\nline").join()).isNotNull();

        assertThat(log.lines).hasSize(3);
        assertThat(log.lines.get(0)).matches("DEBUG UPLOAD key=dir/a b.txt size=12 took=\\d+ms outcome=ok");
        assertThat(log.lines.get(1)).startsWith("WARN DELETE key=dir/a b.txt took=")
                .contains("outcome=failed: ACCESS_DENIED");
        assertThat(log.lines.get(2)).contains("key=evil\\u000Aline").doesNotContain("\n");
    }
}
