package dev.stowage.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hashing on one thread: what an upload to S3 computes before it sends a file (its SHA-256 and
 * the Content-MD5, in one read, {@link FileDigest}) against the JDK's {@code MessageDigest} alone
 * over the same bytes already in memory, SHA-256 and MD5 each. Throughput in bytes per operation:
 * read the figures with {@code fileBytes}; the file sits in the page cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class DigestBenchmark {
    @Param({"4096", "8388608"})
    int fileBytes;

    private Path file;
    private byte[] content;
    private MessageDigest sha256;
    private MessageDigest md5;

    @Setup
    public void setUp() throws IOException, NoSuchAlgorithmException {
        content = new byte[fileBytes];
        new Random(fileBytes).nextBytes(content);
        file = Files.createTempFile("stowage-digest-bench", ".bin");
        Files.write(file, content);
        sha256 = MessageDigest.getInstance("SHA-256");
        md5 = MessageDigest.getInstance("MD5");
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public Object fileDigest_sha256AndMd5FromFile() throws IOException {
        return FileDigest.of(file, Long.MAX_VALUE, () -> false);
    }

    @Benchmark
    public byte[] reference_messageDigestSha256InMemory() {
        return sha256.digest(content);
    }

    @Benchmark
    public byte[] reference_messageDigestMd5InMemory() {
        return md5.digest(content);
    }
}
