package dev.stowage.bench;

import dev.stowage.local.LocalBackend;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * What {@link LocalBackend} costs over the plain JDK: a copy-in upload against
 * {@code Files.copy} + fsync + atomic rename done by hand on the caller's thread (the reference),
 * and the zero-copy upload of a file already in place against the same stat calls made directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LocalUploadBenchmark {
    @Param({"4096", "16777216"})
    public int sizeBytes;

    private Path dir;
    private Path source;
    private Path inPlace;
    private Path referenceTarget;
    private LocalBackend backend;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("stowage-bench");
        byte[] data = new byte[sizeBytes];
        new Random(42).nextBytes(data);
        source = Files.write(Files.createTempFile("stowage-bench-src", ".bin"), data);
        inPlace = Files.write(dir.resolve("in-place.bin"), data);
        referenceTarget = dir.resolve("reference.bin");
        backend = LocalBackend.builder().basePath(dir).baseUrl("http://localhost:8080/").build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        backend.close();
        Files.deleteIfExists(source);
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Object copyIn_localBackend() {
        return backend.uploadFile(source, "copied.bin").join();
    }

    @Benchmark
    public Object copyIn_reference_filesCopyFsyncRename() throws IOException {
        Path temp = dir.resolve(".reference.tmp");
        Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        return Files.move(temp, referenceTarget, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Benchmark
    public Object inPlace_localBackend() {
        return backend.uploadFile(inPlace, "in-place.bin").join();
    }

    /** The file-system calls the zero-copy path makes, without the executor hop and the key checks. */
    @Benchmark
    public boolean inPlace_reference_statCalls() throws IOException {
        Path target = dir.resolve("./in-place.bin"); // a different Path object, so isSameFile really stats
        Files.readAttributes(inPlace, java.nio.file.attribute.BasicFileAttributes.class);
        target.toRealPath();
        return Files.exists(target) && Files.isSameFile(inPlace, target);
    }
}
