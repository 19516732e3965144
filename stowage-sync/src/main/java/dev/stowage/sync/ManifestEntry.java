package dev.stowage.sync;

import java.net.URI;
import java.util.Objects;

/**
 * One published file as the {@link Manifest} lists it: its key, size, content hash and the URL it
 * is served from.
 *
 * <p>Immutable and thread-safe. The constructor checks every component and throws at once, so an
 * entry that exists is one a manifest can hold.
 *
 * @param key     the file's key; not empty (the key rules themselves are checked where keys are
 *                made, not here)
 * @param size    the file's size in bytes, 0 or more
 * @param sha256  the SHA-256 of the file's content, 64 lower-case hex digits
 * @param url     where the file is served, an absolute URL
 * @param pending {@code true} if the file is not on the target backend yet and {@code url} is its
 *                local fallback URL, which moves to the remote URL once the file is uploaded
 * @throws NullPointerException     if key, sha256 or url is null
 * @throws IllegalArgumentException naming the component and its value if one breaks a rule above
 */
public record ManifestEntry(String key, long size, String sha256, URI url, boolean pending) {

    public ManifestEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(url, "url");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty: \"\"");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
        if (!isSha256(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits: " + sha256);
        }
        if (!url.isAbsolute()) {
            throw new IllegalArgumentException("url must be absolute: " + url);
        }
    }

    /** An entry for a file already on the target backend. */
    public ManifestEntry(String key, long size, String sha256, URI url) {
        this(key, size, sha256, url, false);
    }

    /** Whether the text is a SHA-256 as manifests write it; shared with the reader so both apply one rule. */
    static boolean isSha256(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
