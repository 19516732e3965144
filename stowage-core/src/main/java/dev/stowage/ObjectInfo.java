package dev.stowage;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a backend knows about one stored object.
 *
 * <p>Immutable and thread-safe. An ETag is an opaque version tag, not a content hash: after a
 * multipart upload it is not the MD5 of the content. Use {@link #sha256()} to compare content.
 *
 * @param key          the object's key
 * @param sizeBytes    its size
 * @param lastModified when it was last written
 * @param etag         the backend's version tag, where it has one
 * @param sha256       the content's SHA-256 in lower-case hex, where the backend knows it
 * @param contentType  the stored MIME type, where the backend keeps one
 * @param cacheControl the stored {@code Cache-Control}, where the backend keeps one
 * @param metadata     the user metadata given at upload, where the backend keeps it (see
 *                     {@link Capabilities#storesMetadata()}); empty otherwise
 */
public record ObjectInfo(
        String key,
        long sizeBytes,
        Instant lastModified,
        Optional<String> etag,
        Optional<String> sha256,
        Optional<String> contentType,
        Optional<String> cacheControl,
        Map<String, String> metadata) {

    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(cacheControl, "cacheControl");
        metadata = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(metadata, "metadata")));
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must be >= 0: " + sizeBytes);
        }
    }

    /** An object with no cache control or user metadata known. */
    public ObjectInfo(String key, long sizeBytes, Instant lastModified, Optional<String> etag, Optional<String> sha256,
                      Optional<String> contentType) {
        this(key, sizeBytes, lastModified, etag, sha256, contentType, Optional.empty(), Map.of());
    }

    /** An object of which only the size and modification time are known. */
    public static ObjectInfo of(String key, long sizeBytes, Instant lastModified) {
        return new ObjectInfo(key, sizeBytes, lastModified, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
