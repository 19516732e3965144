package dev.stowage.s3;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.ResumeJournal;
import dev.stowage.StorageException;
import dev.stowage.internal.Futures;
import dev.stowage.layer.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;

/**
 * How the multipart uploads of one backend are aborted, so that their parts do not stay on the
 * server: each abort is sent again after a pause, timed on the backend's scheduler, while it fails
 * for a reason worth retrying, a few times at most; and after a creation whose answer was lost, the
 * upload it may have made is found and aborted. Futures of this class never fail: they complete
 * with {@code null} once nothing is left, else with what prevented it, which has been logged at
 * WARN with the upload id. Thread-safe.
 */
final class MultipartAborts {
    private static final Logger LOG = LoggerFactory.getLogger(MultipartAborts.class);
    /** Four attempts, 200 ms apart and then more: about two seconds before giving up. */
    private static final RetryPolicy RETRY = RetryPolicy.defaults().withMaxAttempts(4);
    /**
     * How much earlier than its request was sent, by the server's clock, a lost upload may have
     * been initiated: {@code Date} headers count whole seconds.
     */
    private static final Duration CLOCK_SLACK = Duration.ofSeconds(2);
    /** Stale uploads aborted at once by {@link #abortStale}. */
    private static final int STALE_ABORTS_AT_ONCE = 4;

    private final S3Core core;
    private final S3Threads threads;
    private final String bucket;

    MultipartAborts(S3Core core, S3Threads threads) {
        this.core = core;
        this.threads = threads;
        this.bucket = core.config().bucketName();
    }

    /** Aborts the upload; one that is gone already (completed, or aborted) counts as aborted. */
    CompletableFuture<Throwable> abort(String objectKey, String uploadId) {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        attempt(objectKey, uploadId, 1, done);
        return done;
    }

    private void attempt(String objectKey, String uploadId, int attempt, CompletableFuture<Throwable> done) {
        core.call(() -> core.client().abortMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId)))
                .whenComplete((ok, error) -> {
                    if (error == null || Futures.unwrap(error) instanceof NoSuchUploadException) {
                        done.complete(null);
                        return;
                    }
                    StorageException e = core.mapped(error, Operation.UPLOAD, null);
                    if (!e.isRetryable() || attempt >= RETRY.maxAttempts()) {
                        done.complete(givenUp(objectKey, uploadId, attempt, error));
                        return;
                    }
                    Duration pause = RETRY.delayAfter(attempt, ThreadLocalRandom.current().nextDouble());
                    try {
                        threads.scheduler().schedule(() -> threads.ioOrHere().execute(
                                () -> attempt(objectKey, uploadId, attempt + 1, done)), pause.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException closed) {
                        done.complete(givenUp(objectKey, uploadId, attempt, error));
                    }
                });
    }

    private Throwable givenUp(String objectKey, String uploadId, int attempts, Throwable error) {
        LOG.warn("Could not abort multipart upload {} of key {} in bucket {} ({} attempts); its parts stay until a "
                + "lifecycle rule removes them: {}", uploadId, objectKey, bucket, attempts, Futures.unwrap(error).toString());
        return error;
    }

    /**
     * Aborts the uploads of exactly this object key that were initiated since a
     * {@code CreateMultipartUpload} was sent whose answer was lost: the server may have made one,
     * whose id nobody learnt. They are listed ({@code ListMultipartUploads}, the key as prefix) and
     * told by their key and their initiation time on the server's clock, taken from the listing's
     * {@code Date} header less the time since the request was sent.
     *
     * <p>The limit: an upload of the same key that another writer initiated meanwhile looks the
     * same. Only when exactly one upload is found is it aborted; with more, none is, and the one
     * left waits for a lifecycle rule. Should another writer's upload be aborted all the same (it
     * was the only one found, and ours never reached the server), its next part fails
     * {@code NoSuchUpload}, which fails that upload as retryable: a new attempt starts anew.
     *
     * @param sentNanos {@link System#nanoTime()} when the creation was sent
     */
    CompletableFuture<Throwable> abortLost(String objectKey, long sentNanos) {
        return listUploads(objectKey, null, null, new ArrayList<>())
                .thenCompose(listed -> {
                    Instant since = listed.serverTime().minusNanos(System.nanoTime() - sentNanos).minus(CLOCK_SLACK);
                    List<MultipartUpload> candidates = new ArrayList<>();
                    for (MultipartUpload upload : listed.uploads()) {
                        if (upload.key().equals(objectKey) && upload.initiated() != null && !upload.initiated().isBefore(since)) {
                            candidates.add(upload);
                        }
                    }
                    List<CompletableFuture<Throwable>> aborts = new ArrayList<>();
                    if (candidates.size() == 1) {
                        MultipartUpload upload = candidates.get(0);
                        LOG.debug("Aborting multipart upload {} of key {}, made by a creation whose answer was lost",
                                upload.uploadId(), objectKey);
                        aborts.add(abort(objectKey, upload.uploadId()));
                    } else if (candidates.size() > 1) {
                        // Another writer of the same key started one meanwhile: which is ours cannot be told.
                        LOG.warn("A CreateMultipartUpload answer for key {} in bucket {} was lost, and {} uploads of that key "
                                + "began since; none is aborted, so as not to end another writer's: {}. A lifecycle rule "
                                + "removes the one left", objectKey, bucket, candidates.size(),
                                candidates.stream().map(MultipartUpload::uploadId).collect(Collectors.joining(", ")));
                    }
                    return CompletableFuture.allOf(aborts.toArray(CompletableFuture[]::new)).thenApply(v -> aborts.stream()
                            .map(CompletableFuture::join).filter(e -> e != null).findFirst().orElse(null));
                })
                .exceptionally(error -> {
                    LOG.warn("Could not look for a multipart upload of key {} in bucket {} that a lost CreateMultipartUpload "
                            + "answer may have left; its parts stay until a lifecycle rule removes them: {}",
                            objectKey, bucket, Futures.unwrap(error).toString());
                    return error;
                });
    }

    /**
     * Aborts the uploads whose object keys start with {@code prefix} that were initiated more than
     * {@code olderThan} before the server's time (the listing's {@code Date} header, so that this
     * machine's clock cannot make a fresh upload of another process look stale) and that
     * {@code keep} does not hold under their key less the prefix. A few aborts at a time; one that
     * finds the upload gone already counts as aborted. Unlike the other futures of this class, this
     * one fails: with what the listing failed with, with a not retryable {@code IO} error before any
     * abort if the journal fails, or, once every abort has been tried, with what the first one that
     * failed for good failed with.
     *
     * @return how many uploads were aborted
     */
    CompletableFuture<Long> abortStale(String prefix, Duration olderThan, ResumeJournal keep) {
        return listUploads(prefix, null, null, new ArrayList<>()).thenApplyAsync(listed -> {
            Instant before = listed.serverTime().minus(olderThan);
            List<MultipartUpload> stale = new ArrayList<>();
            for (MultipartUpload upload : listed.uploads()) {
                if (upload.key() == null || !upload.key().startsWith(prefix) || upload.uploadId() == null
                        || upload.initiated() == null || !upload.initiated().isBefore(before)) {
                    continue;
                }
                String key = upload.key().substring(prefix.length());
                boolean held;
                try {
                    held = keep.holds(key, upload.uploadId());
                } catch (RuntimeException e) {
                    throw core.error(ErrorKind.IO, "the resume journal failed: could not tell whether it holds upload "
                            + upload.uploadId() + ": " + e, Operation.UPLOAD, key).toBuilder().cause(e).build();
                }
                if (!held) {
                    stale.add(upload);
                }
            }
            return stale;
        }, threads.ioOrHere()).thenCompose(stale -> {
            Queue<MultipartUpload> queue = new ConcurrentLinkedQueue<>(stale);
            AtomicLong aborted = new AtomicLong();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<Void>> lanes = new ArrayList<>();
            for (int i = 0; i < Math.min(STALE_ABORTS_AT_ONCE, stale.size()); i++) {
                lanes.add(abortEach(queue, aborted, failures));
            }
            return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).thenApply(done -> {
                Throwable first = failures.poll();
                if (first == null) {
                    return aborted.get();
                }
                Throwable e = Futures.unwrap(first);
                failures.forEach(other -> e.addSuppressed(Futures.unwrap(other)));
                throw new CompletionException(e);
            });
        });
    }

    /** Aborts the uploads of the queue one after another, counting those aborted and keeping what the others failed with. */
    private CompletableFuture<Void> abortEach(Queue<MultipartUpload> queue, AtomicLong aborted, Queue<Throwable> failures) {
        MultipartUpload next = queue.poll();
        if (next == null) {
            return CompletableFuture.completedFuture(null);
        }
        LOG.info("Aborting stale multipart upload {} of key {} in bucket {}, initiated {}", next.uploadId(), next.key(), bucket,
                next.initiated());
        return abort(next.key(), next.uploadId()).thenCompose(error -> {
            if (error == null) {
                aborted.incrementAndGet();
            } else {
                failures.add(error);
            }
            return abortEach(queue, aborted, failures);
        });
    }

    /** The uploads listed, and the server's time when it answered the last page. */
    private record Listed(List<MultipartUpload> uploads, Instant serverTime) {
    }

    /** Every page of uploads whose keys start with the object key. */
    private CompletableFuture<Listed> listUploads(String objectKey, String keyMarker, String uploadIdMarker, List<MultipartUpload> found) {
        return core.whole(core.call(() -> core.client().listMultipartUploads(r -> r.bucket(bucket).prefix(objectKey)
                        .keyMarker(keyMarker).uploadIdMarker(uploadIdMarker))), page -> page.isTruncated() != null,
                        "the ListMultipartUploads answer", "IsTruncated", Operation.UPLOAD, objectKey)
                .thenCompose(page -> {
                    found.addAll(page.uploads());
                    // A page that names itself as the next would be asked for for ever.
                    boolean advances = page.nextKeyMarker() != null && !(page.nextKeyMarker().equals(keyMarker)
                            && Objects.equals(page.nextUploadIdMarker(), uploadIdMarker));
                    if (Boolean.TRUE.equals(page.isTruncated()) && advances) {
                        return listUploads(objectKey, page.nextKeyMarker(), page.nextUploadIdMarker(), found);
                    }
                    return CompletableFuture.completedFuture(new Listed(found, serverTime(page)));
                });
    }

    /** The server's clock as its answer says, or this machine's if it does not. */
    private static Instant serverTime(ListMultipartUploadsResponse answer) {
        Optional<String> date = answer.sdkHttpResponse().firstMatchingHeader("Date");
        try {
            return date.map(d -> ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).orElseGet(Instant::now);
        } catch (DateTimeParseException e) {
            return Instant.now();
        }
    }
}
