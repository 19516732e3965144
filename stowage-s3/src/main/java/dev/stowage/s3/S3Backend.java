package dev.stowage.s3;

import dev.stowage.Capabilities;
import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.Keys;
import dev.stowage.MediaTypes;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.Urls;
import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.internal.Futures;
import dev.stowage.internal.IoExecutors;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.spi.AbstractStorageBackend;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.SdkAutoCloseable;

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
 * <p><b>Retries:</b> none here and none in the SDK (its retries are off): wrap the backend in a
 * {@link dev.stowage.layer.RetryLayer}, which retries whole operations on retryable kinds, and a
 * retried upload reads and hashes the file again.
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
    /** How long {@link #close()} waits for multipart uploads in flight to be aborted. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    /** The longest a presigned URL can live under SigV4. */
    public static final Duration MAX_PRESIGN_EXPIRY = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(S3Backend.class);
    private static final Capabilities CAPABILITIES = new Capabilities(true, true, true, false, true, true, true);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final long MiB = 1 << 20;

    private final S3Config config;
    private final S3AsyncClient client;
    private final S3Presigner presigner;
    /** The credentials provider this backend made, and closes; null for one the caller owns. */
    private final AwsCredentialsProvider ownCredentials;
    /** Whether credentials are static keys, which the SDK resolves without I/O. */
    private final boolean staticCredentials;
    private final S3ErrorMapping errors;
    private final URI keyBase;
    private final Executor io;
    /** The I/O pool, or the calling thread once the pool refuses work (closed): what runs there then fails at once. */
    private final Executor ioOrHere;
    private volatile boolean bucketSeen;
    /** Multipart uploads that may still have parts on the server, for close() to abort. */
    private final Map<MultipartUpload, String> multipartUploads = new ConcurrentHashMap<>();

    private S3Backend(S3Config config, AwsCredentialsProvider callersCredentials, List<ExecutionInterceptor> interceptors,
                      Executor io, ExecutorService ownedIo) {
        super(label(config), io, ownedIo);
        this.config = config;
        this.io = io;
        this.ioOrHere = task -> {
            try {
                io.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
        this.errors = new S3ErrorMapping(config);
        this.keyBase = S3Urls.keyBase(config);
        this.ownCredentials = callersCredentials == null ? S3Clients.credentials(config) : null;
        this.staticCredentials = callersCredentials == null && config.hasStaticCredentials();
        // The presigner closes the provider it is given: the caller's is handed over behind a view
        // that cannot be closed.
        AwsCredentialsProvider credentials = callersCredentials != null ? callersCredentials::resolveCredentials : ownCredentials;
        S3AsyncClient built = null;
        try {
            built = S3Clients.client(config, credentials, interceptors);
            this.presigner = S3Clients.presigner(config, credentials);
        } catch (RuntimeException e) {
            if (built != null) {
                built.close();
            }
            closeOwnCredentials();
            throw e;
        }
        this.client = built;
    }

    /** A backend for the configuration, with credentials from it or the AWS chain. */
    public static S3Backend create(S3Config config) {
        return builder(config).build();
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
        CompletableFuture<Planned> planned = runUpload(source, key, stop -> plan(source, key, options, stop));
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
                sent = send(source, key, options, plan);
            } catch (RuntimeException e) {
                result.completeExceptionally(uploadFailure(e, source, key));
                return;
            }
            Futures.cancelWith(result, sent);
            sent.whenComplete((ok, e) -> {
                if (e == null) {
                    result.complete(Urls.join(keyBase, key));
                } else {
                    result.completeExceptionally(uploadFailure(e, source, key));
                }
            });
        }, ioOrHere);
        return result;
    }

    /** How an upload goes: the file's digest, and the part size (0 for a single PUT). */
    private record Planned(FileDigest digest, long partSizeBytes) {
    }

    /** Runs on the I/O pool: checks the key's full length and the file, then hashes the file. */
    private Planned plan(Path source, String key, UploadOptions options, java.util.function.BooleanSupplier stop) throws Exception {
        requireFullKeyFits(key, Operation.UPLOAD);
        long size = requireSourceFile(source, key).size();
        long partSize = size >= config.multipartThresholdBytes() ? partSizeFor(size, key) : 0;
        FileDigest digest;
        try {
            digest = FileDigest.of(source, partSize > 0 ? partSize : Long.MAX_VALUE, () -> stop.getAsBoolean() || isClosed());
        } catch (CancellationException e) {
            if (isClosed() && !stop.getAsBoolean()) {
                throw error(ErrorKind.CLOSED, "the backend was closed during the upload", Operation.UPLOAD, key, null);
            }
            throw e;
        }
        if (options.sha256().isPresent() && !options.sha256().get().equals(digest.sha256())) {
            throw error(ErrorKind.INTEGRITY, "the file's SHA-256 is " + digest.sha256() + ", not the "
                    + options.sha256().get() + " the caller gave: it changed or the checksum is wrong",
                    Operation.UPLOAD, key, null).toBuilder().retryable(false).build();
        }
        return new Planned(digest, partSize);
    }

    private long partSizeFor(long size, String key) {
        long partSize = config.partSizeBytes();
        long fewest = (size + S3Config.MAX_PARTS - 1) / S3Config.MAX_PARTS;
        if (partSize < fewest) {
            partSize = (fewest + MiB - 1) / MiB * MiB; // S3 allows at most 10,000 parts
        }
        if (partSize > S3Config.MAX_PART_BYTES) {
            throw error(ErrorKind.UNSUPPORTED, "the file is " + size + " bytes, more than S3's 10,000 parts of 5 GiB",
                    Operation.UPLOAD, key, null);
        }
        return partSize;
    }

    private CompletableFuture<?> send(Path source, String key, UploadOptions options, Planned plan) {
        if (isClosed()) {
            throw error(ErrorKind.CLOSED, "the backend was closed during the upload", Operation.UPLOAD, key, null);
        }
        String objectKey = config.objectKey(key);
        String contentType = options.contentType().orElseGet(() -> contentType(key, source));
        Map<String, String> metadata = new TreeMap<>(options.metadata());
        metadata.put(SHA256_METADATA, plan.digest().sha256());
        Optional<ObjectCannedACL> acl = config.acl().map(ObjectCannedACL::fromValue);
        if (plan.partSizeBytes() > 0) {
            MultipartUpload upload = new MultipartUpload(client, config.bucketName(), objectKey, source, plan.digest(),
                    plan.partSizeBytes(), config.partConcurrency(), config.sdkChecksums(),
                    e -> uploadFailure(e, source, key), RetryPolicy.defaults().withMaxAttempts(config.partAttempts()));
            multipartUploads.put(upload, key);
            upload.ended().whenComplete((ok, e) -> multipartUploads.remove(upload));
            if (isClosed()) {
                upload.stop(error(ErrorKind.CLOSED, "the backend was closed during the upload", Operation.UPLOAD, key, null));
            }
            return upload.start(b -> {
                b.contentType(contentType).metadata(metadata);
                options.cacheControl().ifPresent(b::cacheControl);
                acl.ifPresent(b::acl);
            });
        }
        long size = plan.digest().sizeBytes();
        PutObjectRequest.Builder put = PutObjectRequest.builder()
                .bucket(config.bucketName()).key(objectKey)
                .contentType(contentType).metadata(metadata)
                .contentLength(size)
                .contentMD5(plan.digest().partMd5s().get(0));
        options.cacheControl().ifPresent(put::cacheControl);
        acl.ifPresent(put::acl);
        // Exactly the bytes that were hashed: the server checks them against Content-MD5.
        return client.putObject(put.build(), AsyncRequestBody.fromFile(c -> c.path(source).position(0L).numBytesToRead(size)));
    }

    /** The media type of the key's extension, else of the file name's. */
    private static String contentType(String key, Path source) {
        String byKey = MediaTypes.guess(key);
        Path name = source.getFileName();
        return byKey.equals(MediaTypes.OCTET_STREAM) && name != null ? MediaTypes.guess(name.toString()) : byKey;
    }

    @Override
    public CompletableFuture<Void> deleteFile(String key) {
        Objects.requireNonNull(key, "key");
        return start(Operation.DELETE, key, () -> {
            requireFullKeyFits(key, Operation.DELETE);
            return afterCredentials(() -> client.deleteObject(r -> r.bucket(config.bucketName()).key(config.objectKey(key))).thenApply(r -> null));
        });
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
        afterCredentials(() -> new BatchDelete(this, client, config, keys).run()).whenComplete((done, error) -> {
            if (error == null) {
                result.complete(done);
            } else {
                result.completeExceptionally(failure(error, Operation.DELETE, null));
            }
        });
        return result;
    }

    /** The full object key of a key, or an {@code INVALID_KEY} failure; used by {@link BatchDelete}. */
    String objectKeyFor(String key, Operation op) {
        Keys.check(key, op, label());
        requireFullKeyFits(key, op);
        return config.objectKey(key);
    }

    /** Translates an SDK failure for one key, as every operation does; used by {@link BatchDelete}. */
    StorageException failure(Throwable error, Operation op, String key) {
        Throwable e = Futures.unwrap(error);
        return e instanceof StorageException ? (StorageException) e : translate(e, op, key);
    }

    /** An exception for an S3 error code reported inside a response; used by {@link BatchDelete}. */
    StorageException failure(String code, String message, Operation op, String key) {
        return errors.map(code, message, 0).operation(op).key(key).backend(label()).build();
    }

    @Override
    public URI getUrl(String key) {
        Objects.requireNonNull(key, "key");
        Keys.check(key, Operation.URL, label());
        requireFullKeyFits(key, Operation.URL);
        return Urls.join(keyBase, key);
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
        return start(Operation.STAT, key, () -> {
            requireFullKeyFits(key, Operation.STAT);
            return afterCredentials(() -> client.headObject(r -> r.bucket(config.bucketName()).key(config.objectKey(key))))
                    .thenApply(head -> Optional.of(info(key, head)))
                    .exceptionallyCompose(error -> {
                        // S3 answers HEAD of a key in a missing bucket with a bare 404 too: make sure
                        // once that the bucket is there, so a wrong bucket_name is not "empty".
                        return Futures.unwrap(error) instanceof NoSuchKeyException
                                ? requireBucket().thenApply(seen -> Optional.<ObjectInfo>empty())
                                : CompletableFuture.failedFuture(error);
                    });
        });
    }

    private CompletableFuture<Void> requireBucket() {
        if (bucketSeen) {
            return CompletableFuture.completedFuture(null);
        }
        return client.headBucket(r -> r.bucket(config.bucketName())).handle((ok, error) -> {
            Throwable e = error == null ? null : Futures.unwrap(error);
            if (e instanceof NoSuchBucketException
                    || (e instanceof S3Exception && ((S3Exception) e).statusCode() == 404)) {
                throw new CompletionException(e);
            }
            if (e == null || (e instanceof S3Exception && ((S3Exception) e).statusCode() == 403)) {
                bucketSeen = true; // 403: HeadBucket needs a permission stat does not; assume it is there
                return null;
            }
            throw new CompletionException(e);
        });
    }

    private ObjectInfo info(String key, HeadObjectResponse head) {
        Optional<String> sha256 = Optional.ofNullable(head.metadata().get(SHA256_METADATA))
                .filter(v -> SHA256_HEX.matcher(v).matches());
        Map<String, String> metadata = new TreeMap<>(head.metadata());
        metadata.remove(SHA256_METADATA);
        return new ObjectInfo(key, head.contentLength() != null ? head.contentLength() : 0L,
                head.lastModified() != null ? head.lastModified() : java.time.Instant.EPOCH,
                Optional.ofNullable(head.eTag()), sha256, Optional.ofNullable(head.contentType()),
                Optional.ofNullable(head.cacheControl()), metadata);
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
        return listing(prefix, () -> new Listing(client, config.bucketName(), config.objectKey(prefix),
                config.bucketPrefix().length(), this::afterCredentials));
    }

    /**
     * Starts an SDK call. The SDK resolves credentials on the calling thread and waits for them
     * there; static credentials take no time, but the AWS chain or a provider of the caller's may
     * ask the network (instance roles, STS), on first use and at every refresh. With those, the
     * call starts on the I/O pool instead.
     */
    <T> CompletableFuture<T> afterCredentials(Supplier<CompletableFuture<T>> call) {
        if (staticCredentials) {
            return call.get();
        }
        try {
            return CompletableFuture.supplyAsync(call, io).thenCompose(f -> f);
        } catch (RejectedExecutionException e) { // closed meanwhile
            return CompletableFuture.failedFuture(e);
        }
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
        return run(Operation.PRESIGN, key, stop -> {
            requireFullKeyFits(key, Operation.PRESIGN);
            return URI.create(presigner.presignGetObject(r -> r.signatureDuration(expiry)
                    .getObjectRequest(g -> g.bucket(config.bucketName()).key(config.objectKey(key)))).url().toString());
        });
    }

    /** S3 allows 1024 bytes for the whole key, prefix included. */
    private void requireFullKeyFits(String key, Operation op) {
        int bytes = config.objectKey(key).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Keys.MAX_KEY_BYTES) {
            throw error(ErrorKind.INVALID_KEY, "with bucket_prefix '" + config.bucketPrefix() + "' the key is " + bytes
                    + " bytes long, more than the " + Keys.MAX_KEY_BYTES + " S3 allows", op, key, null);
        }
    }

    @Override
    protected StorageException translate(Throwable e, Operation op, String key) {
        if (isClosed()) {
            return error(ErrorKind.CLOSED, "the backend was closed during the operation", op, key, e);
        }
        if (!(e instanceof SdkException)) {
            return super.translate(e, op, key); // reading the local file; the SDK's file bodies throw UncheckedIOException
        }
        return errors.map(e, op).operation(op).key(key).backend(label()).cause(e).build();
    }

    /**
     * Stops new operations, then closes the client and its connections; operations in flight fail
     * {@code CLOSED}. Multipart uploads in flight are aborted first, so that their parts do not stay
     * on the server: this waits for them up to {@link #CLOSE_WAIT}, then closes regardless.
     */
    @Override
    public synchronized void close() {
        if (isClosed()) {
            return;
        }
        super.close();
        List<CompletableFuture<Void>> aborts = new ArrayList<>();
        multipartUploads.forEach((upload, key) -> {
            upload.stop(error(ErrorKind.CLOSED, "the backend was closed during the upload", Operation.UPLOAD, key, null));
            aborts.add(upload.ended());
        });
        try {
            CompletableFuture.allOf(aborts.toArray(CompletableFuture[]::new)).get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Closing {} before {} multipart upload(s) were aborted: their parts stay until a lifecycle rule removes them",
                    label(), multipartUploads.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            client.close();
            presigner.close();
        } finally {
            closeOwnCredentials();
        }
    }

    /** Closes the credentials provider this backend made (the AWS chain's caches and threads), never the caller's. */
    private void closeOwnCredentials() {
        if (ownCredentials instanceof SdkAutoCloseable) {
            ((SdkAutoCloseable) ownCredentials).close();
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

    /** Builds an {@link S3Backend}; not thread-safe. */
    public static final class Builder {
        private final S3Config config;
        private final List<ExecutionInterceptor> interceptors = new ArrayList<>();
        private AwsCredentialsProvider credentials;
        private Executor executor;
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
         * Runs hashing, request starts and listing callbacks on this executor, which the caller
         * keeps and shuts down, instead of the backend's own pool. It must run every task it
         * accepts: one that drops tasks leaves operations unfinished.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
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
            ExecutorService owned = executor == null ? IoExecutors.newPool("stowage-s3-io", ioThreads) : null;
            try {
                return new S3Backend(config, credentials, interceptors, executor != null ? executor : owned, owned);
            } catch (RuntimeException e) {
                if (owned != null) {
                    owned.shutdown();
                }
                if (e instanceof StorageException) {
                    throw e;
                }
                throw StorageException.invalidConfig("the AWS SDK rejects the configuration: " + e.getMessage());
            }
        }
    }
}
