package dev.stowage.sync;

import java.util.Objects;

/**
 * One file to upload: added (never published) or modified (published with other content).
 *
 * @param key    the file's key
 * @param size   its size in the last scan
 * @param sha256 its SHA-256 in the last scan
 * @param added  true when the target does not hold it at all
 */
public record Change(String key, long size, String sha256, boolean added) {

    public Change {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sha256, "sha256");
    }
}
