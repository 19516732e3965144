package dev.stowage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.Failures;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What MemoryBackend does beyond the contract. */
class MemoryBackendTest {
    @TempDir
    Path dir;

    @Test
    void upload_callersSha256DoesNotMatch_failsIntegrityNotRetryable_andKeepsTheOldObject() throws Exception {
        Path v1 = Files.writeString(dir.resolve("v1.txt"), "version one");
        Path v2 = Files.writeString(dir.resolve("v2.txt"), "version two");
        try (MemoryBackend memory = MemoryBackend.create()) {
            memory.uploadFile(v1, "a.txt").join();
            String sha256OfV1 = memory.stat("a.txt").join().orElseThrow().sha256().orElseThrow();

            StorageException e = Failures.storage(memory.uploadFile(v2, "a.txt",
                    UploadOptions.builder().sha256(sha256OfV1).build()));

            assertThat(e.kind()).isEqualTo(ErrorKind.INTEGRITY);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.detail()).contains(sha256OfV1).contains("the caller gave");
            assertThat(memory.content("a.txt")).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("version one"));
        }
    }
}
