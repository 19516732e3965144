package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileDigestTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} bytes in parts of {1}")
    @CsvSource({"0, 5242880", "1, 5242880", "1048575, 5242880", "5242880, 5242880", "5242881, 5242880",
            "12582917, 5242880", "15728640, 5242880", "3145728, 1048576", "7340033, 9223372036854775807"})
    void of_givesTheSizeTheSha256AndOnePartMd5PerPart(int size, long partSize) throws Exception {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Path file = Files.write(dir.resolve("f"), content);

        FileDigest digest = FileDigest.of(file, partSize, () -> false);

        assertThat(digest.sizeBytes()).isEqualTo(size);
        assertThat(digest.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        assertThat(digest.partMd5s()).isEqualTo(expectedMd5s(content, partSize));
    }

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"0", "1", "4096", "1048576"})
    void of_fileOfOneBufferOrLess_keepsExactlyTheBytesRead(int size) throws Exception {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Path file = Files.write(dir.resolve("f"), content);

        FileDigest digest = FileDigest.of(file, Long.MAX_VALUE, () -> false);
        Files.write(file, new byte[] {1, 2, 3}); // what is sent is what was hashed, not what is there now

        java.nio.ByteBuffer kept = digest.contentRead().orElseThrow();
        byte[] bytes = new byte[kept.remaining()];
        kept.get(bytes);
        assertThat(bytes).isEqualTo(content);
        assertThat(digest.contentRead().orElseThrow().remaining()).isEqualTo(size);
    }

    @Test
    void of_fileLargerThanOneBuffer_keepsNothing() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[MiB + 1]);

        assertThat(FileDigest.of(file, Long.MAX_VALUE, () -> false).contentRead()).isEmpty();
    }

    @Test
    void of_stopAsked_stopsWithCancellation() throws Exception {
        Path file = Files.write(dir.resolve("big"), new byte[8 * MiB]);
        AtomicInteger polls = new AtomicInteger();

        assertThatThrownBy(() -> FileDigest.of(file, Long.MAX_VALUE, () -> polls.incrementAndGet() > 2))
                .isInstanceOf(CancellationException.class);
        assertThat(polls).hasValue(3);
        // The MD5 side was released: hashing again works at once.
        assertThat(FileDigest.of(file, Long.MAX_VALUE, () -> false).sizeBytes()).isEqualTo(8 * MiB);
    }

    @Test
    void of_missingFile_throwsNoSuchFile() {
        assertThatThrownBy(() -> FileDigest.of(dir.resolve("missing"), Long.MAX_VALUE, () -> false))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    private static List<String> expectedMd5s(byte[] content, long partSize) throws Exception {
        List<String> parts = new ArrayList<>();
        for (long from = 0; from < content.length; from += partSize) {
            byte[] part = Arrays.copyOfRange(content, (int) from, (int) Math.min(content.length, from + partSize));
            parts.add(Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(part)));
        }
        if (parts.isEmpty()) {
            parts.add(Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(new byte[0])));
        }
        return parts;
    }
}
