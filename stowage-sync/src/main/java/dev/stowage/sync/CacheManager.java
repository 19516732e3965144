package dev.stowage.sync;

import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.layer.RetryLayer;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.layer.StorageListener;
import dev.stowage.Operation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a folder published on a {@link StorageBackend}: scans it, uploads what is new or changed,
 * publishes the manifest, then deletes what was removed. The local state is the source of truth,
 * so publishing an unchanged folder sends no request at all.
 *
 * <pre>{@code
 * try (CacheManager cache = CacheManager.builder(Path.of("site"), backend).build()) {
 *     PublishReport report = cache.publish().join();
 *     System.out.println(report.summary());
 * }
 * }</pre>
 *
 * <p><b>Crash-safe.</b> State lives in SQLite ({@link StateStore}) and a file is recorded as
 * published only after the backend confirmed it and the file was seen unchanged since its scan; a
 * process killed at any moment loses nothing, and the next run completes what was left. A file
 * changed or removed during its upload is scanned again and the run goes on with what it finds.
 *
 * <p><b>Order.</b> Uploads run in parallel ({@link Builder#concurrency(int)}), each retried with
 * exponential backoff and jitter on retryable errors ({@link Builder#retryPolicy(RetryPolicy)});
 * then the manifest ({@link Manifest}), written atomically in the state folder and uploaded as
 * {@link Builder#manifestKey(String)} after the files it names; then deletes of removed files.
 * A run in which any upload failed deletes nothing, and a run that would delete more than
 * {@link Builder#maxDeleteShare(double)} of the published files does not start unless forced.
 *
 * <p><b>Threads.</b> Runs happen one at a time on the manager's own thread, in the order asked;
 * upload results hop to a single state thread before they are recorded (the state itself is
 * thread-safe: the resume journal and verify write to it from the backend's threads). Listeners
 * are called from these threads and must not call {@link #close()}. Thread-safe. The
 * backend stays the caller's: {@link #close()} does not close it. A backend that retries on its
 * own ({@link dev.stowage.StorageBackends#open(String)} does by default) multiplies the attempts;
 * open it with {@code retries=0}, or give this manager {@link RetryPolicy#none()}.
 */
public final class CacheManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CacheManager.class);
    /** The default state folder, under the root. */
    public static final String STATE_FOLDER = ".stowage";
    /** The default key of the manifest on the backend. */
    public static final String MANIFEST_KEY = "manifest.json";

    private final Settings settings;
    private final StateStore state;
    private final Scanner scanner;
    private final ExecutorService runner;
    private final ExecutorService stateThread;
    private final ScheduledExecutorService retryTimer;
    private final StorageBackend retrying;
    private volatile boolean closing;
    /** The manager's own threads: close() cannot wait for a run from one of them. */
    private final java.util.Set<Thread> own = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private CacheManager(Settings settings) {
        this.settings = settings;
        this.state = StateStore.open(settings.stateFile());
        try {
            this.scanner = new Scanner(settings.root(), settings.scanOptions(), settings.clock());
            this.runner = Executors.newSingleThreadExecutor(daemon("stowage-publish", own));
            this.stateThread = Executors.newSingleThreadExecutor(daemon("stowage-state", own));
            this.retryTimer = Executors.newSingleThreadScheduledExecutor(daemon("stowage-retry-timer", own));
            this.retrying = new RetryLayer(settings.retryPolicy(), new RetryEvents(settings.listener()), retryTimer)
                    .wrap(settings.backend());
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    /**
     * A builder for a manager publishing {@code root} to {@code backend}.
     *
     * @throws NullPointerException when an argument is null
     */
    public static Builder builder(Path root, StorageBackend backend) {
        return new Builder(Objects.requireNonNull(root, "root"), Objects.requireNonNull(backend, "backend"));
    }

    /** The state: the last scan, what is published, what is pending. */
    public StateStore state() {
        return state;
    }

    /** The root folder. */
    public Path root() {
        return settings.root();
    }

    /** The manifest as last written, in the state folder. */
    public Path manifestFile() {
        return settings.manifestFile();
    }

    /** Scans the folder into the state without publishing anything. */
    public CompletableFuture<ScanReport> scan() {
        return submit(() -> scanner.scan(state));
    }

    /**
     * Publishes the folder: scans it, then applies the difference to the backend.
     *
     * @return the run's report; the future fails only when the run cannot start: the folder or
     *         state cannot be read ({@code INVALID_CONFIG}, {@code IO}), the folder holds a file of
     *         its own at the manifest's key ({@code INVALID_CONFIG}), a target the state does not
     *         record does not answer (its error), or the run would delete more than the allowed
     *         share of the published files ({@code CONFLICT})
     */
    public CompletableFuture<PublishReport> publish() {
        return publish(false);
    }

    /** {@link #publish()}, deleting whatever share of the published files was removed when {@code force}. */
    public CompletableFuture<PublishReport> publish(boolean force) {
        return submit(() -> newRun().publish(force));
    }

    /**
     * Scans and returns what a publish would do, sending nothing to the backend: the dry run.
     * The plan says when the run would be refused for its deletes.
     */
    public CompletableFuture<Plan> plan() {
        return submit(() -> newRun().plan());
    }

    /**
     * Compares what the backend really holds with the state and the manifest: a listing of the
     * target (one or a few requests per thousand objects) and, when {@code deep}, a stat of every
     * published object for the SHA-256 it stored. Reports every difference; with {@code repair},
     * uploads again what is missing or different and the manifest if it differs (through a
     * publish), then deletes extra objects, unless they are more than the allowed share of the
     * published files. Objects the scanner would never take (hidden, excluded) are left alone.
     *
     * @return the report; the future fails when the target cannot be listed, and with
     *         {@code CONFLICT}, before any request, when the state is of another target
     */
    public CompletableFuture<VerifyReport> verify(boolean deep, boolean repair) {
        return submit(() -> new Verifier(settings, state, retrying).run(deep, repair, () -> newRun().publish(false)));
    }

    /** Runs {@code work} on the manager's thread after the runs asked for before; refused once closing. */
    private <T> CompletableFuture<T> submit(java.util.function.Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                if (closing) {
                    throw closed();
                }
                return work.get();
            }, runner);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(closed());
        }
    }

    private StorageException closed() {
        return StorageException.builder(dev.stowage.ErrorKind.CLOSED, "the cache manager of " + settings.root()
                + " is closed").build();
    }

    private PublishRun newRun() {
        return new PublishRun(settings, state, scanner, retrying, stateThread);
    }

    /**
     * Waits for the run in progress to end, then releases the state (and its lock) and the
     * manager's threads. Runs asked for but not started, and any asked for later, fail with
     * {@code CLOSED}. Does not close the backend.
     */
    @Override
    public void close() {
        if (own.contains(Thread.currentThread())) {
            throw new IllegalStateException("close() called from a run of this cache manager (a listener?): it would"
                    + " wait for itself; close it from another thread");
        }
        closing = true;
        runner.shutdown();
        try {
            while (!runner.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.info("waiting for the publish in progress to end before closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stateThread.shutdown();
            retryTimer.shutdownNow();
            state.close();
        }
    }

    @Override
    public String toString() {
        return "CacheManager[" + settings.root() + " -> " + settings.backend() + "]";
    }

    private static java.util.concurrent.ThreadFactory daemon(String name, java.util.Set<Thread> own) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            own.add(thread);
            return thread;
        };
    }

    /** Turns the retry layer's events into the publish listener's. */
    private record RetryEvents(PublishListener listener) implements StorageListener {
        @Override
        public void onRetry(Operation operation, String key, int attempt, Duration delay, StorageException error) {
            PublishRun.tell(() -> listener.retrying(operation, key, attempt, delay, error));
        }
    }

    /** Everything a manager is built from. */
    record Settings(Path root, StorageBackend backend, Path stateFile, ScanOptions scanOptions, int concurrency,
                    RetryPolicy retryPolicy, double maxDeleteShare, String manifestKey, PublishListener listener,
                    Clock clock, java.util.Optional<StorageBackend> fallback, Duration staleUploadAge,
                    java.util.Optional<String> target) {

        Path manifestFile() {
            return stateFile.resolveSibling("manifest.json");
        }
    }

    /**
     * Refuses a state file directly in the folder it publishes: its files would be scanned and
     * published with the rest. A subfolder (the default {@code .stowage}) is left out of the scan.
     */
    private static void refuseStateInTheRoot(Path root, Path state) {
        try {
            java.nio.file.Files.createDirectories(state.getParent());
            if (java.nio.file.Files.isDirectory(root) && state.getParent().toRealPath().equals(root.toRealPath())) {
                throw StorageException.invalidConfig("stateFile " + state + " must not be directly in the folder it"
                        + " publishes; put it in a subfolder such as " + root.resolve(STATE_FOLDER));
            }
        } catch (java.io.IOException e) {
            throw StorageException.invalidConfig("cannot create the state folder " + state.getParent() + ": " + e.getMessage());
        }
    }

    /** Builds a {@link CacheManager}; not thread-safe. */
    public static final class Builder {
        private final Path root;
        private final StorageBackend backend;
        private Path stateFile;
        private ScanOptions scanOptions = ScanOptions.defaults();
        private int concurrency = 64;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private double maxDeleteShare = 0.5;
        private String manifestKey = MANIFEST_KEY;
        private PublishListener listener = PublishListener.NONE;
        private Clock clock = Clock.systemUTC();
        private StorageBackend fallback;
        private Duration staleUploadAge = Duration.ofDays(1);
        private String target;

        private Builder(Path root, StorageBackend backend) {
            this.root = root;
            this.backend = backend;
        }

        /** Where the state database lives; by default {@code .stowage/state.db} under the root. */
        public Builder stateFile(Path stateFile) {
            this.stateFile = Objects.requireNonNull(stateFile, "stateFile");
            return this;
        }

        /** How the folder is scanned; the state folder is always left out. */
        public Builder scanOptions(ScanOptions scanOptions) {
            this.scanOptions = Objects.requireNonNull(scanOptions, "scanOptions");
            return this;
        }

        /** How many uploads run at once; 64 by default. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 1024) {
                throw new IllegalArgumentException("concurrency must be between 1 and 1024: " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** How each operation is retried on retryable errors; {@link RetryPolicy#defaults()} by default. */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** The largest share (0 to 1) of the published files a run may delete unless forced; 0.5 by default. */
        public Builder maxDeleteShare(double maxDeleteShare) {
            if (!(maxDeleteShare >= 0 && maxDeleteShare <= 1)) {
                throw new IllegalArgumentException("maxDeleteShare must be between 0 and 1: " + maxDeleteShare);
            }
            this.maxDeleteShare = maxDeleteShare;
            return this;
        }

        /**
         * The manifest's key on the backend; {@code manifest.json} by default. A file of the folder
         * at this key, other than the manifest a run put there, makes every run fail with
         * {@code INVALID_CONFIG}: it would be replaced or left out.
         */
        public Builder manifestKey(String manifestKey) {
            this.manifestKey = dev.stowage.Keys.validate(Objects.requireNonNull(manifestKey, "manifestKey"));
            return this;
        }

        public Builder listener(PublishListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * A local backend that serves files the target could not take yet: during an outage the
         * manifest lists such a file with its URL there, marked pending, and moves it to the
         * target's URL once uploaded. Typically a {@code LocalBackend} over the root, which
         * serves the files in place. The manager does not close it.
         */
        public Builder fallback(StorageBackend fallback) {
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            return this;
        }

        /**
         * How old an unfinished upload in parts under the target's prefix must be, and not
         * resumable by this manager, before a run aborts it; one day by default. The check runs
         * at most once per this period, in a run that sends something.
         */
        public Builder staleUploadAge(Duration staleUploadAge) {
            if (staleUploadAge.isNegative() || staleUploadAge.isZero()) {
                throw new IllegalArgumentException("staleUploadAge must be positive: " + staleUploadAge);
            }
            this.staleUploadAge = staleUploadAge;
            return this;
        }

        /**
         * What identifies the target, such as its backend URI without secrets: a state that was
         * published to another target is noticed, and everything is published to this one. By
         * default the manifest's URL on the backend, which does not tell two buckets behind one
         * {@code public_url} apart: give the URI when that can happen.
         */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Opens the state and builds the manager.
         *
         * @throws StorageException {@code CONFLICT} when another process holds the state;
         *         {@code INVALID_CONFIG} when the state cannot be opened
         */
        public CacheManager build() {
            Path absoluteRoot = root.toAbsolutePath().normalize();
            Path state = (stateFile != null ? stateFile : absoluteRoot.resolve(STATE_FOLDER).resolve("state.db"))
                    .toAbsolutePath().normalize();
            refuseStateInTheRoot(absoluteRoot, state);
            ScanOptions scan = scanOptions.toBuilder().stateFolder(state.getParent())
                    .exclude("/" + KeyGlob.escape(manifestKey)).build();
            return new CacheManager(new Settings(absoluteRoot, backend, state, scan, concurrency, retryPolicy,
                    maxDeleteShare, manifestKey, listener, clock, java.util.Optional.ofNullable(fallback), staleUploadAge,
                    java.util.Optional.ofNullable(target)));
        }
    }
}
