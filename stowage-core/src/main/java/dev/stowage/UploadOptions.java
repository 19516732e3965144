package dev.stowage;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How to store an uploaded object: content type, cache control, user metadata and, when the caller
 * already knows it, the file's SHA-256 (so a backend need not read the file twice); and who hears
 * how far the upload has got.
 *
 * <pre>{@code
 * UploadOptions options = UploadOptions.builder()
 *         .contentType("image/png")
 *         .cacheControl("public, max-age=31536000, immutable")
 *         .metadata("origin", "scanner")
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Backends that cannot store a field (the local disk has no place
 * for metadata) ignore it.
 *
 * <p>The SHA-256, when given, is the caller's word for the file's content. Object stores record it
 * with the object, so {@link ObjectInfo#sha256()} can report it later. A backend that reads the
 * whole file anyway (the in-memory one) checks it, and a mismatch fails with
 * {@link ErrorKind#INTEGRITY}; the local backend, which may not read the file at all, neither
 * stores nor checks it.
 *
 * @param contentType  the MIME type; empty to let the backend detect it from the key
 * @param cacheControl a {@code Cache-Control} header value, or empty
 * @param metadata     user metadata, sorted by name: lower-case ASCII names, printable ASCII values
 * @param sha256       the file's SHA-256 as 64 lower-case hex digits, or empty
 * @param progress     hears how far the upload has got; {@link UploadProgress#NONE} by default
 * @param resumeJournal where a backend that uploads in parts records an upload it may resume
 *                      after a crash; {@link ResumeJournal#NONE} by default
 */
public record UploadOptions(
        Optional<String> contentType,
        Optional<String> cacheControl,
        Map<String, String> metadata,
        Optional<String> sha256,
        UploadProgress progress,
        ResumeJournal resumeJournal) {

    private static final UploadOptions DEFAULTS =
            new UploadOptions(Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), UploadProgress.NONE,
                    ResumeJournal.NONE);

    public UploadOptions {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(cacheControl, "cacheControl");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(resumeJournal, "resumeJournal");
        contentType.ifPresent(v -> requirePrintable("contentType", v));
        cacheControl.ifPresent(v -> requirePrintable("cacheControl", v));
        metadata.forEach((name, value) -> {
            Objects.requireNonNull(name, "metadata name");
            Objects.requireNonNull(value, "metadata value");
            if (name.isEmpty() || !name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                throw new IllegalArgumentException("metadata name must be lower-case letters, digits, '-' or '_': " + name);
            }
            requirePrintable("metadata value of " + name, value);
        });
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
        sha256.ifPresent(v -> {
            if (!v.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits: " + v);
            }
        });
    }

    /** No content type, cache control, metadata or checksum. */
    public static UploadOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.contentType = contentType.orElse(null);
        b.cacheControl = cacheControl.orElse(null);
        b.metadata.putAll(metadata);
        b.sha256 = sha256.orElse(null);
        b.progress = progress;
        b.resumeJournal = resumeJournal;
        return b;
    }

    private static void requirePrintable(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException(name + " must be printable ASCII; found U+"
                        + String.format(Locale.ROOT, "%04X", (int) c) + " at index " + i);
            }
        }
    }

    /** Builds {@link UploadOptions}; not thread-safe. */
    public static final class Builder {
        private String contentType;
        private String cacheControl;
        private final Map<String, String> metadata = new TreeMap<>();
        private String sha256;
        private UploadProgress progress = UploadProgress.NONE;
        private ResumeJournal resumeJournal = ResumeJournal.NONE;

        private Builder() {
        }

        public Builder contentType(String contentType) {
            this.contentType = contentType;
            return this;
        }

        public Builder cacheControl(String cacheControl) {
            this.cacheControl = cacheControl;
            return this;
        }

        /** Adds one metadata entry; the name is lower-cased. */
        public Builder metadata(String name, String value) {
            metadata.put(Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The file's SHA-256 in hex; upper-case digits are accepted and lower-cased. */
        public Builder sha256(String sha256) {
            this.sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
            return this;
        }

        /** Hears how far the upload has got. */
        public Builder progress(UploadProgress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /** Where an upload in parts is recorded so that it can resume after a crash. */
        public Builder resumeJournal(ResumeJournal resumeJournal) {
            this.resumeJournal = Objects.requireNonNull(resumeJournal, "resumeJournal");
            return this;
        }

        public UploadOptions build() {
            return new UploadOptions(Optional.ofNullable(contentType), Optional.ofNullable(cacheControl),
                    metadata, Optional.ofNullable(sha256), progress, resumeJournal);
        }
    }
}
