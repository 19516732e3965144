package dev.stowage.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.Failures;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageException;
import dev.stowage.testfs.HookedFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalBackend} where the platform offers no {@link java.nio.file.SecureDirectoryStream}: it
 * falls back to the same walk by path, with the same results whenever nothing changes meanwhile.
 */
@Timeout(60)
class LocalBackendByPathTest {
    @TempDir
    Path temp;

    private Path base;
    private Path outside;
    private LocalBackend backend;

    @BeforeEach
    void open() throws IOException {
        base = Files.createDirectories(temp.resolve("base")).toRealPath();
        outside = Files.createDirectories(temp.resolve("outside")).toRealPath();
        backend = LocalBackend.builder().basePath(HookedFileSystem.withoutSecureStreams().wrap(base))
                .baseUrl("http://localhost:8080/files").ownsFiles(true).build();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void uploadStatListDelete_makeAndPruneFolders() throws Exception {
        Path source = Files.writeString(temp.resolve("source.txt"), "content");

        backend.uploadFile(source, "a/b/c.txt").get(30, TimeUnit.SECONDS);
        backend.uploadFile(source, "a/d.txt").get(30, TimeUnit.SECONDS);

        assertThat(base.resolve("a/b/c.txt")).hasContent("content");
        assertThat(backend.stat("a/b/c.txt").get(30, TimeUnit.SECONDS)).map(ObjectInfo::sizeBytes).hasValue(7L);
        assertThat(list()).containsExactly("a/b/c.txt", "a/d.txt");
        backend.deleteFile("a/b/c.txt").get(30, TimeUnit.SECONDS);
        assertThat(base.resolve("a/b")).doesNotExist();
        assertThat(base.resolve("a/d.txt")).exists();
        assertThat(temporaryNames()).isEmpty();
    }

    @Test
    void linkInsideBasePath_isFollowedAndKeptOnDelete() throws Exception {
        Path real = Files.createDirectories(base.resolve("real"));
        Files.createSymbolicLink(base.resolve("alias"), real);
        Path source = Files.writeString(temp.resolve("source.txt"), "inside");

        backend.uploadFile(source, "alias/x.txt").get(30, TimeUnit.SECONDS);
        assertThat(real.resolve("x.txt")).hasContent("inside");
        backend.deleteFile("alias/x.txt").get(30, TimeUnit.SECONDS);

        assertThat(real.resolve("x.txt")).doesNotExist();
        assertThat(base.resolve("alias")).isSymbolicLink();
        assertThat(real).isDirectory();
    }

    @Test
    void linkOutsideBasePath_failsAccessDenied() throws Exception {
        Files.writeString(outside.resolve("x.txt"), "outside");
        Files.createSymbolicLink(base.resolve("link"), outside);
        Path source = Files.writeString(temp.resolve("source.txt"), "intruder");

        assertThat(Failures.storage(backend.uploadFile(source, "link/x.txt")).kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(Failures.storage(backend.deleteFile("link/x.txt")).kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(outside.resolve("x.txt")).hasContent("outside");
    }

    @Test
    void basePathReplacedByLink_failsUnavailable() throws Exception {
        Files.move(base, temp.resolve("moved"));
        Files.createSymbolicLink(base, outside);

        StorageException e = Failures.storage(backend.stat("x.txt"));

        assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("base_path is gone: " + base);
    }

    private List<String> list() throws Exception {
        List<String> keys = new ArrayList<>();
        backend.forEach("", item -> keys.add(item.key())).get(30, TimeUnit.SECONDS);
        return keys;
    }

    private List<Path> temporaryNames() throws IOException {
        try (Stream<Path> paths = Files.walk(base)) {
            return paths.filter(p -> p.getFileName().toString().startsWith(LocalBackend.TEMP_PREFIX)).collect(Collectors.toList());
        }
    }
}
