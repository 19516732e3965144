package dev.stowage.s3;

import dev.stowage.ErrorKind;
import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.internal.Futures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The requests of one {@link S3Backend}: the SDK client and presigner, how keys become object keys
 * in the bucket, how calls start once credentials allow, and how failures become
 * {@link StorageException}s. The backend, its {@link S3Writer}, {@link Listing}s and
 * {@link BatchDelete}s all go through it; its request methods take Stowage keys and return the
 * SDK's futures, untranslated. Thread-safe.
 */
final class S3Core implements AutoCloseable {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final S3Config config;
    private final String label;
    private final S3AsyncClient client;
    private final S3Presigner presigner;
    /** The credentials provider this core made, and closes; null for one the caller owns. */
    private final AwsCredentialsProvider ownCredentials;
    private final S3ErrorMapping errors;
    /** Where every call starts: signing and resolving credentials never happen on the caller's thread. */
    private final Executor io;
    /** Calls started and not answered yet. */
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean clientClosed;
    /** Whether the backend is closed: every failure is then {@code CLOSED}. */
    private final BooleanSupplier closed;
    private volatile boolean bucketSeen;
    /** Small PUTs without the SDK's pipeline, where the configuration allows them. */
    private final Optional<SignedPut> signedPut;

    private S3Core(S3Config config, String label, S3AsyncClient client, S3Presigner presigner,
                   AwsCredentialsProvider ownCredentials, Optional<SignedPut> signedPut, Executor io, BooleanSupplier closed) {
        this.config = config;
        this.label = label;
        this.client = client;
        this.presigner = presigner;
        this.ownCredentials = ownCredentials;
        this.errors = new S3ErrorMapping(config);
        this.signedPut = signedPut;
        this.io = io;
        this.closed = closed;
    }

    /**
     * Builds the client and presigner; on failure, closes what it had made.
     *
     * @param callersCredentials a provider of the caller's, never closed here; null for the configuration's or the AWS chain
     * @param eventLoops         the caller's Netty event loops, or null for the client's own
     */
    static S3Core open(S3Config config, String label, AwsCredentialsProvider callersCredentials,
                       List<ExecutionInterceptor> interceptors, SdkEventLoopGroup eventLoops, S3Threads threads,
                       BooleanSupplier closed) {
        AwsCredentialsProvider own = callersCredentials == null ? S3Clients.credentials(config) : null;
        // The presigner closes the provider it is given: the caller's is handed over behind a view
        // that cannot be closed.
        AwsCredentialsProvider credentials = callersCredentials != null ? callersCredentials::resolveCredentials : own;
        S3AsyncClient client = null;
        try {
            AtomicReference<SdkAsyncHttpClient> http = new AtomicReference<>();
            client = S3Clients.client(config, credentials, interceptors, eventLoops, threads.scheduler(), http::set);
            S3Presigner presigner = S3Clients.presigner(config, credentials);
            Optional<SignedPut> signedPut = http.get() == null ? Optional.empty()
                    : SignedPut.of(config, !interceptors.isEmpty(), credentials, http::get, threads.scheduler());
            return new S3Core(config, label, client, presigner, own, signedPut, threads.io(), closed);
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            }
            closeQuietly(own);
            throw e;
        }
    }

    S3Config config() {
        return config;
    }

    S3AsyncClient client() {
        return client;
    }

    /** Small PUTs sent without the SDK's request pipeline, if the configuration allows them. */
    Optional<SignedPut> signedPut() {
        return signedPut;
    }

    /**
     * What sends bodies guarded by their signed SHA-256 alone, without {@code Content-MD5}: the
     * {@link #signedPut()}, where the store checks a signed body ({@link S3Preset#checksSignedPayload()}).
     */
    Optional<SignedPut> bodySigner() {
        return config.preset().checksSignedPayload() ? signedPut : Optional.empty();
    }

    /**
     * The object key of a key in the bucket, {@code bucket_prefix} included.
     *
     * @throws StorageException {@code INVALID_KEY} if the key breaks the {@link Keys} rules, or is
     *                          longer with the prefix than the 1024 bytes S3 allows
     */
    String objectKey(String key, Operation op) {
        Keys.check(key, op, label);
        String objectKey = config.objectKey(key);
        int bytes = objectKey.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Keys.MAX_KEY_BYTES) {
            throw error(ErrorKind.INVALID_KEY, "with bucket_prefix '" + config.bucketPrefix() + "' the key is " + bytes
                    + " bytes long, more than the " + Keys.MAX_KEY_BYTES + " S3 allows", op, key);
        }
        return objectKey;
    }

    /**
     * Starts an SDK call on the I/O executor, never on the caller's thread: the SDK signs there,
     * and resolves credentials there, which for the AWS chain or a provider of the caller's may ask
     * the network (instance roles, STS) on first use and at every refresh. What the call throws,
     * or the executor's refusal (closed), fails the future; cancelling the future cancels the call.
     */
    <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        inFlight.add(result);
        result.whenComplete((value, error) -> inFlight.remove(result));
        Runnable start = () -> {
            if (result.isDone()) {
                return; // given up before it started
            }
            if (clientClosed) {
                // A Netty client whose event loops have stopped may never complete a new call.
                result.completeExceptionally(new IllegalStateException("the S3 client is closed"));
                return;
            }
            CompletableFuture<T> sdk;
            try {
                sdk = call.get();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            Futures.cancelWith(result, sdk);
            sdk.whenComplete((value, error) -> {
                if (error == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(error);
                }
            });
        };
        try {
            io.execute(start);
        } catch (RejectedExecutionException e) {
            if (closed.getAsBoolean()) {
                start.run(); // closing: the aborts it sends run on the closing thread, the pool being shut down
            } else {
                result.completeExceptionally(e); // a caller's executor that is full: never the caller's thread
            }
        }
        return result;
    }

    /**
     * What {@code stat} reports of a key: empty if there is no such object. S3 answers HEAD of a
     * key in a missing bucket with a bare 404 too: the bucket is checked once, so that a wrong
     * {@code bucket_name} does not pass for an empty bucket.
     */
    CompletableFuture<Optional<ObjectInfo>> stat(String key) {
        return whole(call(() -> client.headObject(r -> r.bucket(config.bucketName()).key(objectKey(key, Operation.STAT)))),
                head -> head.contentLength() != null, "the HEAD answer", "Content-Length", Operation.STAT, key)
                .thenApply(head -> Optional.of(info(key, head)))
                .exceptionallyCompose(error -> Futures.unwrap(error) instanceof NoSuchKeyException
                        ? requireBucket().thenApply(seen -> Optional.<ObjectInfo>empty())
                        : CompletableFuture.failedFuture(error));
    }

    private CompletableFuture<Void> requireBucket() {
        if (bucketSeen) {
            return CompletableFuture.completedFuture(null);
        }
        return call(() -> client.headBucket(r -> r.bucket(config.bucketName()))).handle((ok, error) -> {
            Throwable e = error == null ? null : Futures.unwrap(error);
            if (e instanceof NoSuchBucketException || (e instanceof S3Exception && ((S3Exception) e).statusCode() == 404)) {
                throw new CompletionException(e);
            }
            if (e == null || (e instanceof S3Exception && ((S3Exception) e).statusCode() == 403)) {
                bucketSeen = true; // 403: HeadBucket needs a permission stat does not; assume it is there
                return null;
            }
            throw new CompletionException(e);
        });
    }

    private static ObjectInfo info(String key, HeadObjectResponse head) {
        Optional<String> sha256 = Optional.ofNullable(head.metadata().get(S3Backend.SHA256_METADATA))
                .filter(v -> SHA256_HEX.matcher(v).matches());
        Map<String, String> metadata = new TreeMap<>(head.metadata());
        metadata.remove(S3Backend.SHA256_METADATA);
        return new ObjectInfo(key, head.contentLength(),
                head.lastModified() != null ? head.lastModified() : Instant.EPOCH,
                Optional.ofNullable(head.eTag()), sha256, Optional.ofNullable(head.contentType()),
                Optional.ofNullable(head.cacheControl()), metadata);
    }

    /** Deletes one object; nothing there is no failure. */
    CompletableFuture<Void> delete(String key) {
        return call(() -> client.deleteObject(r -> r.bucket(config.bucketName()).key(objectKey(key, Operation.DELETE))))
                .thenApply(r -> null);
    }

    /** One page of up to 1000 objects whose keys start with the prefix, from the continuation token on. */
    CompletableFuture<ListObjectsV2Response> listObjects(String prefix, String continuation) {
        // An answer cut in its head reads as an empty last page: without IsTruncated, which every
        // whole answer carries, it would end the listing early without an error.
        return whole(call(() -> client.listObjectsV2(r -> r.bucket(config.bucketName()).prefix(config.objectKey(prefix))
                .continuationToken(continuation))), page -> page.isTruncated() != null, "the ListObjectsV2 answer",
                "IsTruncated", Operation.LIST, prefix);
    }

    /**
     * Deletes up to 1000 objects in one request. Not quiet: every object must come back as deleted
     * or failed, or it is not known to be deleted.
     */
    CompletableFuture<DeleteObjectsResponse> deleteObjects(List<ObjectIdentifier> objects) {
        return call(() -> client.deleteObjects(r -> r.bucket(config.bucketName()).delete(d -> d.objects(objects).quiet(false))));
    }

    /** A presigned GET of the key, computed without a request; the credentials may have to be resolved. */
    URI presignGet(String key, Duration expiry) {
        return URI.create(presigner.presignGetObject(r -> r.signatureDuration(expiry)
                .getObjectRequest(g -> g.bucket(config.bucketName()).key(objectKey(key, Operation.PRESIGN)))).url().toString());
    }

    /**
     * The error a failed request of an operation on a key stands for: a {@link StorageException}
     * as it is, {@code CLOSED} once the backend is closed, else as {@link #mapped} says.
     */
    StorageException failure(Throwable error, Operation op, String key) {
        Throwable e = Futures.unwrap(error);
        if (!(e instanceof StorageException) && closed.getAsBoolean()) {
            return StorageException.builder(ErrorKind.CLOSED, "the backend was closed during the operation")
                    .operation(op).key(key).backend(label).cause(e).build();
        }
        return mapped(e, op, key);
    }

    /**
     * What a failed request says, whether the backend is closed or not: a {@link StorageException}
     * as it is, an SDK failure through {@link S3ErrorMapping}, anything else {@code UNEXPECTED}.
     */
    StorageException mapped(Throwable error, Operation op, String key) {
        Throwable e = Futures.unwrap(error);
        if (e instanceof StorageException) {
            return (StorageException) e;
        }
        if (e instanceof SdkException) {
            return errors.map(e, op).operation(op).key(key).backend(label).cause(e).build();
        }
        return StorageException.builder(ErrorKind.UNEXPECTED, e.toString()).operation(op).key(key).backend(label).cause(e).build();
    }

    /**
     * The answer of a call, failed with a retryable {@code UNAVAILABLE} error if it lacks what
     * every whole answer of its kind carries. The SDK's Netty client (2.57) takes an answer whose
     * connection closed within its head for a whole one, with the headers that arrived: a HEAD
     * without its {@code Content-Length}, an {@code UploadPart} without its {@code ETag}, a
     * {@code CreateMultipartUpload} without its upload id. Cancelling the returned future cancels the call.
     *
     * @param answer  what is checked, for the message, such as "the UploadPart answer"
     * @param missing what a whole answer carries, for the message, such as "ETag"
     */
    <T> CompletableFuture<T> whole(CompletableFuture<T> call, Predicate<T> isWhole, String answer, String missing,
                                   Operation op, String key) {
        CompletableFuture<T> checked = call.thenApply(response -> {
            if (!isWhole.test(response)) {
                throw StorageException.builder(ErrorKind.UNAVAILABLE, answer + " came without its " + missing
                        + ": it was cut short on the way").retryable(true).operation(op).key(key).backend(label).build();
            }
            return response;
        });
        Futures.cancelWith(checked, call);
        return checked;
    }

    /** The error for an S3 error code reported inside an answer, such as one key's in a {@code DeleteObjects} result. */
    StorageException failure(String code, String message, Operation op, String key) {
        return errors.map(code, message, 0).operation(op).key(key).backend(label).build();
    }

    /** An error of this backend. */
    StorageException error(ErrorKind kind, String detail, Operation op, String key) {
        return StorageException.builder(kind, detail).operation(op).key(key).backend(label).build();
    }

    /** Closes the client and its connections, the presigner, and the credentials provider this core made. */
    @Override
    public void close() {
        clientClosed = true;
        try {
            client.close();
            presigner.close();
        } finally {
            closeQuietly(ownCredentials);
            // Whatever the client left unanswered as it closed ends now, so that no future stays pending.
            List.copyOf(inFlight).forEach(f -> f.completeExceptionally(new IllegalStateException("the S3 client was closed")));
        }
    }

    /** Closes a provider of the AWS chain (its caches and refresh threads); static ones hold nothing. */
    private static void closeQuietly(AwsCredentialsProvider provider) {
        if (provider instanceof SdkAutoCloseable) {
            ((SdkAutoCloseable) provider).close();
        }
    }
}
