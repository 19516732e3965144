package dev.stowage.local;

import dev.stowage.StorageBackend;
import dev.stowage.testkit.StorageBackendContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalBackend} that owns its files, against the backend contract, read back from the disk. */
class LocalBackendContractTest extends StorageBackendContract {
    @TempDir
    Path basePath;

    @Override
    protected StorageBackend createBackend() {
        return LocalBackend.builder()
                .basePath(basePath)
                .baseUrl("http://localhost:8080/files")
                .ownsFiles(true)
                .build();
    }

    @Override
    protected Optional<byte[]> readObject(String key) throws IOException {
        Path file = basePath.resolve(key);
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    /** Every file and folder under base_path, temporary files included, relative to it. */
    @Override
    protected Optional<Set<String>> storedNames() throws IOException {
        try (Stream<Path> paths = Files.walk(basePath)) {
            return Optional.of(paths.filter(p -> !p.equals(basePath))
                    .map(p -> basePath.relativize(p).toString() + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : ""))
                    .collect(Collectors.toSet()));
        }
    }
}
