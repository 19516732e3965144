package dev.stowage.bench;

import dev.stowage.sync.ScanOptions;
import dev.stowage.sync.ScanReport;
import dev.stowage.sync.Scanner;
import dev.stowage.sync.StateStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Measures the scanner on a folder, as a whole process: a first scan with an empty state (every
 * file read and hashed), then a rescan of the unchanged folder (stats only), with the wall time
 * and the peak heap of each. Compare with {@code sha256sum} and {@code find DIR -printf '%s %T@\n'}
 * on the same folder, in the same session.
 *
 * <pre>
 * java -Xmx256m -cp stowage-bench/target/benchmarks.jar dev.stowage.bench.ScanFigures [--once] DIR [STATE_DB]
 * </pre>
 *
 * The state goes to a temporary file unless given; it is deleted at the end in that case. With
 * {@code --once}, one scan only: a first scan with a new state, or a rescan with a state given
 * that already holds the folder; so a whole-process timing measures that one phase.
 */
public final class ScanFigures {
    private ScanFigures() {
    }

    public static void main(String[] args) throws IOException {
        boolean once = args.length > 0 && args[0].equals("--once");
        if (once) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ScanFigures [--once] DIR [STATE_DB]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path tempState = args.length == 2 ? null : Files.createTempDirectory("stowage-scan-figures");
        Path stateFile = args.length == 2 ? Path.of(args[1]) : tempState.resolve("state.db");
        try (StateStore state = StateStore.open(stateFile)) {
            Scanner scanner = new Scanner(dir, ScanOptions.defaults());
            boolean fresh = state.fileCount() == 0;
            print(fresh ? "first scan" : "rescan", measure(scanner, state));
            if (!once) {
                print("rescan", measure(scanner, state));
            }
        } finally {
            if (tempState != null) {
                try (var files = Files.list(tempState)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(tempState);
            }
        }
    }

    private record Figures(ScanReport report, long peakHeapBytes) {
    }

    private static Figures measure(Scanner scanner, StateStore state) {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        ScanReport report = scanner.scan(state);
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return new Figures(report, peak);
    }

    private static void print(String what, Figures f) {
        ScanReport r = f.report();
        double seconds = r.elapsed().toNanos() / 1e9;
        System.out.printf(Locale.ROOT, "%-10s %9d files %12d bytes  hashed %9d files %12d bytes  %8.3f s  %8.1f MiB/s"
                        + "  peak heap %6.1f MiB  problems %d  (max heap %d MiB)%n",
                what, r.files(), r.bytes(), r.hashedFiles(), r.hashedBytes(), seconds,
                r.hashedBytes() / 1048576.0 / seconds, f.peakHeapBytes() / 1048576.0, r.problemCount(),
                Runtime.getRuntime().maxMemory() / 1048576);
    }
}
