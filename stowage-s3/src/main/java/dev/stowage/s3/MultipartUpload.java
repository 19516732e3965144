package dev.stowage.s3;

import dev.stowage.StorageException;
import dev.stowage.layer.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * One multipart upload of a file: create, send the parts from the file (a few at once, each read
 * straight from its byte range, never the whole file in memory), complete. If any step fails, or
 * the caller cancels, no new part starts, and once the parts in flight have ended the upload is
 * aborted, so that no orphan part lands after the abort; the future fails only once the abort has
 * been tried. Every part but the last has the same size, as R2 requires.
 */
final class MultipartUpload {
    private static final Logger LOG = LoggerFactory.getLogger(MultipartUpload.class);
    private final S3Core core;
    private final S3Threads threads;
    private final S3AsyncClient client;
    private final String bucket;
    private final String objectKey;
    private final Path source;
    private final FileDigest digest;
    private final long partSizeBytes;
    private final ProgressTally progress;
    private final int concurrency;
    /** Whether the SDK sends CRC32 checksums with each part (the AWS preset). */
    private final boolean checksums;
    private final Function<Throwable, StorageException> classify;
    private final RetryPolicy partRetry;
    private final CompletedPart[] parts;
    private final CompletableFuture<Void> result = new CompletableFuture<>();
    /** Completes when the upload fails or is cancelled or stopped: parts waiting to be retried give up at once. */
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Completes once the upload is completed, or its abort has been tried: nothing more goes to the server. */
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    private volatile String uploadId;
    private int nextPart = 1;
    private int partsDone;
    /** Requests (parts, the completion) handed to the client and not ended yet; guarded by this. */
    private int requestsInFlight;
    private boolean creationEnded;
    private boolean failed;
    private boolean settled;
    private boolean completed;
    private Throwable failure;

    /**
     * @param objectKey  the object's key in the bucket, {@code bucket_prefix} included
     * @param progress   counts each part once the server has it
     * @param classify   turns what a part's request failed with into the backend's error
     * @param partRetry  how often and how patiently each part is tried
     */
    MultipartUpload(S3Core core, S3Threads threads, String objectKey, Path source, FileDigest digest, long partSizeBytes,
                    ProgressTally progress, Function<Throwable, StorageException> classify, RetryPolicy partRetry) {
        this.core = core;
        this.threads = threads;
        this.client = core.client();
        this.bucket = core.config().bucketName();
        this.concurrency = core.config().partConcurrency();
        this.checksums = core.config().sdkChecksums();
        this.classify = classify;
        this.partRetry = partRetry;
        this.objectKey = objectKey;
        this.source = source;
        this.digest = digest;
        this.partSizeBytes = partSizeBytes;
        this.progress = progress;
        this.parts = new CompletedPart[digest.partMd5s().size()];
    }

    /**
     * Starts the upload with the object's headers ({@code create} is completed with bucket and key).
     * Cancelling the returned future, or failing it (a caller's timeout), stops the upload and aborts it.
     */
    CompletableFuture<Void> start(Consumer<CreateMultipartUploadRequest.Builder> create) {
        result.whenComplete((ok, error) -> {
            if (error != null) {
                synchronized (this) {
                    failed = true;
                }
                stopped.complete(null);
                abortOnceSettled();
            }
        });
        synchronized (this) {
            if (failed) { // stopped before it started (close() raced with send()): create nothing
                creationEnded = true;
            }
        }
        if (creationEnded) {
            abortOnceSettled();
            return result;
        }
        CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder().applyMutation(create);
        if (checksums) {
            // AWS wants the algorithm named at creation and each part's checksum at completion, or
            // it rejects the parts that carry one.
            request.checksumAlgorithm(ChecksumAlgorithm.CRC32);
        }
        CompletableFuture<String> created = core.call(() -> client.createMultipartUpload(request.bucket(bucket).key(objectKey).build()))
                .thenApply(r -> r.uploadId());
        // Not cancelled with the rest: an upload the server creates after all must be aborted, so
        // its id is awaited even then.
        created.whenComplete((id, error) -> {
            synchronized (this) {
                uploadId = id;
                creationEnded = true;
            }
            if (error != null) {
                fail(error);
                return;
            }
            for (int i = 0; i < concurrency; i++) {
                sendNextPart(); // sends nothing if the upload was cancelled or stopped meanwhile
            }
            abortOnceSettled(); // and then aborts it at once
        });
        return result;
    }

    private void sendNextPart() {
        int number;
        synchronized (this) {
            if (failed || nextPart > parts.length) {
                return;
            }
            number = nextPart++;
            requestsInFlight++;
        }
        sendPart(number, 1);
    }

    /** One attempt at one part; the part holds its place in {@code requestsInFlight} until its last attempt ends. */
    private void sendPart(int number, int attempt) {
        long offset = (number - 1) * partSizeBytes;
        long length = Math.min(partSizeBytes, digest.sizeBytes() - offset);
        UploadPartRequest.Builder request = UploadPartRequest.builder()
                .bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(number)
                .contentLength(length)
                .contentMD5(digest.partMd5s().get(number - 1));
        if (checksums) {
            request.checksumAlgorithm(ChecksumAlgorithm.CRC32);
        }
        // Parts in flight are never cancelled: cancelling the SDK's future does not stop a request
        // already on its way, and a part that lands after the abort stays behind. They are waited for.
        // The file body stats the file when it is made: a file deleted since hashing fails here.
        core.call(() -> client.uploadPart(request.build(),
                        AsyncRequestBody.fromFile(c -> c.path(source).position(offset).numBytesToRead(length))))
                .whenComplete((response, error) -> {
                    if (error != null) {
                        partFailed(number, attempt, error);
                        return;
                    }
                    boolean last;
                    synchronized (this) {
                        requestsInFlight--;
                        parts[number - 1] = CompletedPart.builder().partNumber(number).eTag(response.eTag())
                                .checksumCRC32(response.checksumCRC32()).build();
                        last = ++partsDone == parts.length;
                    }
                    progress.add(length);
                    if (last) {
                        complete();
                    } else {
                        sendNextPart();
                    }
                    abortOnceSettled();
                });
    }

    /**
     * A part failed: it is sent again after a pause if the failure is worth retrying and attempts
     * are left; otherwise the upload fails, for good once the part was retried, so that an outer
     * retry layer does not start the whole upload over and multiply the attempts. A stop during
     * the pause ends the pause at once.
     */
    private void partFailed(int number, int attempt, Throwable error) {
        StorageException e;
        boolean again;
        try {
            e = classify.apply(error);
        } catch (RuntimeException unexpected) {
            unexpected.addSuppressed(error);
            synchronized (this) {
                requestsInFlight--;
            }
            fail(unexpected);
            return;
        }
        synchronized (this) {
            again = !failed && e.isRetryable() && attempt < partRetry.maxAttempts();
            if (!again) {
                requestsInFlight--;
            }
        }
        if (!again) {
            fail(e.isRetryable() && partRetry.maxAttempts() > 1
                    ? e.toBuilder().retryable(false).detail(e.detail() + " (part " + number + " failed " + attempt + " times)").build()
                    : e);
            return;
        }
        pause(partRetry.delayAfter(attempt, ThreadLocalRandom.current().nextDouble())).thenRunAsync(() -> {
            boolean stop;
            synchronized (this) {
                stop = failed;
                if (stop) {
                    requestsInFlight--;
                }
            }
            if (stop) {
                abortOnceSettled();
            } else {
                sendPart(number, attempt + 1);
            }
        }, threads.ioOrHere());
    }

    /**
     * A future that completes once the pause has passed, timed on the backend's scheduler, or at
     * once when the upload stops. A scheduler that refuses the timer (shut down) ends the pause at once.
     */
    private CompletableFuture<Void> pause(Duration pause) {
        CompletableFuture<Void> wake = new CompletableFuture<>();
        try {
            ScheduledFuture<?> timer = threads.scheduler().schedule(() -> wake.complete(null), pause.toNanos(), TimeUnit.NANOSECONDS);
            wake.whenComplete((ok, e) -> timer.cancel(false)); // a stop ends the pause: the timer has nothing left to do
        } catch (RejectedExecutionException e) {
            wake.complete(null);
        }
        stopped.thenRun(() -> wake.complete(null));
        return wake;
    }

    private void complete() {
        synchronized (this) {
            if (failed) {
                return;
            }
            requestsInFlight++;
        }
        core.call(() -> client.completeMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId)
                        .multipartUpload(CompletedMultipartUpload.builder().parts(Arrays.asList(parts)).build())))
                .whenComplete((response, error) -> {
                    synchronized (this) {
                        requestsInFlight--;
                        completed = error == null;
                    }
                    if (error != null) {
                        fail(error);
                    } else {
                        result.complete(null);
                        ended.complete(null);
                    }
                    abortOnceSettled();
                });
    }

    /** The first failure stops new parts; once those in flight have ended the upload is aborted, then the result fails. */
    private void fail(Throwable error) {
        synchronized (this) {
            if (!failed) {
                failed = true;
                failure = error;
            }
        }
        stopped.complete(null);
        abortOnceSettled(); // always: the caller may have just ended the last request
    }

    /** After a failure or a cancellation, and once no request of the upload is in flight any more: aborts it. */
    private void abortOnceSettled() {
        Throwable error;
        synchronized (this) {
            if (!failed || !creationEnded || requestsInFlight > 0 || settled || completed) {
                return;
            }
            settled = true;
            error = failure;
        }
        String id = uploadId;
        if (id == null) {
            if (error != null) {
                result.completeExceptionally(error); // nothing was created: nothing to abort
            }
            ended.complete(null);
            return;
        }
        // Reached once: `settled` guards it.
        core.call(() -> client.abortMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(id))).whenComplete((ok, abortError) -> {
            if (abortError != null) {
                LOG.warn("Could not abort multipart upload {} of key {} in bucket {}; its parts stay until a lifecycle "
                        + "rule removes them: {}", id, objectKey, bucket, abortError.toString());
                if (error != null) {
                    error.addSuppressed(abortError);
                }
            }
            if (error != null) {
                result.completeExceptionally(error);
            }
            ended.complete(null);
        });
    }

    /** Stops the upload as if it had failed with {@code reason}: no new part, then the abort. */
    void stop(Throwable reason) {
        fail(reason);
    }

    /** A future that completes once the upload is completed or its abort has been tried. */
    CompletableFuture<Void> ended() {
        return ended;
    }
}
