package dev.stowage;

import java.time.Instant;
import java.util.Objects;

/**
 * An upload in parts that may be resumed: enough to find it again on the store and to know
 * whether it is still the upload of the same content.
 *
 * @param key      the caller's key
 * @param uploadId the store's id of the upload
 * @param size     the size of the file being uploaded
 * @param sha256   the SHA-256 of the file being uploaded, 64 lower-case hex digits
 * @param partSize the size of every part but the last
 * @param started  when the upload began
 */
public record ResumePoint(String key, String uploadId, long size, String sha256, long partSize, Instant started) {

    public ResumePoint {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(uploadId, "uploadId");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(started, "started");
        if (uploadId.isEmpty()) {
            throw new IllegalArgumentException("uploadId must not be empty");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
        if (partSize <= 0) {
            throw new IllegalArgumentException("partSize must be > 0: " + partSize);
        }
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits: " + sha256);
        }
    }
}
