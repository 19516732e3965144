package dev.stowage.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallFileCacheTest {
    /** When the files below were last modified: long enough before {@link #NOW} to be kept. */
    private static final Instant THEN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NOW = THEN.plus(Duration.ofHours(1));

    @TempDir
    Path dir;
    private final SmallFileCache cache = new SmallFileCache(100);

    @Test
    void fileAsItWasRead_isServedFromTheCache() throws IOException {
        Path file = write("a.txt", "first");
        ByteBuffer sent = cache.put(file, attributes(file), bytes("first"), NOW);

        assertThat(text(sent)).isEqualTo("first");
        assertThat(sent.isDirect()).isTrue();
        SmallFileCache.Kept kept = cache.get(file, attributes(file));
        assertThat(text(kept.bytes())).isEqualTo("first");
        assertThat(text(cache.get(file, attributes(file)).bytes())).as("each get is a buffer of its own to write").isEqualTo("first");
        assertThat(kept.contentLength().getValue()).isEqualTo("5");
        assertThat(kept.etag().getValue()).isEqualTo(FileContent.strongEtag(attributes(file)));
        assertThat(kept.lastModified().getValue()).isEqualTo("Thu, 01 Jan 2026 00:00:00 GMT");
    }

    @Test
    void fileModifiedLately_isNotKept_asAWriteMayBeUnderWay() throws IOException {
        Path file = write("a.txt", "first");
        Instant justAfter = THEN.plus(SmallFileCache.RACY).minusMillis(1);

        assertThat(text(cache.put(file, attributes(file), bytes("first"), justAfter))).isEqualTo("first");
        assertThat(cache.holds(file)).isFalse();
        cache.put(file, attributes(file), bytes("first"), THEN.plus(SmallFileCache.RACY));
        assertThat(cache.holds(file)).isTrue();
    }

    @Test
    void fileReplacedByRename_sameSizeAndTime_isNotServedFromTheCache() throws IOException {
        Path file = write("a.txt", "first");
        cache.put(file, attributes(file), bytes("first"), NOW);

        Path next = write("a.txt.tmp", "other");
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(cache.get(file, attributes(file))).as("another inode").isNull();
        assertThat(cache.holds(file)).as("the entry of the file replaced goes").isFalse();
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void fileRewrittenInPlace_isNotServedFromTheCache() throws IOException {
        Path file = write("a.txt", "first");
        cache.put(file, attributes(file), bytes("first"), NOW);
        Files.setLastModifiedTime(file, FileTime.from(THEN.plusSeconds(1)));
        assertThat(cache.get(file, attributes(file))).as("another modification time").isNull();

        cache.put(file, attributes(file), bytes("first"), NOW);
        Files.writeString(file, "first, longer");
        Files.setLastModifiedTime(file, FileTime.from(THEN.plusSeconds(1)));
        assertThat(cache.get(file, attributes(file))).as("another size").isNull();
    }

    @Test
    void filePermissionsChanged_isNotServedFromTheCache_soThatItsReadingIsCheckedAgain() throws IOException {
        Path file = write("a.txt", "first");
        cache.put(file, posix(file), bytes("first"), NOW);
        assertThat(cache.get(file, posix(file))).isNotNull();

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assertThat(cache.get(file, posix(file))).as("another mode").isNull();
        assertThat(cache.holds(file)).isFalse();
    }

    @Test
    void bytesReadThatAreNotTheSizeTheAttributesSaid_areNotKept() throws IOException {
        Path file = write("a.txt", "first");
        ByteBuffer read = bytes("fir");

        assertThat(cache.put(file, attributes(file), read, NOW)).isSameAs(read);
        assertThat(cache.holds(file)).isFalse();
    }

    @Test
    void full_keepsWhatItHolds_andTakesNewFilesOnceRoomIsMade() throws IOException {
        Path[] files = new Path[4];
        for (int i = 0; i < files.length; i++) {
            files[i] = write("f" + i, "x".repeat(30));
            cache.put(files[i], attributes(files[i]), bytes("x".repeat(30)), NOW);
        }
        assertThat(cache.bytes()).isEqualTo(90);
        assertThat(cache.holds(files[3])).as("no room: not kept, and nothing kept goes for it").isFalse();
        assertThat(cache.holds(files[0])).isTrue();

        Files.writeString(files[0], "changed");
        Files.setLastModifiedTime(files[0], FileTime.from(THEN));
        assertThat(cache.get(files[0], attributes(files[0]))).isNull();
        cache.put(files[3], attributes(files[3]), bytes("x".repeat(30)), NOW);
        assertThat(cache.holds(files[3])).as("the changed file's entry made room").isTrue();
        assertThat(cache.bytes()).isEqualTo(90);
    }

    private Path write(String name, String text) throws IOException {
        Path file = Files.writeString(dir.resolve(name), text);
        Files.setLastModifiedTime(file, FileTime.from(THEN));
        return file;
    }

    /** The attributes as the server's lookup reads them on Linux: POSIX ones, permissions among them. */
    private static BasicFileAttributes posix(Path file) throws IOException {
        return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static BasicFileAttributes attributes(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
