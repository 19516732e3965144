package dev.stowage.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadAheadSha256Test {
    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, MiB - 1, MiB, MiB + 1, 2 * MiB, 5 * MiB + 3})
    void hashesWhatTheFileHolds_andTellsEveryByte(int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        Path file = Files.write(dir.resolve("f.bin"), bytes);
        AtomicLong told = new AtomicLong();
        String sha256;
        try (ReadAheadSha256 hasher = new ReadAheadSha256(); FileChannel channel = FileChannel.open(file)) {
            sha256 = hasher.of(channel, told::addAndGet);
        }
        assertThat(sha256).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(told).hasValue(size);
    }

    @Test
    void aFailedReadFailsTheHash_withWhatTheReadFailedWith() throws Exception {
        Path file = Files.write(dir.resolve("f.bin"), new byte[3 * MiB]);
        FileChannel channel = FileChannel.open(file);
        channel.close();
        try (ReadAheadSha256 hasher = new ReadAheadSha256()) {
            assertThatThrownBy(() -> hasher.of(channel, n -> { })).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void oneHasherServesFilesOneAfterAnother() throws Exception {
        try (ReadAheadSha256 hasher = new ReadAheadSha256()) {
            for (int i = 0; i < 3; i++) {
                byte[] bytes = new byte[MiB + i];
                new Random(i).nextBytes(bytes);
                Path file = Files.write(dir.resolve(i + ".bin"), bytes);
                try (FileChannel channel = FileChannel.open(file)) {
                    assertThat(hasher.of(channel, n -> { }))
                            .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
                }
            }
        }
    }
}
