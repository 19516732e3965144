package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.internal.Digests;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartReaderTest {
    @TempDir
    Path dir;

    @Test
    void parts_readInOrder_holdTheirBytes_andTheirShaIsTheWholeFiles() throws Exception {
        byte[] content = bytes(1000);
        Path file = Files.write(dir.resolve("f"), content);
        PartReader reader = new PartReader(file, content.length, 300);
        assertThat(reader.partCount()).isEqualTo(4);
        assertThat(reader.length(4)).isEqualTo(100);
        assertThat(reader.buffered()).isTrue();
        assertThat(new PartReader(file, 100L << 30, 65L << 20).buffered()).as("parts over 64 MiB are hashed in place").isFalse();

        ByteBuffer buffer = ByteBuffer.allocateDirect(300); // of the part size, the last part's too
        for (int number = 1; number <= 4; number++) {
            assertThat(reader.done()).isFalse();
            reader.read(number, buffer);
            byte[] part = Arrays.copyOfRange(content, (number - 1) * 300, Math.min(number * 300, 1000));
            byte[] read = new byte[buffer.remaining()];
            buffer.duplicate().get(read);
            assertThat(read).as("part " + number).isEqualTo(part);
            assertThat(PartReader.md5(buffer)).isEqualTo(md5(part));
            assertThat(buffer.remaining()).as("the MD5 leaves the buffer as it was").isEqualTo(part.length);
        }
        assertThat(reader.done()).isTrue();
        assertThat(reader.sha256()).isEqualTo(Digests.hex(Digests.sha256().digest(content)));
    }

    @Test
    void partsHashedInPlace_giveTheirMd5_andCountTowardsTheSha() throws Exception {
        byte[] content = bytes(5000);
        Path file = Files.write(dir.resolve("f"), content);
        PartReader reader = new PartReader(file, content.length, 3000);

        assertThat(reader.hashInPlace(1)).isEqualTo(md5(Arrays.copyOfRange(content, 0, 3000)));
        reader.read(2, ByteBuffer.allocate(3000));
        assertThat(reader.sha256()).isEqualTo(Digests.hex(Digests.sha256().digest(content)));
        assertThat(PartReader.md5(file, 3000, 2000)).isEqualTo(md5(Arrays.copyOfRange(content, 3000, 5000)));
    }

    @Test
    void partOutOfOrder_isRefused_andTheShaOnlyOnceAllIsRead() throws Exception {
        Path file = Files.write(dir.resolve("f"), bytes(100));
        PartReader reader = new PartReader(file, 100, 40);

        assertThatThrownBy(() -> reader.read(2, ByteBuffer.allocate(40))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("part 2 read out of order: part 1 is next");
        assertThatThrownBy(reader::sha256).isInstanceOf(IllegalStateException.class).hasMessageContaining("part 1 of 3");
    }

    @Test
    void fileShorterThanPlanned_failsWithEofNamingWhereItEnds() throws Exception {
        Path file = Files.write(dir.resolve("f"), bytes(250));
        PartReader reader = new PartReader(file, 300, 200);
        reader.read(1, ByteBuffer.allocate(200));

        assertThatThrownBy(() -> reader.read(2, ByteBuffer.allocate(200))).isInstanceOf(EOFException.class)
                .hasMessage("the file ends at byte 250, not at byte 300 or later as planned");
        PartReader inPlace = new PartReader(file, 300, 200);
        inPlace.hashInPlace(1);
        assertThatThrownBy(() -> inPlace.hashInPlace(2)).isInstanceOf(EOFException.class).hasMessageContaining("ends at byte 250");
        assertThatThrownBy(() -> PartReader.md5(file, 200, 100)).isInstanceOf(EOFException.class)
                .hasMessageContaining("ends at byte 250");
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static String md5(byte[] bytes) {
        return Base64.getEncoder().encodeToString(Digests.md5().digest(bytes));
    }
}
