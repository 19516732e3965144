package dev.stowage.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ResumeJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBackendStaleTempsTest {
    @TempDir
    Path base;
    @TempDir
    Path outside;

    private static Path file(Path path, Instant mtime) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "x");
        Files.setLastModifiedTime(path, FileTime.from(mtime));
        return path;
    }

    @Test
    void abortStaleUploads_removesOldTemporaries_keepsFreshOnesAndEverythingElse() throws IOException {
        Instant old = Instant.now().minus(Duration.ofHours(3));
        Path staleFile = file(base.resolve("a/.stowage-1.tmp"), old);
        Path staleFolder = base.resolve(".stowage-2.tmp");
        file(staleFolder.resolve("inner/deep.txt"), old);
        Files.setLastModifiedTime(staleFolder, FileTime.from(old));
        Path fresh = file(base.resolve("b/.stowage-3.tmp"), Instant.now());
        Path oldButOurs = file(base.resolve("a/report.tmp"), old);
        Path outsideTemp = file(outside.resolve(".stowage-4.tmp"), old);
        Files.createSymbolicLink(base.resolve("link"), outside);

        try (LocalBackend local = LocalBackend.builder().basePath(base).baseUrl("http://127.0.0.1/").build()) {
            long removed = local.abortStaleUploads(Duration.ofHours(1), ResumeJournal.NONE).join();

            assertThat(removed).isEqualTo(2);
        }
        assertThat(staleFile).doesNotExist();
        assertThat(staleFolder).doesNotExist();
        assertThat(fresh).exists();
        assertThat(oldButOurs).exists();
        assertThat(outsideTemp).as("a link is not followed").exists();
    }
}
