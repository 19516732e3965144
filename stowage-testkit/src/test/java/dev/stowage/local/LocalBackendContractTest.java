package dev.stowage.local;

import dev.stowage.StorageBackend;
import dev.stowage.testkit.StorageBackendContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalBackend} that owns its files, against the backend contract, read back from the disk. */
class LocalBackendContractTest extends StorageBackendContract {
    @TempDir
    Path basePath;

    /** Whether the backend under test owns its files, and so deletes them. */
    boolean ownsFiles() {
        return true;
    }

    private LocalBackend.Builder builder() {
        return LocalBackend.builder().basePath(basePath).baseUrl("http://localhost:8080/files").ownsFiles(ownsFiles());
    }

    @Override
    protected StorageBackend createBackend() {
        return builder().build();
    }

    @Override
    protected Optional<StorageBackend> createBackendOn(Executor executor) {
        return Optional.of(builder().executor(executor).build());
    }

    @Override
    protected Optional<byte[]> readObject(String key) throws IOException {
        Path file = basePath.resolve(key);
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    /** Every file and folder under base_path, temporary files included, relative to it; folders end with '/'. */
    @Override
    protected Set<String> storedNames() throws IOException {
        try (Stream<Path> paths = Files.walk(basePath)) {
            return paths.filter(p -> !p.equals(basePath))
                    .map(p -> basePath.relativize(p) + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : ""))
                    .collect(Collectors.toSet());
        }
    }

    /** An upload cancelled midway deletes its temporary file as its copy stops, at the end of a chunk. */
    @Override
    protected void awaitNoLeftovers() throws Exception {
        awaitUntil("no temporary file is left under " + basePath, () -> temporaryFiles().isEmpty());
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> paths = Files.walk(basePath)) {
            return paths.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(LocalBackend.TEMP_PREFIX) && name.endsWith(".tmp");
            }).collect(Collectors.toList());
        }
    }
}
