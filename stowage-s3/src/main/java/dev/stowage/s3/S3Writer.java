package dev.stowage.s3;

import dev.stowage.ErrorKind;
import dev.stowage.MediaTypes;
import dev.stowage.Operation;
import dev.stowage.ResumeJournal;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.UploadProgress;
import dev.stowage.internal.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The uploads of one {@link S3Backend}: each file is planned (one PUT, or parts of which size),
 * hashed, then sent as one {@code PutObject} or as a {@link MultipartUpload}. Keeps the multipart
 * uploads in flight, so that the backend's {@code close()} can stop and abort them. Thread-safe.
 */
final class S3Writer {
    private static final long MiB = 1 << 20;

    private final S3Core core;
    private final S3Threads threads;
    private final S3Config config;
    private final MultipartAborts aborts;
    /** What parts are read into: twice the parts of one upload in flight, for all uploads at once. */
    private final PartBuffers buffers;
    /** Multipart uploads that may still have parts on the server, with their keys, for {@link #stopAll} to abort. */
    private final Map<MultipartUpload, String> multipartUploads = new ConcurrentHashMap<>();
    /** Once set, by {@link #stopAll}, the reason every multipart upload of a key fails with; new ones stop at once. */
    private volatile Function<String, StorageException> stopped;

    S3Writer(S3Core core, S3Threads threads) {
        this.core = core;
        this.threads = threads;
        this.config = core.config();
        this.aborts = new MultipartAborts(core, threads);
        this.buffers = new PartBuffers(2L * config.partConcurrency() * config.partSizeBytes());
    }

    /**
     * How a file is sent: its size and SHA-256, the digest of what was read for one PUT, the part
     * size, and the tally of its progress.
     *
     * @param sizeBytes      the bytes to send
     * @param sha256         the file's SHA-256, stored with the object: of the bytes read for one PUT; for
     *                       parts, the caller's or one read before, which the parts read are checked against
     * @param callersSha256  whether {@code sha256} is the caller's, unchecked as yet
     * @param digest         for one PUT, the bytes' SHA-256 and MD5 (and the bytes of a small file); null for parts,
     *                       and for one PUT of the caller's SHA-256 signed, to a store that checks the body against it
     * @param partSizeBytes  the size of every part but the last; 0 for one PUT
     * @param progress       where the parts that reach the server are counted, and the end is told
     */
    record Plan(long sizeBytes, String sha256, boolean callersSha256, FileDigest digest, long partSizeBytes,
                ProgressTally progress) {
    }

    /**
     * Plans the upload of a file of {@code sizeBytes}: blocking, for the I/O executor. Tells the
     * caller's progress {@code (0, size)} first. A file sent in one PUT is hashed now (SHA-256 and
     * MD5), unless it is larger than the bytes kept of a small file, the caller gave its SHA-256
     * and the store checks a body against the SHA-256 it is signed with: then it is only read as
     * it is sent, signed with the caller's SHA-256. A file sent in parts is read part by part as it
     * is sent ({@link MultipartUpload}); its SHA-256, which the object's creation needs, is the
     * caller's if given, else read now.
     *
     * @param options the caller's: its SHA-256, if any, its progress and the object's headers
     * @param stop    polled while the file is read; when true the read stops with a
     *                {@link java.util.concurrent.CancellationException}
     * @throws StorageException {@code UNSUPPORTED} if the file needs parts larger than S3 allows
     */
    Plan plan(Path source, long sizeBytes, String key, UploadOptions options, BooleanSupplier stop) throws IOException {
        String callersSha256 = options.sha256().orElse(null);
        UploadProgress progress = options.progress();
        Progress.report(progress, 0, sizeBytes);
        if (sizeBytes < config.multipartThresholdBytes()) {
            if (callersSha256 != null && sizeBytes > FileDigest.BUFFER_BYTES && core.bodySigner().isPresent()
                    && SignedPut.sendable(contentType(key, source, options), metadata(options, callersSha256),
                            options.cacheControl())) {
                return new Plan(sizeBytes, callersSha256, true, null, 0, tally(progress, sizeBytes));
            }
            return onePut(source, progress, stop);
        }
        if (callersSha256 != null) {
            return new Plan(sizeBytes, callersSha256, true, null, partSizeFor(sizeBytes, key), tally(progress, sizeBytes));
        }
        FileDigest whole = FileDigest.sha256Only(source, stop);
        long size = whole.sizeBytes();
        if (size < config.multipartThresholdBytes()) { // it shrank since its size was taken
            return onePut(source, progress, stop);
        }
        return new Plan(size, whole.sha256(), false, null, partSizeFor(size, key), tally(progress, size));
    }

    /** One PUT of what is read now: what is sent is what was read, should the file have changed since its size was taken. */
    private Plan onePut(Path source, UploadProgress progress, BooleanSupplier stop) throws IOException {
        FileDigest digest = FileDigest.of(source, Long.MAX_VALUE, stop, threads.md5());
        return new Plan(digest.sizeBytes(), digest.sha256(), false, digest, 0, tally(progress, digest.sizeBytes()));
    }

    private ProgressTally tally(UploadProgress progress, long sizeBytes) {
        return new ProgressTally(progress, sizeBytes, threads.ioOrHere());
    }

    private long partSizeFor(long size, String key) {
        long partSize = config.partSizeBytes();
        long fewest = (size + S3Config.MAX_PARTS - 1) / S3Config.MAX_PARTS;
        if (partSize < fewest) {
            partSize = (fewest + MiB - 1) / MiB * MiB; // S3 allows at most 10,000 parts
        }
        if (partSize > S3Config.MAX_PART_BYTES) {
            throw core.error(ErrorKind.UNSUPPORTED, "the file is " + size + " bytes, more than S3's 10,000 parts of 5 GiB",
                    Operation.UPLOAD, key);
        }
        return partSize;
    }

    /**
     * Sends the file as planned, exactly the bytes that were hashed: the server checks them against
     * {@code Content-MD5}. The SHA-256 goes with it as user metadata.
     *
     * @param classify turns what a request failed with into the backend's error, for parts that may be retried
     */
    CompletableFuture<?> send(Path source, String key, UploadOptions options, Plan plan,
                              Function<Throwable, StorageException> classify) {
        String objectKey = core.objectKey(key, Operation.UPLOAD);
        String contentType = contentType(key, source, options);
        Map<String, String> metadata = metadata(options, plan.sha256());
        Optional<ObjectCannedACL> acl = config.acl().map(ObjectCannedACL::fromValue);
        if (plan.partSizeBytes() > 0) {
            MultipartUpload upload = new MultipartUpload(core, threads, aborts, buffers, key, source, plan, classify,
                    options.resumeJournal());
            multipartUploads.put(upload, key);
            upload.ended().whenComplete((ok, e) -> multipartUploads.remove(upload));
            Function<String, StorageException> reason = stopped;
            if (reason != null) { // stopAll ran meanwhile and may not have seen this upload
                upload.stop(reason.apply(key));
            }
            return upload.start(b -> {
                b.contentType(contentType).metadata(metadata);
                options.cacheControl().ifPresent(b::cacheControl);
                acl.ifPresent(b::acl);
            });
        }
        if (plan.digest() == null) {
            return signedFromFile(source, key, objectKey, plan, contentType, metadata, options, classify);
        }
        long size = plan.digest().sizeBytes();
        PutObjectRequest.Builder put = PutObjectRequest.builder()
                .bucket(config.bucketName()).key(objectKey)
                .contentType(contentType).metadata(metadata)
                .contentLength(size)
                .contentMD5(plan.digest().partMd5s().get(0));
        options.cacheControl().ifPresent(put::cacheControl);
        acl.ifPresent(put::acl);
        if (plan.digest().content() != null && !java.nio.file.Files.exists(source)) {
            // Sent from the bytes hashed, a file deleted since would still be stored: it is not,
            // as a file read again to be sent is not.
            return CompletableFuture.failedFuture(new java.nio.file.NoSuchFileException(source.toString()));
        }
        // A small file goes from the bytes hashed; a larger one is read again as it is sent.
        if (plan.digest().content() != null && core.signedPut().isPresent()
                && SignedPut.sendable(contentType, metadata, options.cacheControl())) {
            SignedPut small = core.signedPut().get();
            FileDigest read = plan.digest();
            return core.whole(core.call(() -> small.send(objectKey, read.contentRead().orElseThrow(), read.sha256(),
                            read.partMd5s().get(0), contentType, metadata, options.cacheControl())),
                    eTag -> eTag != null, "the PutObject answer", "ETag", Operation.UPLOAD, key);
        }
        return core.whole(core.call(() -> core.client().putObject(put.build(), plan.digest().contentRead()
                        .map(AsyncRequestBody::fromRemainingByteBufferUnsafe)
                        .orElseGet(() -> AsyncRequestBody.fromFile(c -> c.path(source).position(0L).numBytesToRead(size)
                                .chunkSizeInBytes(MultipartUpload.FILE_CHUNK_BYTES))))),
                answer -> answer.eTag() != null, "the PutObject answer", "ETag", Operation.UPLOAD, key);
    }

    /**
     * One PUT streamed from the file, signed with the caller's SHA-256, which the store checks the
     * bytes against: bytes that are not the caller's SHA-256 fail for good, as the file read then
     * would have.
     */
    private CompletableFuture<String> signedFromFile(Path source, String key, String objectKey, Plan plan, String contentType,
                                                     Map<String, String> metadata, UploadOptions options,
                                                     Function<Throwable, StorageException> classify) {
        SignedPut signed = core.bodySigner().orElseThrow();
        return core.whole(core.call(() -> signed.sendFile(objectKey, source, plan.sizeBytes(), plan.sha256(), contentType,
                                metadata, options.cacheControl())),
                        eTag -> eTag != null, "the PutObject answer", "ETag", Operation.UPLOAD, key)
                .handle((eTag, error) -> {
                    if (error == null) {
                        return eTag;
                    }
                    StorageException e = classify.apply(error);
                    if (e.kind() != ErrorKind.INTEGRITY) {
                        throw e;
                    }
                    throw core.error(ErrorKind.INTEGRITY, "the file's bytes are not those of the SHA-256 " + plan.sha256()
                                    + " the caller gave: it changed or the checksum is wrong (" + e.detail() + ")",
                            Operation.UPLOAD, key).toBuilder().retryable(false).cause(e).build();
                });
    }

    /** The object's media type: the caller's, else that of the key's extension, else of the file name's. */
    private static String contentType(String key, Path source, UploadOptions options) {
        return options.contentType().orElseGet(() -> contentType(key, source));
    }

    /** The object's metadata: the caller's, and the SHA-256. */
    private static Map<String, String> metadata(UploadOptions options, String sha256) {
        Map<String, String> metadata = new TreeMap<>(options.metadata());
        metadata.put(S3Backend.SHA256_METADATA, sha256);
        return metadata;
    }

    /** The media type of the key's extension, else of the file name's. */
    private static String contentType(String key, Path source) {
        String byKey = MediaTypes.guess(key);
        Path name = source.getFileName();
        return byKey.equals(MediaTypes.OCTET_STREAM) && name != null ? MediaTypes.guess(name.toString()) : byKey;
    }

    /**
     * Stops every multipart upload in flight, and those that start from now on, as failed with
     * {@code reason} for their key; each is then aborted.
     *
     * @return futures that complete once each upload's abort has been tried
     */
    List<CompletableFuture<Void>> stopAll(Function<String, StorageException> reason) {
        stopped = reason;
        List<CompletableFuture<Void>> ended = new ArrayList<>();
        multipartUploads.forEach((upload, key) -> {
            upload.stop(reason.apply(key));
            ended.add(upload.ended());
        });
        return ended;
    }

    /**
     * Aborts the multipart uploads under the backend's prefix initiated more than
     * {@code olderThan} ago that {@code keep} does not hold; see {@link MultipartAborts#abortStale}.
     */
    CompletableFuture<Long> abortStale(Duration olderThan, ResumeJournal keep) {
        return aborts.abortStale(config.bucketPrefix(), olderThan, keep);
    }

    /** Parts of multipart uploads waiting for memory to be read into: for tests. */
    int partsAwaitingMemory() {
        return buffers.waiting();
    }

    /** How many multipart uploads may still have parts on the server. */
    int multipartUploadsInFlight() {
        return multipartUploads.size();
    }
}
