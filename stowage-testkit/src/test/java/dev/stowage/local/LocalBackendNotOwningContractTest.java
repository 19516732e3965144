package dev.stowage.local;

import dev.stowage.StorageBackend;
import dev.stowage.testkit.StorageBackendContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/** The contract for LocalBackend as configured by default: the files belong to someone else, delete is a no-op. */
class LocalBackendNotOwningContractTest extends StorageBackendContract {
    @TempDir
    Path basePath;

    @Override
    protected StorageBackend createBackend() {
        return LocalBackend.builder().basePath(basePath).baseUrl("http://localhost:8080/files").build();
    }

    @Override
    protected Optional<byte[]> readObject(String key) throws IOException {
        Path file = basePath.resolve(key);
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    @Override
    protected boolean deletes() {
        return false;
    }
}
