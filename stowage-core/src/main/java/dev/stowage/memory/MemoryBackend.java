package dev.stowage.memory;

import dev.stowage.Capabilities;
import dev.stowage.ErrorKind;
import dev.stowage.MediaTypes;
import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.UploadProgress;
import dev.stowage.Urls;
import dev.stowage.internal.Digests;
import dev.stowage.internal.IoExecutors;
import dev.stowage.internal.Progress;
import dev.stowage.spi.ListingPublisher;
import dev.stowage.spi.AbstractStorageBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;

/**
 * Objects held in memory: a real backend with the full contract, for tests and for embedding
 * where nothing needs to outlive the process.
 *
 * <pre>{@code
 * MemoryBackend memory = MemoryBackend.builder().baseUrl("https://cdn.example.com").build();
 * memory.uploadFile(Path.of("a.txt"), "docs/a.txt").join();
 * byte[] content = memory.content("docs/a.txt").orElseThrow();
 * }</pre>
 *
 * <p>Each object keeps its bytes, its upload time, an MD5 ETag, its SHA-256, its content type (the
 * one given, else guessed from the key), its cache control and its metadata.
 * Thread-safe: an upload reads its source file on a small I/O pool, then replaces the object in one
 * step.
 */
public final class MemoryBackend extends AbstractStorageBackend {
    private record Entry(byte[] data, ObjectInfo info) {
    }

    /** The largest array the JVM reliably allocates. */
    private static final long MAX_OBJECT_BYTES = Integer.MAX_VALUE - 8;
    private static final Capabilities CAPABILITIES = new Capabilities(true, true, true, true, true, true, true);
    private static final int PAGE_KEYS = 1000;
    private static final int READ_CHUNK_BYTES = 1 << 20;

    private final URI baseUrl;
    private final Clock clock;
    private final ConcurrentNavigableMap<String, Entry> objects = new ConcurrentSkipListMap<>(Keys.ORDER);

    private MemoryBackend(String name, URI baseUrl, Clock clock, Executor executor, ExecutorService owned) {
        super("memory:" + name, executor, owned);
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A backend with URLs under {@code memory:///}. */
    public static MemoryBackend create() {
        return builder().build();
    }

    @Override
    public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(options, "options");
        return runUpload(source, key, stop -> {
            long size = requireSourceFile(source, key).size();
            if (size > MAX_OBJECT_BYTES) {
                throw error(ErrorKind.UNSUPPORTED, "the file is larger than the " + MAX_OBJECT_BYTES
                        + " bytes one in-memory object can hold: " + source, Operation.UPLOAD, key, null);
            }
            Progress.report(options.progress(), 0, size);
            byte[] data = read(source, size, options.progress(), stop);
            String sha256 = Digests.hex(Digests.sha256().digest(data));
            requireCallersSha256(options, sha256, key);
            ObjectInfo info = new ObjectInfo(key, data.length, clock.instant(),
                    Optional.of('"' + Digests.hex(Digests.md5().digest(data)) + '"'), Optional.of(sha256),
                    Optional.of(options.contentType().orElseGet(() -> MediaTypes.guess(key))), options.cacheControl(),
                    options.metadata());
            synchronized (objects) {
                if (isClosed()) {
                    throw closedDuringUpload(key);
                }
                objects.put(key, new Entry(data, info));
            }
            Progress.report(options.progress(), data.length, data.length);
            return Urls.join(baseUrl, key);
        });
    }

    /**
     * The file's bytes, read a chunk at a time: progress is told after each, and a cancelled
     * upload stops between two, having stored nothing.
     */
    private static byte[] read(Path source, long size, UploadProgress progress, BooleanSupplier stop) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream((int) Math.min(size, MAX_OBJECT_BYTES));
        // No larger than the file, and one byte more, which tells at once that it ended there.
        byte[] chunk = new byte[(int) Math.min(READ_CHUNK_BYTES, Math.max(size, 0) + 1)];
        try (InputStream in = Files.newInputStream(source)) {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                if (stop.getAsBoolean()) {
                    throw new CancellationException("upload cancelled");
                }
                data.write(chunk, 0, n);
                if (data.size() > MAX_OBJECT_BYTES) {
                    throw new IOException("the file grew past what one in-memory object can hold: " + source);
                }
                if (data.size() < size) {
                    Progress.report(progress, data.size(), size);
                }
            }
        }
        return data.toByteArray();
    }

    @Override
    public CompletableFuture<Void> deleteFile(String key) {
        Objects.requireNonNull(key, "key");
        return run(Operation.DELETE, key, stop -> {
            objects.remove(key);
            return null;
        });
    }

    @Override
    public URI getUrl(String key) {
        return urlOf(baseUrl, key);
    }

    @Override
    public boolean isRemote() {
        return false;
    }

    /** Everything: it keeps each object's checksum, headers and metadata, as an object store does. */
    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
        Objects.requireNonNull(key, "key");
        return run(Operation.STAT, key, stop -> Optional.ofNullable(objects.get(key)).map(Entry::info));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each page holds up to 1000 objects present when it is read: an object stored or deleted
     * during the listing may or may not appear, as in an object store. Every entry has its SHA-256
     * and content type.
     */
    @Override
    public Flow.Publisher<ObjectInfo> list(String prefix) {
        return listing(prefix, () -> new ListingPublisher.PageSource<>() {
            private String after;

            @Override
            public CompletableFuture<ListingPublisher.Page<ObjectInfo>> next() {
                Map<String, Entry> rest = after == null ? objects.tailMap(prefix, true) : objects.tailMap(after, false);
                List<ObjectInfo> page = new ArrayList<>();
                Iterator<Map.Entry<String, Entry>> it = rest.entrySet().iterator();
                while (it.hasNext() && page.size() < PAGE_KEYS) {
                    Map.Entry<String, Entry> e = it.next();
                    if (!e.getKey().startsWith(prefix)) {
                        return CompletableFuture.completedFuture(new ListingPublisher.Page<>(page, true));
                    }
                    page.add(e.getValue().info());
                    after = e.getKey();
                }
                return CompletableFuture.completedFuture(new ListingPublisher.Page<>(page, !it.hasNext()));
            }
        });
    }

    /** A copy of the bytes stored under a key, or empty. Does no I/O. */
    public Optional<byte[]> content(String key) {
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(objects.get(key)).map(e -> e.data().clone());
    }

    /** The keys stored now, in order. Does no I/O. */
    public List<String> keys() {
        return List.copyOf(objects.keySet());
    }

    /**
     * Stops taking work: operations started afterwards fail with {@code CLOSED}, and so does an
     * upload still reading its file. What is stored stays readable through {@link #content}.
     */
    @Override
    public void close() {
        synchronized (objects) {
            stopTakingWork();
        }
        finishClosing();
    }

    @Override
    public String toString() {
        return "MemoryBackend[" + label() + ", baseUrl=" + baseUrl + ", objects=" + objects.size() + "]";
    }

    /**
     * Builds a {@link MemoryBackend}; not thread-safe. What it builds has no layer: add a
     * {@link dev.stowage.layer.RetryLayer} or a {@link dev.stowage.layer.LoggingLayer} with
     * {@link dev.stowage.StorageBackend#with} (a backend opened from a {@code memory:} URI has the
     * retry layer already).
     */
    public static final class Builder {
        private String name = "default";
        private String baseUrl = "memory:///";
        private Clock clock = Clock.systemUTC();
        private int ioThreads = 2;
        private Executor executor;

        private Builder() {
        }

        /** A name for error messages and logs. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The URL objects are addressed under ({@code base_url}); {@code memory:///} by default. */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /** The clock that stamps uploads. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Reads source files on this executor, which the caller keeps and shuts down, instead of the backend's own pool. */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Threads of the backend's own pool, which read source files. */
        public Builder ioThreads(int ioThreads) {
            if (ioThreads < 1) {
                throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
            }
            this.ioThreads = ioThreads;
            return this;
        }

        /** @throws StorageException of kind {@code INVALID_CONFIG} if the base URL is wrong */
        public MemoryBackend build() {
            URI url = Urls.baseUrl(baseUrl, "base_url");
            if (executor != null) {
                return new MemoryBackend(name, url, clock, executor, null);
            }
            ExecutorService pool = IoExecutors.newPool("stowage-memory-io", ioThreads);
            return new MemoryBackend(name, url, clock, pool, pool);
        }
    }
}
