package dev.stowage.s3;

import dev.stowage.Capabilities;
import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.ResumeJournal;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.Urls;
import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.internal.Futures;
import dev.stowage.spi.AbstractStorageBackend;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;

/**
 * Objects in an S3 bucket, on AWS or any S3-compatible store (Cloudflare R2, MinIO, DigitalOcean
 * Spaces, Ceph...), through the AWS SDK's async client.
 *
 * <pre>{@code
 * S3Config config = S3Config.builder(S3Preset.MINIO)
 *         .endpointUrl("http://127.0.0.1:9000")
 *         .bucketName("site")
 *         .credentials("minioadmin", "minioadmin")
 *         .build();
 * try (S3Backend s3 = S3Backend.create(config)) {
 *     URI url = s3.uploadFile(Path.of("index.html"), "index.html").join();
 * }
 * }</pre>
 *
 * <p><b>Uploads</b> read the file once to hash it (SHA-256, stored as the object's
 * {@code x-amz-meta-sha256}, and MD5s sent as {@code Content-MD5}, which the server checks), then
 * stream it from disk, never holding it in memory. Files from {@code multipart_threshold} up go in
 * parts of {@code part_size}, {@code part_concurrency} at a time; a failed or cancelled multipart
 * upload is aborted. Content type comes from the options, else from the extension of the key or,
 * failing that, of the file name.
 *
 * <p><b>Resuming:</b> with a {@link ResumeJournal} in the options, a multipart upload is recorded
 * there once created. An upload of the same file (size, SHA-256) to the same key, cut into parts
 * of the same size, takes up a recorded one: the parts the store lists ({@code ListParts}) whose
 * ETag is the MD5 of the local part are kept, and only the others are sent. With a journal, an
 * upload that fails for a reason worth another attempt (the network, the server's load) is not
 * aborted, so that the retry resumes it; see {@link #abortStaleUploads} for those never resumed.
 *
 * <p><b>Retries:</b> none in a backend built here and none in the SDK (its retries are off): wrap
 * the backend in a {@link dev.stowage.layer.RetryLayer}, which retries whole operations on
 * retryable kinds, and a retried upload reads and hashes the file again. A backend opened from an
 * {@code s3:} URI ({@link dev.stowage.StorageBackends#open}) has that layer already. Multipart
 * parts are retried here, each on its own ({@code part_attempts}).
 *
 * <p><b>Threads:</b> each backend has its own, all ended by {@link #close()}: an I/O pool (hashing,
 * request starts, listing callbacks, progress reports), MD5 threads beside it, one scheduler thread
 * (timeouts, pauses before a part or an abort is sent again), a few Netty event loops, and the SDK
 * client's response threads. The builder takes an {@link Builder#executor executor},
 * {@link Builder#scheduler scheduler} and {@link Builder#eventLoopGroup event loops} of the
 * caller's instead, which the backend never shuts down. The I/O and MD5 pools let their threads go
 * after 30 seconds idle.
 *
 * <p>Thread-safe; one client and one connection pool per backend, released by {@link #close()}.
 * Failures carry the kinds of {@link S3ErrorMapping}: {@code ACCESS_DENIED} for wrong credentials,
 * {@code INVALID_CONFIG} for a missing bucket, {@code RATE_LIMITED}, {@code UNAVAILABLE} for an
 * unreachable or stalled server, {@code INTEGRITY} when the bytes that arrived are not those hashed.
 * The secret key never appears in a message, a log line or {@code toString()}.
 */
public final class S3Backend extends AbstractStorageBackend {
    /** The user metadata entry that holds the content's SHA-256 ({@code x-amz-meta-sha256}). */
    public static final String SHA256_METADATA = "sha256";
    /** The longest a presigned URL can live under SigV4. */
    public static final Duration MAX_PRESIGN_EXPIRY = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(S3Backend.class);
    private static final Capabilities CAPABILITIES = new Capabilities(true, true, true, false, true, true, true);

    private final S3Config config;
    private final S3Core core;
    private final S3Writer writer;
    private final S3Threads threads;
    private final URI keyBase;
    /** The I/O executor, or the calling thread once it refuses work (closed): what runs there then fails at once. */
    private final Executor ioOrHere;
    /** The futures of uploads not ended yet, with their keys, for close() to end. */
    private final Map<CompletableFuture<URI>, String> uploads = new ConcurrentHashMap<>();

    private S3Backend(Builder b, S3Threads threads) {
        super(label(b.config), threads.io(), threads.ownIo());
        this.config = b.config;
        this.threads = threads;
        this.ioOrHere = threads.ioOrHere();
        this.keyBase = S3Urls.keyBase(config);
        this.core = S3Core.open(config, label(), b.credentials, b.interceptors, b.eventLoops, threads, this::isClosed);
        this.writer = new S3Writer(core, threads);
    }

    /** A backend for the configuration, with credentials from it or the AWS chain. */
    public static S3Backend create(S3Config config) {
        return builder(config).build();
    }

    /**
     * For a process about to exit, once every S3 backend is closed: waits, up to {@code timeout},
     * until the CRT HTTP client's native threads have ended. A JVM that exits while they are still
     * ending waits a second for them (the CRT's own bound); this usually takes milliseconds. Returns
     * at once if no backend of this JVM used the CRT client. Thread-safe.
     *
     * @return whether they had ended in time (false while a backend on the CRT client is still open)
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public static boolean awaitNativeThreadsEnded(Duration timeout) throws InterruptedException {
        return S3Clients.awaitCrtReleased(Objects.requireNonNull(timeout, "timeout"));
    }

    /** A builder for a backend with extras: SDK interceptors or a credentials provider of your own. */
    public static Builder builder(S3Config config) {
        return new Builder(Objects.requireNonNull(config, "config"));
    }

    /** The configuration this backend was built with. */
    public S3Config config() {
        return config;
    }

    @Override
    public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(options, "options");
        CompletableFuture<URI> result = new CompletableFuture<>();
        uploads.put(result, key);
        result.whenComplete((url, error) -> uploads.remove(result));
        CompletableFuture<S3Writer.Plan> planned = runUpload(source, key, stop -> plan(source, key, options, stop));
        Futures.cancelWith(result, planned);
        // Async, so that the request never starts on the caller's thread (when hashing is already
        // done as this line runs) or on a retry layer's timer.
        planned.whenCompleteAsync((plan, error) -> {
            if (error != null) {
                result.completeExceptionally(Futures.unwrap(error));
                return;
            }
            if (result.isDone()) {
                return;
            }
            CompletableFuture<?> sent;
            try {
                if (isClosed()) {
                    throw closedDuringUpload(key);
                }
                sent = writer.send(source, key, options, plan, e -> uploadFailure(e, source, key));
            } catch (RuntimeException e) {
                result.completeExceptionally(uploadFailure(e, source, key));
                return;
            }
            Futures.cancelWith(result, sent);
            sent.whenComplete((ok, e) -> {
                if (e != null) {
                    result.completeExceptionally(uploadFailure(e, source, key));
                    return;
                }
                ioOrHere.execute(() -> { // not on the SDK's threads: the caller's progress hears the end here
                    if (!result.isDone()) {
                        plan.progress().end();
                        result.complete(Urls.join(keyBase, key));
                    }
                });
            });
        }, ioOrHere);
        return result;
    }

    /** Runs on the I/O executor: checks the key's full length and the file, then plans the upload and hashes the file. */
    private S3Writer.Plan plan(Path source, String key, UploadOptions options, BooleanSupplier stop) throws Exception {
        core.objectKey(key, Operation.UPLOAD);
        long size = requireSourceFile(source, key).size();
        S3Writer.Plan plan;
        try {
            plan = writer.plan(source, size, key, options, () -> stop.getAsBoolean() || isClosed());
        } catch (CancellationException e) {
            if (isClosed() && !stop.getAsBoolean()) {
                throw closedDuringUpload(key);
            }
            throw e;
        }
        requireCallersSha256(options, plan.sha256(), key); // parts are checked as they are read
        return plan;
    }

    /** Parts of multipart uploads waiting for memory to be read into: for tests. */
    int partsAwaitingMemory() {
        return writer.partsAwaitingMemory();
    }

    @Override
    public CompletableFuture<Void> deleteFile(String key) {
        Objects.requireNonNull(key, "key");
        return start(Operation.DELETE, key, () -> core.delete(key));
    }

    /**
     * Deletes many keys: with {@code DeleteObjects}, 1000 keys a request, where the provider
     * supports it ({@code batch_delete}), else one request per key, a few at once. A key that held
     * nothing counts as deleted. If the server refuses batch requests, the keys are deleted one by
     * one instead.
     *
     * @return a future of what happened to each key; it fails only if the backend is closed
     */
    @Override
    public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
        DeleteOneByOne.distinct(keys);
        if (isClosed()) {
            return CompletableFuture.failedFuture(error(ErrorKind.CLOSED, "the backend is closed", Operation.DELETE, null, null));
        }
        CompletableFuture<DeleteResult> result = new CompletableFuture<>();
        new BatchDelete(core, keys).run().whenComplete((done, error) -> {
            if (error == null) {
                result.complete(done);
            } else {
                fail(result, error, Operation.DELETE, null);
            }
        });
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Lists the multipart uploads under {@code bucket_prefix} ({@code ListMultipartUploads},
     * every page) and aborts, a few at a time, each one initiated more than {@code olderThan}
     * before the server's time that {@code keep} does not hold. Age is judged by the server's
     * clock (its answer's {@code Date}), so a skewed local clock cannot make another process's
     * fresh upload look stale; still, an upload another process runs without recording it in
     * {@code keep} is aborted once old enough, and that upload then fails.
     *
     * <p>Fails with the kinds of {@link S3ErrorMapping} if the listing fails, or an abort fails
     * (once every abort has been tried); with {@code IO} if {@code keep} throws, before any abort;
     * with {@code CLOSED} once the backend is closed.
     *
     * @param olderThan zero or more
     * @throws IllegalArgumentException at once if {@code olderThan} is negative
     */
    @Override
    public CompletableFuture<Long> abortStaleUploads(Duration olderThan, ResumeJournal keep) {
        Objects.requireNonNull(olderThan, "olderThan");
        Objects.requireNonNull(keep, "keep");
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must not be negative: " + olderThan);
        }
        if (isClosed()) {
            return CompletableFuture.failedFuture(error(ErrorKind.CLOSED, "the backend is closed", Operation.UPLOAD, null, null));
        }
        CompletableFuture<Long> result = new CompletableFuture<>();
        writer.abortStale(olderThan, keep).whenComplete((count, error) -> {
            if (error == null) {
                result.complete(count);
            } else {
                fail(result, error, Operation.UPLOAD, null);
            }
        });
        return result;
    }

    @Override
    public URI getUrl(String key) {
        Objects.requireNonNull(key, "key");
        core.objectKey(key, Operation.URL);
        return urlOf(keyBase, key);
    }

    @Override
    public boolean isRemote() {
        return true;
    }

    /** Everything but checksums in listings: {@code ListObjectsV2} does not return user metadata. */
    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
        Objects.requireNonNull(key, "key");
        return start(Operation.STAT, key, () -> core.stat(key));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code ListObjectsV2} request per page of up to 1000 keys. Folder markers (keys ending
     * in {@code /}) are skipped. Size, time and ETag are known; the SHA-256 and content type are
     * not (use {@link #stat}).
     */
    @Override
    public Flow.Publisher<ObjectInfo> list(String prefix) {
        return listing(prefix, () -> new Listing(core, prefix));
    }

    /**
     * A URL that lets anyone holding it GET the object until it expires, for private buckets.
     * Computed without a request; the credentials may have to be resolved first.
     *
     * @param expiry from one second to {@link #MAX_PRESIGN_EXPIRY} (7 days)
     * @throws IllegalArgumentException at once if the expiry is out of range
     */
    public CompletableFuture<URI> presignGet(String key, Duration expiry) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(expiry, "expiry");
        if (expiry.compareTo(Duration.ofSeconds(1)) < 0 || expiry.compareTo(MAX_PRESIGN_EXPIRY) > 0) {
            throw new IllegalArgumentException("expiry must be from 1 second to 7 days: " + expiry);
        }
        return run(Operation.PRESIGN, key, stop -> core.presignGet(key, expiry));
    }

    /** SDK failures go through {@link S3ErrorMapping}; those of reading the local file are the base class's. */
    @Override
    protected StorageException translate(Throwable e, Operation op, String key) {
        if (isClosed() || e instanceof SdkException) {
            return core.failure(e, op, key);
        }
        return super.translate(e, op, key); // reading the local file; the SDK's file bodies throw UncheckedIOException
    }

    /**
     * Stops new operations, then closes the client and its connections; operations in flight fail
     * {@code CLOSED}. Multipart uploads in flight are aborted first, so that their parts do not stay
     * on the server: this waits for them up to {@link #CLOSE_WAIT}, then closes regardless. Then
     * the threads the backend made end: its I/O and MD5 pools, its scheduler and the client's
     * Netty event loops; executors, schedulers and event loops given to the builder are left
     * running.
     */
    @Override
    public synchronized void close() {
        if (isClosed()) {
            return;
        }
        super.close();
        List<CompletableFuture<Void>> aborts = writer.stopAll(this::closedDuringUpload);
        try {
            CompletableFuture.allOf(aborts.toArray(CompletableFuture[]::new)).get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Closing {} before {} multipart upload(s) were aborted: their parts stay until a lifecycle rule removes them",
                    label(), writer.multipartUploadsInFlight());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            core.close();
        } finally {
            threads.close();
            // Whatever would have ended an upload later (a task queued on a caller's executor, a
            // retry waiting on the scheduler) may never run now: no caller's future stays pending.
            uploads.forEach((upload, key) -> upload.completeExceptionally(closedDuringUpload(key)));
        }
    }

    @Override
    public String toString() {
        return "S3Backend[" + label() + ", " + config + "]";
    }

    private static String label(S3Config config) {
        String prefix = config.bucketPrefix();
        return "s3:" + config.bucketName() + (prefix.isEmpty() ? "" : "/" + prefix.substring(0, prefix.length() - 1));
    }

    /**
     * Builds an {@link S3Backend}; not thread-safe. Executors, schedulers and event loops given to
     * it remain the caller's: the backend never shuts them down, and the caller does so only once
     * every backend using them is closed.
     */
    public static final class Builder {
        private final S3Config config;
        private final List<ExecutionInterceptor> interceptors = new ArrayList<>();
        private AwsCredentialsProvider credentials;
        private Executor executor;
        private ScheduledExecutorService scheduler;
        private SdkEventLoopGroup eventLoops;
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());

        private Builder(S3Config config) {
            this.config = config;
        }

        /** Adds an SDK interceptor that sees every request and response, e.g. for tracing. */
        public Builder interceptor(ExecutionInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Credentials from a provider of your own, instead of the configuration's or the AWS chain.
         * The backend does not close it.
         */
        public Builder credentialsProvider(AwsCredentialsProvider provider) {
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Runs hashing, request starts, listing callbacks and progress reports on this executor,
         * which the caller keeps and shuts down, instead of the backend's own pool. It must run
         * every task it accepts: one that drops tasks leaves operations unfinished. The MD5 side of
         * hashing still runs on threads of the backend's own, since a hashing task waits for it.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Times pauses on this scheduler, which the caller keeps and shuts down, instead of a thread
         * of the backend's own: the SDK's call and request timeouts, parts and aborts sent again.
         * Its tasks are short; it must run every task it accepts. A scheduler that cancels tasks
         * lazily keeps one per call queued until its call timeout would have passed.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Netty event loops of the caller's, e.g. shared by several backends, instead of a few of
         * the backend's own; the caller closes them.
         */
        public Builder eventLoopGroup(SdkEventLoopGroup eventLoops) {
            this.eventLoops = Objects.requireNonNull(eventLoops, "eventLoops");
            return this;
        }

        /** Threads of the backend's own pool, which hash files before upload; the number of cores by default. */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads must be >= 1: " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** @throws StorageException of kind {@code INVALID_CONFIG} if the SDK rejects the configuration */
        public S3Backend build() {
            S3Threads threads = S3Threads.create(executor, ioThreads, scheduler);
            try {
                return new S3Backend(this, threads);
            } catch (RuntimeException e) {
                threads.closeAll();
                if (e instanceof StorageException) {
                    throw e;
                }
                throw StorageException.invalidConfig("the AWS SDK rejects the configuration: " + e.getMessage());
            }
        }
    }
}
