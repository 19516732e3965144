package dev.stowage.s3;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.ResumeJournal;
import dev.stowage.ResumePoint;
import dev.stowage.StorageException;
import dev.stowage.internal.Futures;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * The {@link ResumeJournal}'s side of one multipart upload attempt: whether a recorded upload can
 * be taken up, and the record of the upload made or taken up, saved and removed.
 *
 * <p>A record is taken up only if it is of the same content (size and SHA-256) cut the same way
 * (part size). The store is then asked which parts it holds ({@code ListParts}, every page), and
 * each one whose size is the one the plan gives its number and whose ETag is the MD5 of that part
 * of the local file (read for it) is kept; the upload still reads every part once more, for the
 * SHA-256 it checks before completing. A record of other content has its upload aborted and is removed; so
 * is one of which no part can be kept (the upload may still exist, empty or with parts of other
 * bytes; S3Proxy even lists no parts for an upload it no longer has). A record whose upload is
 * gone ({@code NoSuchUpload}) is removed. In each of these cases a new upload starts. Stores that
 * give parts ETags other than their MD5 (AWS with SSE-KMS or SSE-C) never resume: they start anew.
 *
 * <p>A journal that throws fails the upload with a not retryable {@code IO} error. Every call of
 * the journal runs on the I/O executor.
 */
final class Resumption {
    private static final Logger LOG = LoggerFactory.getLogger(Resumption.class);
    private static final HexFormat HEX = HexFormat.of();

    /**
     * The upload to take up and the parts it keeps.
     *
     * @param parts     by part number less one; null where a part is still to be sent
     * @param partCount how many parts are kept
     * @param bytes     the bytes of the parts kept
     */
    record Stored(String uploadId, CompletedPart[] parts, int partCount, long bytes) {
    }

    private final S3Core core;
    private final MultipartAborts aborts;
    private final Executor io;
    private final ResumeJournal journal;
    private final String key;
    private final String objectKey;
    private final Path source;
    private final long sizeBytes;
    private final String sha256;
    private final long partSizeBytes;
    private final Function<Throwable, StorageException> classify;

    /**
     * @param key      the caller's key, under which the journal records
     * @param source   the file, whose parts the stored ones are checked against
     * @param sha256   the SHA-256 the upload was planned with, for the record
     * @param classify turns what a request failed with into the backend's error
     */
    Resumption(S3Core core, MultipartAborts aborts, Executor io, ResumeJournal journal, String key, String objectKey,
               Path source, long sizeBytes, String sha256, long partSizeBytes,
               Function<Throwable, StorageException> classify) {
        this.core = core;
        this.aborts = aborts;
        this.io = io;
        this.journal = journal;
        this.key = key;
        this.objectKey = objectKey;
        this.source = source;
        this.sizeBytes = sizeBytes;
        this.sha256 = sha256;
        this.partSizeBytes = partSizeBytes;
        this.classify = classify;
    }

    /**
     * The upload to take up, or empty when a new one must start. Fails with {@code IO} if the
     * journal fails, or as the backend's error if listing the parts fails for a reason worth
     * another attempt (the record then stays, for that attempt).
     */
    CompletableFuture<Optional<Stored>> find() {
        Optional<ResumePoint> found;
        try {
            found = journal.find(key);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(journalFailed("could not look up a resumable upload", e));
        }
        if (found.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        ResumePoint point = found.get();
        if (point.size() != sizeBytes || !point.sha256().equals(sha256) || point.partSize() != partSizeBytes) {
            LOG.info("Not resuming upload {} of {}: it was of other content or cut otherwise ({} bytes, SHA-256 {}, parts of {} "
                    + "bytes; now {}, {}, {}); aborting it", point.uploadId(), key, point.size(), point.sha256(), point.partSize(),
                    sizeBytes, sha256, partSizeBytes);
            return forget(point, true);
        }
        return listParts(point.uploadId(), null, new ArrayList<>()).handleAsync((parts, error) -> {
            if (error == null) {
                try {
                    return keep(point, parts);
                } catch (IOException e) {
                    return CompletableFuture.<Optional<Stored>>failedFuture(e);
                }
            }
            if (Futures.unwrap(error) instanceof NoSuchUploadException) {
                LOG.info("Not resuming upload {} of {}: the store no longer has it", point.uploadId(), key);
                return forget(point, false);
            }
            StorageException e = classify.apply(error);
            if (e.isRetryable() || e.kind() == ErrorKind.CLOSED) {
                return CompletableFuture.<Optional<Stored>>failedFuture(e); // the record stays, for the next attempt
            }
            // The store will not list them (ListParts not allowed or not implemented): the upload
            // cannot be resumed, and a new one may still succeed.
            LOG.warn("Not resuming upload {} of {}: its parts cannot be listed; aborting it: {}", point.uploadId(), key, e.getMessage());
            return forget(point, true);
        }, io).thenCompose(Function.identity());
    }

    /**
     * The parts of the plan that the listing shows stored with the right size and the MD5 of that
     * range of the file, which is read for it; none: the upload is forgotten.
     */
    private CompletableFuture<Optional<Stored>> keep(ResumePoint point, List<Part> listed) throws IOException {
        CompletedPart[] kept = new CompletedPart[(int) ((sizeBytes + partSizeBytes - 1) / partSizeBytes)];
        int count = 0;
        long bytes = 0;
        for (Part part : listed) {
            Integer number = part.partNumber();
            if (number == null || number < 1 || number > kept.length || kept[number - 1] != null || part.eTag() == null) {
                continue;
            }
            long offset = (number - 1) * partSizeBytes;
            long length = Math.min(partSizeBytes, sizeBytes - offset);
            if (part.size() == null || part.size() != length
                    || !md5Hex(PartReader.md5(source, offset, length)).equalsIgnoreCase(unquoted(part.eTag()))) {
                continue;
            }
            kept[number - 1] = CompletedPart.builder().partNumber(number).eTag(part.eTag())
                    .checksumCRC32(part.checksumCRC32()).build();
            count++;
            bytes += length;
        }
        if (count == 0) {
            LOG.info("Not resuming upload {} of {}: none of its {} stored part(s) matches the file; aborting it",
                    point.uploadId(), key, listed.size());
            return forget(point, true);
        }
        LOG.info("resuming upload of {}: {} of {} parts already stored ({} bytes)", key, count, kept.length, bytes);
        return CompletableFuture.completedFuture(Optional.of(new Stored(point.uploadId(), kept, count, bytes)));
    }

    /** Every page of the upload's parts. */
    private CompletableFuture<List<Part>> listParts(String uploadId, Integer marker, List<Part> found) {
        // Not checked for IsTruncated, which a whole answer would carry: S3Proxy's has none. An
        // answer cut short reads as fewer parts, which only means more are sent again.
        return core.call(() -> core.client().listParts(r -> r.bucket(core.config().bucketName()).key(objectKey)
                        .uploadId(uploadId).partNumberMarker(marker)))
                .thenCompose((ListPartsResponse page) -> {
                    found.addAll(page.parts());
                    Integer next = page.nextPartNumberMarker();
                    if (Boolean.TRUE.equals(page.isTruncated()) && next != null && !next.equals(marker)) {
                        return listParts(uploadId, next, found);
                    }
                    return CompletableFuture.completedFuture(found);
                });
    }

    /**
     * Removes the record, after aborting its upload if {@code abort} (an abort that fails is
     * logged, and a lifecycle rule or {@code abortStaleUploads} removes the upload later): a new
     * upload starts.
     */
    private CompletableFuture<Optional<Stored>> forget(ResumePoint point, boolean abort) {
        CompletableFuture<Throwable> aborted = abort ? aborts.abort(objectKey, point.uploadId()) : CompletableFuture.completedFuture(null);
        return aborted.thenApplyAsync(abortError -> {
            remove(point.uploadId());
            return Optional.<Stored>empty();
        }, io);
    }

    /**
     * Records an upload just created, so that it can be resumed should this process die.
     *
     * @throws StorageException {@code IO} if the journal fails
     */
    void save(String uploadId, Instant started) {
        try {
            journal.save(new ResumePoint(key, uploadId, sizeBytes, sha256, partSizeBytes, started));
        } catch (RuntimeException e) {
            throw journalFailed("could not record upload " + uploadId, e);
        }
    }

    /**
     * Removes the record of an upload completed or aborted.
     *
     * @throws StorageException {@code IO} if the journal fails
     */
    void remove(String uploadId) {
        try {
            journal.remove(key, uploadId);
        } catch (RuntimeException e) {
            throw journalFailed("could not remove the record of upload " + uploadId, e);
        }
    }

    /** The {@code IO} error of a journal that failed: not retryable, the journal being the caller's. */
    private StorageException journalFailed(String what, RuntimeException cause) {
        return core.error(ErrorKind.IO, "the resume journal failed: " + what + ": " + cause, Operation.UPLOAD, key)
                .toBuilder().cause(cause).build();
    }

    private static String md5Hex(String base64) {
        return HEX.formatHex(Base64.getDecoder().decode(base64));
    }

    private static String unquoted(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }
}
