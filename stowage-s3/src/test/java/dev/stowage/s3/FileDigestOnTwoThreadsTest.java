package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link FileDigest} with its MD5 side on threads of its own: the same digests as on one thread. */
class FileDigestOnTwoThreadsTest {
    private static final int MiB = 1 << 20;
    private static final Executor REFUSES = task -> {
        throw new RejectedExecutionException("no MD5 threads here");
    };

    @TempDir
    Path dir;
    private final ExecutorService md5Thread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopThreads() {
        md5Thread.shutdownNow();
    }

    @ParameterizedTest(name = "{0} bytes in parts of {1}")
    @CsvSource({"0, 5242880", "1048577, 5242880", "5242880, 5242880", "12582917, 5242880", "3145728, 1048576",
            "7340033, 9223372036854775807"})
    void of_givesWhatOneThreadGives(int size, long partSize) throws Exception {
        Path file = file(size);

        FileDigest digest = FileDigest.of(file, partSize, () -> false, md5Thread);

        assertThat(digest).isEqualTo(FileDigest.of(file, partSize, () -> false));
        assertThat(digest.sizeBytes()).isEqualTo(size);
    }

    @Test
    void of_fileOfOneBufferOrLess_needsNoMd5Thread() throws Exception {
        Path small = file(MiB);
        Path larger = file(MiB + 1);

        assertThat(FileDigest.of(small, Long.MAX_VALUE, () -> false, REFUSES)).isEqualTo(FileDigest.of(small, Long.MAX_VALUE, () -> false));
        assertThatThrownBy(() -> FileDigest.of(larger, Long.MAX_VALUE, () -> false, REFUSES))
                .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void of_stopAsked_stopsWithCancellationAndFreesTheMd5Thread() throws Exception {
        Path file = file(8 * MiB);
        AtomicInteger polls = new AtomicInteger();

        assertThatThrownBy(() -> FileDigest.of(file, Long.MAX_VALUE, () -> polls.incrementAndGet() > 2, md5Thread))
                .isInstanceOf(CancellationException.class);
        // The one MD5 thread was let go: hashing again on it works.
        assertThat(FileDigest.of(file, Long.MAX_VALUE, () -> false, md5Thread).partMd5s()).hasSize(1);
    }

    @Test
    void of_severalFilesSharingOneMd5Thread_eachGetsItsOwnDigests() throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(3);
        try {
            List<Path> files = List.of(file(3 * MiB), file(4 * MiB + 7), file(5 * MiB + 3));
            var digests = files.stream().map(f -> readers.submit(() -> FileDigest.of(f, 2 * MiB, () -> false, md5Thread))).toList();
            for (int i = 0; i < files.size(); i++) {
                assertThat(digests.get(i).get()).isEqualTo(FileDigest.of(files.get(i), 2 * MiB, () -> false));
            }
        } finally {
            readers.shutdownNow();
        }
    }

    private Path file(int size) throws Exception {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        return Files.write(Files.createTempFile(dir, "f", ".bin"), content);
    }
}
