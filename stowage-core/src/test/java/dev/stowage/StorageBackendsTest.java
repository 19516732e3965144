package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.local.LocalBackend;
import dev.stowage.memory.MemoryBackend;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageBackendsTest {
    @TempDir
    Path dir;

    @Test
    void open_fileUri_givesLocalBackendWithItsSettings() throws Exception {
        String uri = "file://" + dir + "?base_url=http://localhost:8080/files&owns_files=true";
        try (StorageBackend backend = StorageBackends.open(uri)) {
            LocalBackend local = backend.unwrap(LocalBackend.class).orElseThrow();
            assertThat(local.basePath()).isEqualTo(dir.toRealPath());
            assertThat(local.ownsFiles()).isTrue();
            assertThat(local.getUrl("a b.txt")).isEqualTo(URI.create("http://localhost:8080/files/a%20b.txt"));
            Path source = Files.writeString(dir.resolve("src.txt"), "x");
            local.uploadFile(source, "copy.txt").join();
            assertThat(dir.resolve("copy.txt")).hasContent("x");
        }
    }

    @Test
    void open_memoryUri_givesMemoryBackend() {
        try (StorageBackend backend = StorageBackends.open("memory:")) {
            assertThat(backend.unwrap(MemoryBackend.class)).isPresent();
            assertThat(backend.getUrl("a")).isEqualTo(URI.create("memory:///a"));
        }
        try (StorageBackend backend = StorageBackends.open("memory:test?base_url=https://cdn.example.com")) {
            assertThat(backend.getUrl("a")).isEqualTo(URI.create("https://cdn.example.com/a"));
        }
    }

    @Test
    void open_unknownScheme_namesItAndTheKnownOnes() {
        assertThatThrownBy(() -> StorageBackends.open("ftp://host/x"))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG))
                .hasMessageContaining("'ftp:'")
                .hasMessageContaining("file, flaky, memory");
    }

    @Test
    void open_fileWithoutBaseUrl_namesTheSetting() {
        assertThatThrownBy(() -> StorageBackends.open("file://" + dir))
                .hasMessageContaining("'base_url' is required");
    }

    @Test
    void open_fileWithHost_explainsThreeSlashes() {
        assertThatThrownBy(() -> StorageBackends.open("file://srv/files?base_url=http://h/"))
                .hasMessageContaining("three slashes");
    }

    @Test
    void open_fileWithUnknownSetting_namesIt() {
        assertThatThrownBy(() -> StorageBackends.open("file://" + dir + "?base_url=http://h/&owns_file=true"))
                .hasMessageContaining("unknown setting 'owns_file'");
    }

    @Test
    void providers_listsCoreSchemes_despiteAProviderThatCannotBeLoaded() {
        // The test class path also registers dev.stowage.spi.NoSuchProvider, which does not exist.
        assertThat(StorageBackends.providers()).containsKeys("file", "memory", "broken", "twin");
    }

    @Test
    void open_providerThatThrowsSomethingElse_givesInvalidConfigNamingTheScheme() {
        assertThatThrownBy(() -> StorageBackends.open("broken://x?secret_key=TOPSECRET"))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG))
                .hasMessageContaining("broken:")
                .hasMessageContaining("bug in the provider")
                .hasMessageNotContaining("TOPSECRET");
    }

    @Test
    void open_twoProvidersForOneScheme_namesBoth() {
        assertThatThrownBy(() -> StorageBackends.open("twin:"))
                .hasMessageContaining("more than one backend claims scheme 'twin:'")
                .hasMessageContaining("TwinA").hasMessageContaining("TwinB");
    }

    @Test
    void open_fileWithBadPath_isInvalidConfigNamingBasePath() {
        assertThatThrownBy(() -> StorageBackends.open("file:///tmp/a%00b?base_url=http://h/"))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG))
                .hasMessageContaining("base_path");
    }

    @Test
    void open_fileWithTooManyThreads_namesTheSetting() {
        assertThatThrownBy(() -> StorageBackends.open("file://" + dir + "?base_url=http://h/&io_threads=5000"))
                .hasMessageContaining("'io_threads' must be from 1 to 1024");
    }

    @Test
    void open_retriesByDefault_andRetriesSettingsShapeIt() throws Exception {
        Path source = Files.writeString(dir.resolve("f.txt"), "x");
        // The flaky: scheme fails its first N operations with UNAVAILABLE.
        try (StorageBackend backend = StorageBackends.open("flaky:?fail_first=3&retry_delay=1ms")) {
            assertThat(backend.uploadFile(source, "a.txt").join()).isEqualTo(URI.create("memory:///a.txt"));
        }
        try (StorageBackend backend = StorageBackends.open("flaky:?fail_first=4&retry_delay=1ms")) {
            assertThatThrownBy(() -> backend.uploadFile(source, "a.txt").join()).cause()
                    .isInstanceOfSatisfying(StorageException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                        assertThat(e.isRetryable()).as("retryable after the last attempt").isFalse();
                        assertThat(e.detail()).contains("gave up after 4 attempts");
                    });
        }
        try (StorageBackend backend = StorageBackends.open("flaky:?fail_first=1&retries=0")) {
            assertThatThrownBy(() -> backend.stat("a.txt").join()).cause()
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isRetryable()).isTrue());
            assertThat(backend.unwrap(MemoryBackend.class)).isPresent();
        }
        try (StorageBackend backend = StorageBackends.open("flaky:?fail_first=5&retries=5&retry_delay=1ms&retry_max_delay=2ms")) {
            assertThat(backend.deleteFile("a.txt")).succeedsWithin(java.time.Duration.ofSeconds(10));
        }
    }

    @Test
    void open_badRetrySettings_failNamingTheSetting() {
        assertThatThrownBy(() -> StorageBackends.open("memory:?retries=-1"))
                .isInstanceOf(StorageException.class).hasMessageContaining("'retries'").hasMessageContaining("from 0 to 20");
        assertThatThrownBy(() -> StorageBackends.open("memory:?retry_delay=soon"))
                .isInstanceOf(StorageException.class).hasMessageContaining("'retry_delay'").hasMessageContaining("500ms");
        assertThatThrownBy(() -> StorageBackends.open("memory:?retry_delay=2s&retry_max_delay=1s"))
                .isInstanceOf(StorageException.class).hasMessageContaining("'retry_max_delay'");
        assertThatThrownBy(() -> StorageBackends.open("memory:?retry_delay=3000000h"))
                .isInstanceOf(StorageException.class).hasMessageContaining("'retry_delay'").hasMessageContaining("at most 1h");
        assertThatThrownBy(() -> StorageBackends.open("memory:?retrys=2"))
                .isInstanceOf(StorageException.class).hasMessageContaining("'retrys'").hasMessageContaining("retries");
    }
}
