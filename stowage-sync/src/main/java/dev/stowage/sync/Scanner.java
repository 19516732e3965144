package dev.stowage.sync;

import dev.stowage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a folder into the state's {@link Snapshot}: for every regular file its key (its path under the
 * root, {@code /}-separated, Unicode NFC), size, modification time and SHA-256.
 *
 * <pre>{@code
 * try (StateStore state = StateStore.open(root.resolve(".stowage/state.db"))) {
 *     ScanReport report = new Scanner(root, ScanOptions.defaults()).scan(state);
 *     System.out.println(report.files() + " files, " + report.hashedBytes() + " bytes read");
 * }
 * }</pre>
 *
 * <p>Incremental: a file whose size, mtime, inode and ctime match the last scan is not read again,
 * so a rescan of an unchanged tree only stats. The walk runs in key order and merges with the last
 * scan read in the same order, and hashing runs on {@link ScanOptions#hashThreads()} threads with a
 * bounded queue: memory stays small whatever the tree's size. The walk itself (listings and stats)
 * runs a little ahead of the merge, on a thread of its own ({@link WalkAhead}).
 *
 * <p>A file that cannot be taken (unreadable, a name that makes no valid key, changing while read)
 * is reported in {@link ScanReport#problems()} and skipped; if the last scan had it, it keeps its
 * last known state. Only a file that is really gone leaves the snapshot.
 *
 * <p>Thread-safe: a scanner holds no state between scans, but two scans of one state at once
 * would race; the {@link CacheManager} runs one at a time.
 */
public final class Scanner {
    private static final Logger LOG = LoggerFactory.getLogger(Scanner.class);

    private final Path root;
    private final ScanOptions options;
    private final Clock clock;

    /** A scanner of {@code root} with {@code options}. */
    public Scanner(Path root, ScanOptions options) {
        this(root, options, Clock.systemUTC());
    }

    Scanner(Path root, ScanOptions options, Clock clock) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Path root() {
        return root;
    }

    /**
     * Scans the folder, recording what changed in {@code state}; blocks until done.
     *
     * @throws StorageException {@code INVALID_CONFIG} when the root is not a readable folder;
     *         {@code IO} when the state cannot be written
     */
    public ScanReport scan(StateStore state) {
        Objects.requireNonNull(state, "state");
        if (!Files.isDirectory(root)) {
            throw StorageException.invalidConfig("folder to scan does not exist or is not a folder: " + root);
        }
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(options.hashThreads(), new HashThreads());
        ScanMerge merge = new ScanMerge(state, options, pool, clock);
        Instant now = Instant.now(clock);
        AtomicReference<TreeWalk> walked = new AtomicReference<>();
        try (merge) {
            // The walk runs ahead on a thread of its own; the merge with the state runs here.
            WalkAhead.run(visitor -> {
                TreeWalk walk = new TreeWalk(root, options, visitor, now);
                walked.set(walk);
                walk.run();
            }, merge);
            merge.finish();
        } catch (IOException e) {
            throw StorageException.invalidConfig("cannot read the folder " + root + ": " + TreeWalk.reason(e));
        } finally {
            pool.shutdownNow();
        }
        ScanReport report = merge.report(walked.get().sweptTemps(), Duration.ofNanos(System.nanoTime() - started));
        LOG.debug("scanned {}: {}", root, report);
        return report;
    }

    @Override
    public String toString() {
        return "Scanner[" + root + "]";
    }

    private static final class HashThreads implements java.util.concurrent.ThreadFactory {
        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "stowage-hash-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
