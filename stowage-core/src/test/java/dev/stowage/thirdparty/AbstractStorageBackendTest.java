package dev.stowage.thirdparty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.Capabilities;
import dev.stowage.ErrorKind;
import dev.stowage.Failures;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.internal.IoExecutors;
import dev.stowage.spi.AbstractStorageBackend;
import dev.stowage.spi.BlockingCall;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public base class, used as a backend of another module would: from another package, with
 * only its protected API. Its upload failures tell the source from the target.
 */
class AbstractStorageBackendTest {
    @TempDir
    Path dir;

    /** A backend whose upload runs the given blocking call. */
    private static final class ScriptedBackend extends AbstractStorageBackend {
        private final BlockingCall<URI> upload;

        ScriptedBackend(ExecutorService pool, BlockingCall<URI> upload) {
            super("scripted", pool, pool);
            this.upload = upload;
        }

        @Override
        public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
            return runUpload(source, key, upload);
        }

        @Override
        public CompletableFuture<Void> deleteFile(String key) {
            return run(Operation.DELETE, key, stop -> null);
        }

        @Override
        public URI getUrl(String key) {
            return urlOf(URI.create("https://cdn.example.com/"), key);
        }

        @Override
        public boolean isRemote() {
            return false;
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.none();
        }

        @Override
        public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
            return run(Operation.STAT, key, stop -> Optional.empty());
        }

        @Override
        public Flow.Publisher<ObjectInfo> list(String prefix) {
            throw new UnsupportedOperationException("not needed here");
        }
    }

    @Test
    void upload_pathOfTheTargetVanishes_isARetryableConflictNotAMissingSource() throws Exception {
        Path source = Files.writeString(dir.resolve("src.txt"), "x");
        try (ScriptedBackend backend = new ScriptedBackend(IoExecutors.newPool("scripted", 1), stop -> {
            throw new NoSuchFileException("/srv/files/a/.stowage-1.tmp"); // a folder pruned by a concurrent delete
        })) {
            StorageException e = Failures.storage(backend.uploadFile(source, "a/b.txt"));

            assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.detail()).contains("vanished during the upload").contains("/srv/files/a/.stowage-1.tmp");
        }
    }

    @Test
    void upload_sourceVanishes_isNotFoundNamingTheSource() throws Exception {
        Path source = Files.writeString(dir.resolve("src.txt"), "x");
        try (ScriptedBackend backend = new ScriptedBackend(IoExecutors.newPool("scripted", 1), stop -> {
            throw new NoSuchFileException(source.toString());
        })) {
            StorageException e = Failures.storage(backend.uploadFile(source, "a/b.txt"));

            assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.detail()).contains("source file does not exist").contains(source.toString());
        }
    }

    @Test
    void keysAndClosingAreCheckedBeforeTheCallRuns() throws Exception {
        Path source = Files.writeString(dir.resolve("src.txt"), "x");
        ScriptedBackend backend = new ScriptedBackend(IoExecutors.newPool("scripted", 1), stop -> {
            throw new AssertionError("must not run");
        });

        assertThat(Failures.storage(backend.uploadFile(source, "../x")).kind()).isEqualTo(ErrorKind.INVALID_KEY);
        assertThat(backend.getUrl("a b.txt")).isEqualTo(URI.create("https://cdn.example.com/a%20b.txt"));
        backend.close();
        assertThat(Failures.storage(backend.uploadFile(source, "x")).kind()).isEqualTo(ErrorKind.CLOSED);
    }
}
