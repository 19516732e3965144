package dev.stowage.sync;

import java.util.Objects;

/**
 * One way the target differs from what the state says it holds.
 *
 * @param key    the key
 * @param kind   how it differs
 * @param detail what was found, on one line
 */
public record Difference(String key, Kind kind, String detail) {

    /** How the target differs from the state. */
    public enum Kind {
        /** The state says the target holds it; the target does not. Repair uploads it again. */
        MISSING,
        /** The target holds other content (size, or SHA-256 where the target keeps one). Repair uploads it again. */
        DIFFERENT,
        /** The target holds a key the state does not know and the folder does not have. Repair deletes it. */
        EXTRA,
        /** The target holds a file of the folder not yet recorded as published: the next publish records it. */
        UNRECORDED,
        /** The manifest on the target is missing or not the one last written. Repair uploads it again. */
        MANIFEST,
        /** The object could not be checked (a deep verify's stat failed). Repair does nothing; verify again. */
        UNVERIFIED
    }

    public Difference {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return kind + " " + key + ": " + detail;
    }
}
