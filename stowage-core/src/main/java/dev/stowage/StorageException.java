package dev.stowage;

import dev.stowage.internal.Printable;
import java.util.Objects;

/**
 * The one failure type of Stowage: every backend converts what it catches into a
 * {@code StorageException} once, at its edge, and keeps the original as the cause.
 *
 * <p>It carries a {@link ErrorKind}, whether retrying may help, the {@link Operation}, the key
 * and the backend. Its message is one line and never contains a credential:
 * <pre>{@code
 * RATE_LIMITED (retryable) at UPLOAD [backend=s3:media, key=img/a b.png]: SlowDown: reduce your request rate
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final boolean retryable;
    private final Operation operation;
    private final String key;
    private final String backend;
    private final String detail;

    private StorageException(Builder b) {
        super(format(b), b.cause);
        this.kind = b.kind;
        this.retryable = b.retryable;
        this.operation = b.operation;
        this.key = b.key;
        this.backend = b.backend;
        this.detail = b.detail;
    }

    /** An {@code INVALID_CONFIG} error at {@link Operation#OPEN}: a setting is missing or wrong. */
    public static StorageException invalidConfig(String detail) {
        return builder(ErrorKind.INVALID_CONFIG, detail).operation(Operation.OPEN).build();
    }

    /** Starts a builder for an exception of the given kind; {@code detail} says what happened and what to do. */
    public static Builder builder(ErrorKind kind, String detail) {
        return new Builder(kind, detail);
    }

    /** A builder holding every field of this exception, to derive a changed copy. */
    public Builder toBuilder() {
        return new Builder(kind, detail)
                .retryable(retryable)
                .operation(operation)
                .key(key)
                .backend(backend)
                .cause(getCause());
    }

    public ErrorKind kind() {
        return kind;
    }

    /** Whether the same operation may succeed if tried again later. */
    public boolean isRetryable() {
        return retryable;
    }

    /** The operation that failed, or {@code null} if none applies. */
    public Operation operation() {
        return operation;
    }

    /** The key the operation was about, or {@code null} if none applies. */
    public String key() {
        return key;
    }

    /** A short name of the backend, such as {@code local:/srv/files} or {@code s3:media}, or {@code null}. */
    public String backend() {
        return backend;
    }

    /** The message without the kind, operation and context prefix. */
    public String detail() {
        return detail;
    }

    private static String format(Builder b) {
        StringBuilder s = new StringBuilder(b.kind.name());
        if (b.retryable) {
            s.append(" (retryable)");
        }
        if (b.operation != null) {
            s.append(" at ").append(b.operation);
        }
        if (b.backend != null || b.key != null) {
            s.append(" [");
            if (b.backend != null) {
                s.append("backend=").append(Printable.of(b.backend));
            }
            if (b.key != null) {
                s.append(b.backend != null ? ", " : "").append("key=").append(Printable.of(b.key));
            }
            s.append(']');
        }
        return s.append(": ").append(oneLine(b.detail)).toString();
    }

    private static String oneLine(String text) {
        return Printable.of(text.strip());
    }

    /** Builds a {@link StorageException}; not thread-safe. */
    public static final class Builder {
        private final ErrorKind kind;
        private String detail;
        private boolean retryable;
        private Operation operation;
        private String key;
        private String backend;
        private Throwable cause;

        private Builder(ErrorKind kind, String detail) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.detail = Objects.requireNonNull(detail, "detail");
            this.retryable = kind.isRetryableByDefault();
        }

        /** Replaces the message without the prefix. */
        public Builder detail(String detail) {
            this.detail = Objects.requireNonNull(detail, "detail");
            return this;
        }

        public Builder retryable(boolean retryable) {
            this.retryable = retryable;
            return this;
        }

        public Builder operation(Operation operation) {
            this.operation = operation;
            return this;
        }

        public Builder key(String key) {
            this.key = key;
            return this;
        }

        public Builder backend(String backend) {
            this.backend = backend;
            return this;
        }

        public Builder cause(Throwable cause) {
            this.cause = cause;
            return this;
        }

        public StorageException build() {
            return new StorageException(this);
        }
    }
}
