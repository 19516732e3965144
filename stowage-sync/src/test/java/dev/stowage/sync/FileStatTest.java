package dev.stowage.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two ways a stat is read (the JDK's own attributes, the {@code unix} view's map) give the same figures. */
class FileStatTest {
    @TempDir
    Path dir;

    @Test
    void theTestsReadTheJdksOwnAttributes_asTheStowageJarDoes() {
        assertThat(FileStat.readsJdkAttributes()).as("the build opens sun.nio.fs to the tests").isTrue();
    }

    @Test
    void aFileAFolderAndALink_readTheSameBothWays() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "alpha");
        Path folder = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);

        assertThat(FileStat.of(file, false)).isEqualTo(FileStat.viaUnixView(file, LinkOption.NOFOLLOW_LINKS))
                .extracting(FileStat::type).isEqualTo(FileStat.Type.FILE);
        assertThat(FileStat.of(folder, false)).isEqualTo(FileStat.viaUnixView(folder, LinkOption.NOFOLLOW_LINKS))
                .extracting(FileStat::type).isEqualTo(FileStat.Type.DIRECTORY);
        assertThat(FileStat.of(link, false)).isEqualTo(FileStat.viaUnixView(link, LinkOption.NOFOLLOW_LINKS))
                .extracting(FileStat::type).isEqualTo(FileStat.Type.LINK);
        assertThat(FileStat.of(link, true)).isEqualTo(FileStat.viaUnixView(link)).isEqualTo(FileStat.of(file, false));
        assertThat(FileStat.of(file, false).inode())
                .isEqualTo(((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue());
    }

    @Test
    void entriesReadRelativeToTheirOpenFolder_readAsTheirPaths() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "alpha");
        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link"), file);
        int seen = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            assertThat(stream).as("Linux opens folders for relative reads").isInstanceOf(SecureDirectoryStream.class);
            SecureDirectoryStream<Path> open = (SecureDirectoryStream<Path>) stream;
            for (Path entry : stream) {
                assertThat(FileStat.in(open, entry, false)).as(entry.toString()).isEqualTo(FileStat.of(entry, false));
                assertThat(FileStat.in(open, entry, true)).as(entry.toString()).isEqualTo(FileStat.of(entry, true));
                seen++;
            }
        }
        assertThat(seen).isEqualTo(3);
    }

    @Test
    void contentRewrittenWithItsSizeAndTimeKept_showsInItsCtime() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "alpha");
        FileTime mtime = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(file, mtime);
        FileStat before = FileStat.of(file, false);
        Thread.sleep(20); // the ctime moves on with the clock, whose ticks may be coarse
        Files.writeString(file, "omega");
        Files.setLastModifiedTime(file, mtime);
        FileStat after = FileStat.of(file, false);

        assertThat(after.size()).isEqualTo(before.size());
        assertThat(after.mtimeNanos()).isEqualTo(before.mtimeNanos());
        assertThat(after.ctimeNanos()).isGreaterThan(before.ctimeNanos());
        assertThat(after.sameAs(before)).isFalse();
    }
}
