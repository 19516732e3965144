package dev.stowage.s3;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.ResumeJournal;
import dev.stowage.StorageException;
import dev.stowage.internal.Digests;
import dev.stowage.internal.Futures;
import dev.stowage.layer.RetryPolicy;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * One multipart upload of a file: create, send the parts, complete. The parts are read once each,
 * in order ({@link PartReader}): a part is read into a buffer ({@link PartBuffers}), its digest
 * taken (its SHA-256, signed by {@link SignedPut} for a store that checks it, else its MD5 for the
 * SDK to send) and sent from there, a few parts at once, never the whole file in memory; a part over 64 MiB
 * (files over 625 GiB with 8 MiB parts) is hashed in place and sent from the file. The upload is completed only once
 * the SHA-256 of every part read is the one it was planned with, which goes with the object. If any step fails, or
 * the caller cancels, no new part starts, and once the parts in flight have ended the upload is
 * aborted, so that no orphan part lands after the abort; the future fails only once the abort has
 * been tried ({@link MultipartAborts}). A creation whose answer was lost may have made an upload
 * nobody knows the id of: that one is looked for and aborted. Every part but the last has the same
 * size, as R2 requires.
 *
 * <p>With a {@link ResumeJournal} (not {@link ResumeJournal#NONE}) the upload is recorded once
 * created, and forgotten once completed or aborted. Before creating one, a recorded upload of the
 * same file is taken up instead if the store still holds some of its parts ({@link Resumption}):
 * only the others are sent. A failure worth another attempt (the network) then leaves the upload
 * and its record in place rather than aborting it, so that the next attempt, of a retry layer or
 * of a later run, resumes it; any other failure, a cancellation and the backend's close abort it
 * as without a journal.
 */
final class MultipartUpload {
    private static final Logger LOG = LoggerFactory.getLogger(MultipartUpload.class);
    /** What a part sent from the file is read in: the SDK's 16 KiB would take a read and a hand-off each. */
    static final int FILE_CHUNK_BYTES = 256 << 10;

    private final S3Core core;
    private final S3Threads threads;
    private final MultipartAborts aborts;
    private final S3AsyncClient client;
    private final String bucket;
    /** The Stowage key, for errors. */
    private final String key;
    private final String objectKey;
    private final Path source;
    private final PartReader reader;
    private final PartBuffers buffers;
    /** The SHA-256 stored with the object, which the parts read must have. */
    private final String sha256;
    /** Whether {@link #sha256} is the caller's, which a mismatch then blames. */
    private final boolean callersSha256;
    private final long partSizeBytes;
    private final ProgressTally progress;
    private final int concurrency;
    /** Whether the SDK sends CRC32 checksums with each part (the AWS preset). */
    private final boolean checksums;
    /**
     * What sends a part read into a buffer, signed with its SHA-256 in place of its MD5, where the
     * store checks that ({@link S3Preset#checksSignedPayload()}); null for the SDK, with the MD5.
     */
    private final SignedPut signed;
    private final Function<Throwable, StorageException> classify;
    private final RetryPolicy partRetry;
    /** By part number less one: what completes the upload; a part taken up from a resumed upload is there from the start. */
    private final CompletedPart[] parts;
    /** The journal's side of the upload; null without a journal, when nothing is recorded and a failure always aborts. */
    private final Resumption resumption;
    /** Where the journal is called and what follows runs: the I/O executor; without a journal, the thread at hand. */
    private final Executor journalSide;
    private final CompletableFuture<Void> result = new CompletableFuture<>();
    /** Completes when the upload fails or is cancelled or stopped: parts waiting to be retried give up at once. */
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Completes once the upload is completed, or its abort has been tried: nothing more goes to the server. */
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    private volatile String uploadId;
    /** When the creation was sent, by {@link System#nanoTime()}. */
    private long createSentNanos;
    /** Whether the creation failed in a way that may have made an upload on the server after all; guarded by this. */
    private boolean creationLost;
    /** The next part to read; guarded by this. */
    private int nextPart = 1;
    private int partsDone;
    /** Whether a part is being read; guarded by this. */
    private boolean reading;
    /** Parts being read, or read and not sent yet: at most {@link #concurrency}; guarded by this. */
    private int partsHeld;
    /** Whether every part has been read and the whole found to have {@link #sha256}; guarded by this. */
    private boolean allRead;
    private boolean completionSent;
    /** The buffer the part being read waits for, if it waits; guarded by this. */
    private CompletableFuture<ByteBuffer> bufferAwaited;
    /** Parts being read or sent, and the completion, not ended yet; guarded by this. */
    private int requestsInFlight;
    private boolean creationEnded;
    private boolean failed;
    private boolean settled;
    private boolean completed;
    private Throwable failure;
    /** Whether the failure leaves the upload on the server, with its record, for another attempt to resume. */
    private boolean keepForResume;

    /**
     * @param key      the key, valid already
     * @param buffers  what parts are read into
     * @param plan     the file's size and SHA-256, the part size and the tally of progress
     * @param classify turns what a part's request failed with into the backend's error
     * @param journal  where the upload is recorded to be resumed; {@link ResumeJournal#NONE} for nowhere
     */
    MultipartUpload(S3Core core, S3Threads threads, MultipartAborts aborts, PartBuffers buffers, String key, Path source,
                    S3Writer.Plan plan,
                    Function<Throwable, StorageException> classify, ResumeJournal journal) {
        this.core = core;
        this.threads = threads;
        this.aborts = aborts;
        this.client = core.client();
        this.bucket = core.config().bucketName();
        this.concurrency = core.config().partConcurrency();
        this.checksums = core.config().sdkChecksums();
        this.signed = core.bodySigner().orElse(null);
        this.partRetry = RetryPolicy.defaults().withMaxAttempts(core.config().partAttempts());
        this.classify = classify;
        this.key = key;
        this.objectKey = core.objectKey(key, Operation.UPLOAD);
        this.source = source;
        this.buffers = buffers;
        this.sha256 = plan.sha256();
        this.callersSha256 = plan.callersSha256();
        this.partSizeBytes = plan.partSizeBytes();
        this.reader = new PartReader(source, plan.sizeBytes(), partSizeBytes);
        this.progress = plan.progress();
        this.parts = new CompletedPart[reader.partCount()];
        boolean journaled = journal != ResumeJournal.NONE;
        this.resumption = journaled
                ? new Resumption(core, aborts, threads.ioOrHere(), journal, key, objectKey, source, plan.sizeBytes(), sha256,
                        partSizeBytes, classify)
                : null;
        this.journalSide = journaled ? threads.ioOrHere() : Runnable::run;
    }

    /**
     * Starts the upload with the object's headers ({@code create} is completed with bucket and key).
     * Cancelling the returned future, or failing it (a caller's timeout), stops the upload and aborts it.
     */
    CompletableFuture<Void> start(Consumer<CreateMultipartUploadRequest.Builder> create) {
        result.whenComplete((ok, error) -> {
            if (error != null) {
                progress.stop(); // parts still on their way must not report after the caller's future ended
                synchronized (this) {
                    failed = true;
                }
                withdrawBuffer();
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
        if (resumption == null) {
            create(create);
            return result;
        }
        CompletableFuture<Optional<Resumption.Stored>> found;
        try {
            found = resumption.find(); // on the I/O executor, as the backend calls this
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        found.whenCompleteAsync((stored, error) -> {
            if (error != null) {
                synchronized (this) {
                    creationEnded = true; // nothing was created, nor taken up
                }
                fail(Futures.unwrap(error), false);
            } else if (stored.isPresent()) {
                resume(stored.get());
            } else {
                create(create);
            }
        }, journalSide);
        return result;
    }

    /** Creates a new upload, records it, then sends every part. */
    private void create(Consumer<CreateMultipartUploadRequest.Builder> create) {
        boolean stop;
        synchronized (this) {
            stop = failed; // stopped or cancelled while a resumable upload was looked for
            if (stop) {
                creationEnded = true;
            }
        }
        if (stop) {
            abortOnceSettled();
            return;
        }
        CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder().applyMutation(create);
        if (checksums) {
            // AWS wants the algorithm named at creation and each part's checksum at completion, or
            // it rejects the parts that carry one.
            request.checksumAlgorithm(ChecksumAlgorithm.CRC32);
        }
        createSentNanos = System.nanoTime();
        CompletableFuture<String> created = core.whole(core.call(() -> client.createMultipartUpload(request.bucket(bucket).key(objectKey).build())),
                answer -> answer.uploadId() != null, "the CreateMultipartUpload answer", "upload id", Operation.UPLOAD, key)
                .thenApply(r -> r.uploadId());
        // Not cancelled with the rest: an upload the server creates after all must be aborted, so
        // its id is awaited even then.
        created.whenCompleteAsync((id, error) -> {
            boolean lost = error != null && mayHaveCreated(error);
            synchronized (this) {
                uploadId = id;
                creationLost = lost;
                // With a journal, the creation ends once the upload is recorded: an abort meanwhile
                // (a cancellation) waits, so that its record is removed after it is saved, not before.
                creationEnded = error != null || resumption == null;
            }
            if (error != null) {
                fail(error, false);
                return;
            }
            if (resumption != null) {
                StorageException unrecorded = null;
                try {
                    resumption.save(id, Instant.now());
                } catch (StorageException e) {
                    unrecorded = e;
                }
                synchronized (this) {
                    creationEnded = true;
                }
                if (unrecorded != null) {
                    fail(unrecorded, false); // aborts the upload just created
                    return;
                }
            }
            sendParts();
        }, journalSide);
    }

    /**
     * Takes up a recorded upload: its parts stored already count as sent, the others are sent, then
     * it is completed, once every part has been read for the SHA-256.
     */
    private void resume(Resumption.Stored stored) {
        boolean stop;
        synchronized (this) {
            creationEnded = true;
            // Stopped or cancelled while its parts were listed: the upload was not touched, and
            // stays with its record for a later attempt.
            stop = failed;
            if (!stop) {
                uploadId = stored.uploadId();
                for (int i = 0; i < parts.length; i++) {
                    if (stored.parts()[i] != null) {
                        parts[i] = stored.parts()[i];
                        partsDone++;
                    }
                }
            }
        }
        if (stop) {
            abortOnceSettled();
            return;
        }
        progress.add(stored.bytes());
        sendParts();
    }

    /** Reads the parts in order and sends each once read; each part read or sent starts the next read. */
    private void sendParts() {
        readNext(); // reads nothing if the upload was cancelled or stopped meanwhile
        abortOnceSettled(); // and then aborts it at once
    }

    /**
     * Starts reading the next part, unless one is being read already, or {@link #concurrency}
     * parts are held (being read, or read and not sent yet), or the upload failed.
     */
    private void readNext() {
        int number;
        synchronized (this) {
            if (failed || reading || nextPart > parts.length || partsHeld >= concurrency) {
                return;
            }
            reading = true;
            number = nextPart++;
            partsHeld++;
            requestsInFlight++;
        }
        if (reader.buffered()) {
            // Every buffer of the part size, the last part's too: the same buffers serve part after part,
            // upload after upload, rather than each odd size taking direct memory of its own until a GC.
            CompletableFuture<ByteBuffer> buffer = buffers.take((int) partSizeBytes);
            boolean failedMeanwhile;
            synchronized (this) {
                bufferAwaited = buffer.isDone() ? null : buffer; // for fail() to withdraw
                failedMeanwhile = failed && bufferAwaited != null;
            }
            if (failedMeanwhile) {
                buffers.withdraw(buffer);
            }
            buffer.whenCompleteAsync((given, noBuffer) -> {
                synchronized (this) {
                    if (bufferAwaited == buffer) {
                        bufferAwaited = null;
                    }
                }
                readPart(number, given, noBuffer);
            }, threads.ioOrHere());
        } else {
            threads.ioOrHere().execute(() -> readPart(number, null, null));
        }
    }

    /**
     * Reads a part into its buffer, or hashes it where it is ({@code buffer} null), then starts the
     * next read and sends the part; one stored already (a resumed upload) is read only for the
     * SHA-256. After the last part, the SHA-256 of the whole is checked: a file that changed since
     * the upload was planned fails it before it is completed.
     */
    private void readPart(int number, ByteBuffer buffer, Throwable noBuffer) {
        boolean stop;
        synchronized (this) {
            stop = failed;
        }
        String inPlaceMd5 = null;
        Throwable error = null;
        if (noBuffer != null) { // withdrawn, as the upload failed; or no direct memory left
            Throwable why = Futures.unwrap(noBuffer);
            error = why instanceof CancellationException ? null
                    : core.error(ErrorKind.IO, "no memory for a part of " + partSizeBytes + " bytes: " + why, Operation.UPLOAD, key)
                            .toBuilder().retryable(true).cause(why).build();
        } else if (!stop) {
            try {
                if (buffer != null) {
                    reader.read(number, buffer);
                } else {
                    inPlaceMd5 = reader.hashInPlace(number);
                }
                String read = reader.done() ? reader.sha256() : sha256;
                if (!read.equals(sha256)) {
                    error = changed(read);
                }
            } catch (EOFException e) {
                error = core.error(ErrorKind.INTEGRITY, "the file changed while it was uploaded: " + e.getMessage(), Operation.UPLOAD, key)
                        .toBuilder().retryable(true).build();
            } catch (IOException | RuntimeException e) {
                error = e;
            }
        }
        boolean send;
        boolean complete = false;
        synchronized (this) {
            reading = false;
            boolean ok = !failed && error == null && noBuffer == null; // failed again: stopped while it was read
            send = ok && parts[number - 1] == null;
            if (!send) {
                partsHeld--;
                requestsInFlight--;
            }
            if (ok && reader.done()) {
                allRead = true;
                complete = readyToComplete();
            }
        }
        if (!send) {
            release(buffer);
        }
        if (error != null) {
            fail(error, false);
            return;
        }
        readNext();
        if (send) {
            sendPart(number, 1, buffer, inPlaceMd5 != null ? inPlaceMd5 : digest(buffer));
        } else if (complete) {
            complete();
        }
        abortOnceSettled();
    }

    /** What a part read into a buffer is sent with: its SHA-256 (hex) when {@link #signed} sends it, else its MD5 (base64). */
    private String digest(ByteBuffer buffer) {
        if (signed != null) {
            MessageDigest sha = Digests.sha256();
            sha.update(buffer.duplicate());
            return Digests.hex(sha.digest());
        }
        return PartReader.md5(buffer);
    }

    /** The error of parts whose SHA-256 is not the one the upload was planned with. */
    private StorageException changed(String read) {
        String detail = callersSha256
                ? "the file's SHA-256 is " + read + ", not the " + sha256 + " the caller gave: it changed or the checksum is wrong"
                : "the file changed while it was uploaded: its SHA-256 is now " + read + ", not " + sha256;
        // The caller's checksum is read again by another attempt; a file that changed is hashed again.
        return core.error(ErrorKind.INTEGRITY, detail, Operation.UPLOAD, key).toBuilder().retryable(!callersSha256).build();
    }

    /** Whether the completion is due now: every part read and sent; true once. Guarded by this. */
    private boolean readyToComplete() {
        if (completionSent || failed || !allRead || partsDone < parts.length) {
            return false;
        }
        completionSent = true;
        return true;
    }

    private void release(ByteBuffer buffer) {
        if (buffer != null) {
            buffers.giveBack(buffer);
        }
    }

    /**
     * One attempt at one part, from its buffer or ({@code buffer} null) from the file; the part
     * holds its place in {@code requestsInFlight} and its buffer until its last attempt ends.
     *
     * @param digest the part's SHA-256 if {@link #signed} sends it from its buffer, else its MD5
     */
    private void sendPart(int number, int attempt, ByteBuffer buffer, String digest) {
        // Parts in flight are never cancelled: cancelling the SDK's future does not stop a request
        // already on its way, and a part that lands after the abort stays behind. They are waited for.
        send(number, buffer, digest).whenComplete((part, error) -> {
            if (error != null) {
                partFailed(number, attempt, error, buffer, digest);
                return;
            }
            long length = reader.length(number);
            boolean last;
            synchronized (this) {
                requestsInFlight--;
                partsHeld--;
                parts[number - 1] = part;
                partsDone++;
                last = readyToComplete();
            }
            release(buffer);
            progress.add(length);
            if (last) {
                complete();
            } else {
                readNext();
            }
            abortOnceSettled();
        });
    }

    /** One request for one part, signed here or sent by the SDK; what completes the upload with it. */
    private CompletableFuture<CompletedPart> send(int number, ByteBuffer buffer, String digest) {
        String answer = "the UploadPart answer (part " + number + ")";
        if (buffer != null && signed != null) {
            return core.whole(core.call(() -> signed.sendPart(objectKey, uploadId, number, buffer.duplicate(), digest)),
                            eTag -> eTag != null, answer, "ETag", Operation.UPLOAD, key)
                    .thenApply(eTag -> CompletedPart.builder().partNumber(number).eTag(eTag).build());
        }
        long offset = reader.offset(number);
        long length = reader.length(number);
        UploadPartRequest.Builder request = UploadPartRequest.builder()
                .bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(number)
                .contentLength(length)
                .contentMD5(digest);
        if (checksums) {
            request.checksumAlgorithm(ChecksumAlgorithm.CRC32);
        }
        // A file body stats the file when it is made: a file deleted since hashing fails here.
        return core.whole(core.call(() -> client.uploadPart(request.build(), buffer != null
                                ? AsyncRequestBody.fromRemainingByteBufferUnsafe(buffer.duplicate())
                                : AsyncRequestBody.fromFile(c -> c.path(source).position(offset).numBytesToRead(length)
                                        .chunkSizeInBytes(FILE_CHUNK_BYTES)))),
                        response -> response.eTag() != null, answer, "ETag", Operation.UPLOAD, key)
                .thenApply(response -> CompletedPart.builder().partNumber(number).eTag(response.eTag())
                        .checksumCRC32(response.checksumCRC32()).build());
    }

    /**
     * A part failed: it is sent again after a pause if the failure is worth retrying and attempts
     * are left; otherwise the upload fails, for good once the part was retried, so that an outer
     * retry layer does not start the whole upload over and multiply the attempts. A stop during
     * the pause ends the pause at once.
     */
    private void partFailed(int number, int attempt, Throwable error, ByteBuffer buffer, String digest) {
        StorageException e;
        boolean again;
        try {
            e = classify.apply(error);
        } catch (RuntimeException unexpected) {
            unexpected.addSuppressed(error);
            synchronized (this) {
                requestsInFlight--;
                partsHeld--;
            }
            release(buffer);
            fail(unexpected, false);
            return;
        }
        // Sending the same part again cannot help two failures, which a whole new attempt can: bytes
        // that no longer match their digest (the file changed after it was hashed: hash it again), and
        // an upload that is gone (aborted meanwhile: start a new one).
        boolean needsNewUpload = e.kind() == ErrorKind.INTEGRITY || Futures.unwrap(error) instanceof NoSuchUploadException;
        synchronized (this) {
            again = !failed && !needsNewUpload && e.isRetryable() && attempt < partRetry.maxAttempts();
            if (!again) {
                requestsInFlight--;
                partsHeld--;
            }
        }
        if (!again) {
            release(buffer);
            if (needsNewUpload) {
                fail(e.toBuilder().retryable(true).detail(e.detail() + " (part " + number + "; a new upload may succeed)").build(), false);
            } else {
                // Kept on a failure of the network even once the part's attempts are spent: a
                // later run resumes from the parts stored, though the retry layer does not retry.
                fail(e.isRetryable() && partRetry.maxAttempts() > 1
                        ? e.toBuilder().retryable(false).detail(e.detail() + " (part " + number + " failed " + attempt + " times)").build()
                        : e, e.isRetryable());
            }
            return;
        }
        pause(partRetry.delayAfter(attempt, ThreadLocalRandom.current().nextDouble())).thenRunAsync(() -> {
            boolean stop;
            synchronized (this) {
                stop = failed;
                if (stop) {
                    requestsInFlight--;
                    partsHeld--;
                }
            }
            if (stop) {
                release(buffer);
                abortOnceSettled();
            } else {
                sendPart(number, attempt + 1, buffer, digest);
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
        core.whole(core.call(() -> client.completeMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId)
                                .multipartUpload(CompletedMultipartUpload.builder().parts(Arrays.asList(parts)).build()))),
                        answer -> answer.eTag() != null, "the CompleteMultipartUpload answer", "ETag", Operation.UPLOAD, key)
                .whenCompleteAsync((response, error) -> {
                    synchronized (this) {
                        requestsInFlight--;
                        completed = error == null;
                    }
                    if (error != null) {
                        fail(error, worthResuming(error));
                    } else {
                        completed();
                    }
                    abortOnceSettled();
                }, journalSide);
    }

    /** The upload is completed: its record goes, then the result succeeds. */
    private void completed() {
        if (resumption != null) {
            try {
                resumption.remove(uploadId);
            } catch (StorageException e) {
                // The object is stored all the same; the stale record costs the next upload of the
                // key one ListParts request, which finds the upload gone.
                result.completeExceptionally(e.toBuilder().detail(e.detail() + " (the object itself is stored)").build());
                ended.complete(null);
                return;
            }
        }
        result.complete(null);
        ended.complete(null);
    }

    /**
     * Whether a failure of the completion is one another attempt may get past, on the same upload:
     * the network or the server's load, not an upload that is gone or parts it refuses.
     */
    private boolean worthResuming(Throwable error) {
        if (resumption == null || Futures.unwrap(error) instanceof NoSuchUploadException) {
            return false;
        }
        try {
            return classify.apply(error).isRetryable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The first failure stops new parts; once those in flight have ended the upload is aborted, or
     * kept for another attempt to resume, then the result fails.
     *
     * @param resumable whether the failure is one another attempt may get past (the network): with a
     *                  journal the upload is then kept, with its record, rather than aborted
     */
    private void fail(Throwable error, boolean resumable) {
        synchronized (this) {
            if (!failed) {
                failed = true;
                failure = error;
                keepForResume = resumable && resumption != null;
            }
        }
        withdrawBuffer();
        stopped.complete(null);
        abortOnceSettled(); // always: the caller may have just ended the last request
    }

    /** Once failed: the part waiting for memory, if any, ends now, not once other parts give some back. */
    private void withdrawBuffer() {
        CompletableFuture<ByteBuffer> awaited;
        synchronized (this) {
            awaited = bufferAwaited;
        }
        if (awaited != null) {
            buffers.withdraw(awaited);
        }
    }

    /**
     * After a failure or a cancellation, and once no request of the upload is in flight any more:
     * aborts it, and removes its record once it is gone; or, for a failure worth another attempt
     * with a journal, leaves both for that attempt.
     */
    private void abortOnceSettled() {
        Throwable error;
        boolean lost;
        boolean keep;
        synchronized (this) {
            if (!failed || !creationEnded || requestsInFlight > 0 || settled || completed) {
                return;
            }
            settled = true;
            error = failure;
            lost = creationLost;
            keep = keepForResume;
        }
        String id = uploadId;
        if (keep && id != null) {
            LOG.debug("Keeping multipart upload {} of key {} for another attempt to resume: {}", id, key, error.toString());
            result.completeExceptionally(error);
            ended.complete(null);
            return;
        }
        CompletableFuture<Throwable> aborted;
        if (id != null) {
            aborted = aborts.abort(objectKey, id); // reached once: `settled` guards it
        } else if (lost) {
            aborted = aborts.abortLost(objectKey, createSentNanos);
        } else {
            aborted = CompletableFuture.completedFuture(null); // nothing was created: nothing to abort
        }
        aborted.thenAcceptAsync(abortError -> {
            if (resumption != null && id != null && abortError == null) {
                // Kept when the abort failed: the next attempt, or abortStaleUploads, deals with it.
                try {
                    resumption.remove(id);
                } catch (StorageException e) {
                    LOG.warn("The multipart upload {} of key {} is aborted, but its record stays: {}", id, key, e.getMessage());
                    if (error != null && error != e) {
                        error.addSuppressed(e);
                    }
                }
            }
            if (error != null) {
                if (abortError != null && abortError != error) {
                    error.addSuppressed(abortError);
                }
                result.completeExceptionally(error);
            }
            ended.complete(null);
        }, journalSide);
    }

    /**
     * Whether a failed creation may have made an upload all the same: the request may have reached
     * the server and its answer been lost (reset, timed out, cut short). Not if the server answered
     * with an error, nor if no connection was made.
     */
    private boolean mayHaveCreated(Throwable error) {
        Throwable e = Futures.unwrap(error);
        if (e instanceof AwsServiceException) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return false;
            }
        }
        return core.mapped(e, Operation.UPLOAD, key).kind() == ErrorKind.UNAVAILABLE;
    }

    /** Stops the upload as if it had failed with {@code reason}: no new part, then the abort. */
    void stop(Throwable reason) {
        fail(reason, false);
    }

    /** A future that completes once the upload is completed or its abort has been tried. */
    CompletableFuture<Void> ended() {
        return ended;
    }
}
