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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallFileCacheTest {
    @TempDir
    Path dir;
    private final SmallFileCache cache = new SmallFileCache(100);

    @Test
    void fileAsItWasRead_isServedFromTheCache() throws IOException {
        Path file = write("a.txt", "first");
        BasicFileAttributes before = attributes(file);
        ByteBuffer sent = cache.put(file, before, bytes("first"));

        assertThat(text(sent)).isEqualTo("first");
        assertThat(sent.isDirect()).isTrue();
        assertThat(text(cache.get(file, attributes(file)))).isEqualTo("first");
        assertThat(text(cache.get(file, attributes(file)))).as("each get is a buffer of its own to write").isEqualTo("first");
    }

    @Test
    void fileReplacedByRename_sameSizeAndTime_isNotServedFromTheCache() throws IOException {
        Path file = write("a.txt", "first");
        BasicFileAttributes before = attributes(file);
        cache.put(file, before, bytes("first"));

        Path next = write("a.txt.tmp", "other");
        Files.setLastModifiedTime(next, before.lastModifiedTime());
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(cache.get(file, attributes(file))).as("another inode").isNull();
    }

    @Test
    void fileRewrittenInPlace_isNotServedFromTheCache() throws IOException {
        Path file = write("a.txt", "first");
        cache.put(file, attributes(file), bytes("first"));
        Files.setLastModifiedTime(file, FileTime.fromMillis(attributes(file).lastModifiedTime().toMillis() + 1000));
        assertThat(cache.get(file, attributes(file))).as("another modification time").isNull();

        Files.writeString(file, "first, longer");
        assertThat(cache.get(file, attributes(file))).as("another size").isNull();
    }

    @Test
    void bytesReadThatAreNotTheSizeTheAttributesSaid_areNotKept() throws IOException {
        Path file = write("a.txt", "first");
        ByteBuffer read = bytes("fir");

        assertThat(cache.put(file, attributes(file), read)).isSameAs(read);
        assertThat(cache.holds(file)).isFalse();
    }

    @Test
    void keptBytes_stayWithinTheBound() throws IOException {
        for (int i = 0; i < 10; i++) {
            Path file = write("f" + i, "x".repeat(30));
            cache.put(file, attributes(file), bytes("x".repeat(30)));
            assertThat(cache.bytes()).isLessThanOrEqualTo(100);
            assertThat(cache.holds(file)).as("the newest entry stays").isTrue();
        }
        Path large = write("large", "y".repeat(101));
        ByteBuffer read = bytes("y".repeat(101));
        assertThat(cache.put(large, attributes(large), read)).as("larger than the whole bound: not kept").isSameAs(read);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
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
