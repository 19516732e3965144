package dev.stowage.sync;

import java.net.URI;
import java.util.Objects;

/**
 * A file the target confirmed it holds.
 *
 * @param key    its key
 * @param size   its size
 * @param sha256 the SHA-256 of the content uploaded
 * @param url    the URL the backend gave for it
 */
public record PublishedFile(String key, long size, String sha256, URI url) {

    public PublishedFile {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(url, "url");
    }
}
