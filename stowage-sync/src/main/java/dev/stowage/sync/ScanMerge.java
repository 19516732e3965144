package dev.stowage.sync;

import dev.stowage.Keys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One scan's merge of the walk with the last scan: both run in key order, so a row of the last
 * scan that the walk passed without meeting is a removed file, one it meets with the same stat is
 * unchanged, and everything else is hashed on the pool and recorded. Writes go to the state in
 * batches. The walk calls it on one thread; hash tasks call back from the pool.
 */
final class ScanMerge implements TreeWalk.Visitor, AutoCloseable {
    /** A file modified this close to its hashing is hashed again next time: a later write may keep its mtime. */
    static final long RACY_NANOS = Duration.ofSeconds(2).toNanos();
    private static final int BUFFER_BYTES = 256 * 1024;
    private static final int MAX_TRIES = 3;
    /** A batch of files to hash goes to the pool once it holds this many files, or this many bytes. */
    private static final int BATCH_FILES = 64;
    private static final long BATCH_BYTES = 4L << 20;
    private static final ThreadLocal<ByteBuffer> BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocate(BUFFER_BYTES));
    /** A digest per hashing thread: looking one up per file cost as much as a small file's stat. */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(Sha256::newDigest);

    private final StateStore state;
    private final ScanOptions options;
    private final ExecutorService pool;
    private final Clock clock;
    private final RowCursor<HashedFile> last;
    /** Batches of files handed to the pool and not hashed yet, at most {@link #maxInFlight}. */
    private final Semaphore inFlight;
    private final int maxInFlight;
    /** Files to hash that the walk met since the last batch went to the pool: the walk's thread only. */
    private final List<ToHash> batch = new ArrayList<>();
    private long batchBytes;
    private final List<HashedFile> toPut = new ArrayList<>();
    private final List<String> toRemove = new ArrayList<>();
    /** Prefixes of entries whose type could not be read: what the last scan had under them is kept. */
    private final List<String> keptPrefixes = new ArrayList<>();
    private final List<ScanProblem> problems = new ArrayList<>();
    private final AtomicLong problemCount = new AtomicLong();
    private final LongAdder hashedFiles = new LongAdder();
    private final LongAdder hashedBytes = new LongAdder();
    private final LongAdder removed = new LongAdder();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final ReadAheadSha256 readAhead = new ReadAheadSha256();

    ScanMerge(StateStore state, ScanOptions options, ExecutorService pool, Clock clock) {
        this.state = state;
        this.options = options;
        this.pool = pool;
        this.clock = clock;
        this.last = state.filesInKeyOrder();
        this.maxInFlight = options.hashThreads() * 4;
        this.inFlight = new Semaphore(maxInFlight);
    }

    @Override
    public void file(String key, String source, Path path, FileStat stat) {
        rethrowFailure();
        passTo(key);
        HashedFile old = matching(key);
        if (old != null && old.state().sameStat(stat) && stat.mtimeNanos() < old.hashedAtNanos() - RACY_NANOS
                && java.util.Objects.equals(old.source(), source)) {
            return;
        }
        batch.add(new ToHash(key, source, path, stat, old));
        batchBytes += stat.size();
        if (batch.size() >= BATCH_FILES || batchBytes >= BATCH_BYTES) {
            submitBatch();
        }
    }

    /** Hands the files gathered so far to the pool, as one task: a task per small file costs more in hand-offs than its hashing. */
    private void submitBatch() {
        if (batch.isEmpty()) {
            return;
        }
        List<ToHash> files = List.copyOf(batch);
        batch.clear();
        batchBytes = 0;
        inFlight.acquireUninterruptibly();
        try {
            pool.execute(() -> {
                try {
                    for (ToHash file : files) {
                        if (failure.get() != null) {
                            return;
                        }
                        hash(file.key(), file.source(), file.path(), file.stat(), file.old());
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    inFlight.release();
                }
            });
        } catch (RuntimeException e) {
            inFlight.release();
            throw e;
        }
    }

    /** A file the walk met that is to be hashed, with its stat then and its row of the last scan, if any. */
    private record ToHash(String key, String source, Path path, FileStat stat, HashedFile old) {
    }

    @Override
    public void keep(String key, boolean folder) {
        String prefix = key + "/";
        if (folder) {
            passTo(prefix);
            while (last.peek() != null && last.peek().state().key().startsWith(prefix)) {
                last.next();
            }
        } else {
            passTo(key);
            matching(key);
            keptPrefixes.add(prefix);
        }
    }

    @Override
    public void problem(Path path, String reason) {
        problemCount.incrementAndGet();
        synchronized (problems) {
            if (problems.size() < ScanReport.MAX_PROBLEMS) {
                problems.add(new ScanProblem(path, reason));
            }
        }
    }

    /** Ends the merge: every row the walk did not meet is removed; waits for the hashing. */
    void finish() {
        submitBatch();
        passTo(null);
        inFlight.acquireUninterruptibly(maxInFlight);
        inFlight.release(maxInFlight);
        rethrowFailure();
        flush();
    }

    ScanReport report(long sweptTemps, Duration elapsed) {
        List<ScanProblem> listed;
        synchronized (problems) {
            listed = List.copyOf(problems);
        }
        long[] totals = state.fileTotals();
        return new ScanReport(totals[0], totals[1], hashedFiles.sum(), hashedBytes.sum(), removed.sum(),
                sweptTemps, listed, problemCount.get(), elapsed);
    }

    /**
     * Rows of the last scan before {@code key} (all that are left, for null) were not met by the
     * walk: their files are gone, unless they lie under something the walk could not read.
     */
    private void passTo(String key) {
        while (last.peek() != null && (key == null || Keys.ORDER.compare(last.peek().state().key(), key) < 0)) {
            String gone = last.next().state().key();
            if (keptPrefixes.stream().noneMatch(gone::startsWith)) {
                remove(gone);
            }
        }
    }

    private HashedFile matching(String key) {
        HashedFile next = last.peek();
        return next != null && next.state().key().equals(key) ? last.next() : null;
    }

    private void hash(String key, String source, Path path, FileStat before, HashedFile old) {
        FileStat stat = before;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            long hashedAt = epochNanos(clock.instant());
            String sha256;
            FileStat after;
            try {
                sha256 = sha256(path, stat.size());
                after = FileStat.of(path, false);
            } catch (NoSuchFileException e) {
                problem(path, "vanished while being read");
                if (old != null) {
                    remove(key);
                }
                return;
            } catch (IOException e) {
                problem(path, "cannot read: " + TreeWalk.reason(e) + (old == null ? "; skipped" : "; keeps its last state"));
                return;
            }
            if (after.type() == FileStat.Type.FILE && after.sameAs(stat)) {
                hashedFiles.increment();
                put(new HashedFile(new FileState(key, stat.size(), stat.mtimeNanos(), stat.inode(), stat.ctimeNanos(),
                        sha256), source, hashedAt));
                return;
            }
            if (after.type() != FileStat.Type.FILE) {
                problem(path, "replaced by something other than a file while being read; skipped");
                if (old != null) {
                    remove(key);
                }
                return;
            }
            stat = after;
        }
        problem(path, "kept changing while being read (" + MAX_TRIES + " tries)"
                + (old == null ? "; skipped until the next scan" : "; keeps its last state until the next scan"));
    }

    /** The SHA-256 of a file whose stat gave {@code size}: a larger file is read ahead on another thread. */
    private String sha256(Path path, long size) throws IOException {
        MessageDigest digest = DIGESTS.get(); // reset: a read that failed may have left bytes in it
        digest.reset();
        ByteBuffer buffer = BUFFERS.get();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (size >= ReadAheadSha256.MIN_BYTES) {
                return readAhead.of(channel, hashedBytes::add);
            }
            for (int n; (n = channel.read(buffer.clear())) >= 0; ) {
                digest.update(buffer.array(), 0, n);
                hashedBytes.add(n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }


    private void put(HashedFile file) {
        List<HashedFile> batch = null;
        synchronized (toPut) {
            toPut.add(file);
            if (toPut.size() >= StateStore.PAGE) {
                batch = List.copyOf(toPut);
                toPut.clear();
            }
        }
        if (batch != null) {
            state.putFiles(batch);
        }
    }

    private void remove(String key) {
        removed.increment();
        List<String> batch = null;
        synchronized (toRemove) {
            toRemove.add(key);
            if (toRemove.size() >= StateStore.PAGE) {
                batch = List.copyOf(toRemove);
                toRemove.clear();
            }
        }
        if (batch != null) {
            state.removeFiles(batch);
        }
    }

    private void flush() {
        List<HashedFile> puts;
        synchronized (toPut) {
            puts = List.copyOf(toPut);
            toPut.clear();
        }
        state.putFiles(puts);
        List<String> removes;
        synchronized (toRemove) {
            removes = List.copyOf(toRemove);
            toRemove.clear();
        }
        state.removeFiles(removes);
    }

    private void rethrowFailure() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    private static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    @Override
    public void close() {
        try {
            last.close();
        } finally {
            readAhead.close();
        }
    }
}
