package dev.stowage;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a backend keeps the uploads it may resume. A backend that uploads large files in parts
 * (S3's multipart upload) records each one here once it has begun; when the process dies midway,
 * the next upload of the same file to the same key finds the record, asks the store which parts
 * it already holds, checks them against the file, and sends only the rest. The record is removed
 * once the upload completes or is aborted.
 *
 * <pre>{@code
 * UploadOptions options = UploadOptions.builder().sha256(sha).resumeJournal(journal).build();
 * backend.uploadFile(bigFile, "video/big.mp4", options);
 * }</pre>
 *
 * <p>Keys are the caller's keys, without the backend's prefix: a journal belongs to one target.
 * Implementations must be thread-safe and should answer quickly (a local database); a backend
 * calls them from its I/O threads. A journal that fails makes the upload fail with {@code IO}.
 * {@link #NONE} remembers nothing, so nothing resumes across processes.
 */
public interface ResumeJournal {

    /** A journal that remembers nothing. */
    ResumeJournal NONE = new ResumeJournal() {
        @Override
        public Optional<ResumePoint> find(String key) {
            return Optional.empty();
        }

        @Override
        public void save(ResumePoint point) {
            Objects.requireNonNull(point, "point");
        }

        @Override
        public void remove(String key, String uploadId) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(uploadId, "uploadId");
        }

        @Override
        public String toString() {
            return "ResumeJournal.NONE";
        }
    };

    /** The upload recorded for {@code key}, if one is. */
    Optional<ResumePoint> find(String key);

    /** Records {@code point}, replacing any record for its key. */
    void save(ResumePoint point);

    /** Removes the record for {@code key} if it is of {@code uploadId}; a newer record stays. */
    void remove(String key, String uploadId);

    /** True when the journal holds {@code uploadId} for {@code key}: an upload not to abort as stale. */
    default boolean holds(String key, String uploadId) {
        return find(key).map(p -> p.uploadId().equals(uploadId)).orElse(false);
    }
}
