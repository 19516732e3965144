package dev.stowage.bench;

import dev.stowage.sync.ScanOptions;
import dev.stowage.sync.Scanner;
import dev.stowage.sync.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The scanner's fast path: a rescan of an unchanged folder, where every file is stat'ed and
 * matched with its row of the state, and nothing is read or hashed. The reference is the JDK's own
 * walk reading each file's basic attributes, the least any scan does. Per operation: one whole
 * folder of {@code files} files (divide by it for the time per file).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
public class ScanBenchmark {
    @Param({"10000"})
    int files;

    private Path dir;
    private StateStore state;
    private Scanner scanner;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("stowage-scan-bench");
        Path folder = Files.createDirectories(dir.resolve("site"));
        byte[] content = new byte[1024];
        for (int i = 0; i < files; i++) {
            Path file = folder.resolve(String.format(Locale.ROOT, "d%02d/f%05d.html", i % 100, i));
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        }
        state = StateStore.open(dir.resolve("state.db"));
        scanner = new Scanner(folder, ScanOptions.defaults());
        scanner.scan(state); // the first scan hashes everything; the benchmark measures the rescans
    }

    @TearDown
    public void tearDown() throws IOException {
        state.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Benchmark
    public Object rescan_unchanged() {
        return scanner.scan(state);
    }

    @Benchmark
    public long reference_walkFileTree() throws IOException {
        long[] size = {0};
        Files.walkFileTree(dir.resolve("site"), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                size[0] += attributes.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return size[0];
    }
}
