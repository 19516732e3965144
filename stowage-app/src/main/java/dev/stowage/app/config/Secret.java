package dev.stowage.app.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A value that must not be shown, such as the server's bearer token: {@link #toString()} prints
 * {@code ****}, so it can sit in records, logs and error messages without leaking.
 *
 * <pre>{@code
 * Secret token = Secret.of(System.getenv("STOWAGE_SERVER_TOKEN"));
 * boolean allowed = token.matches(presentedToken);   // constant time
 * }</pre>
 *
 * <p>Comparisons ({@link #equals}, {@link #matches}) take the same time whatever the values: both
 * sides are hashed with SHA-256 and the digests compared with {@link MessageDigest#isEqual}, so
 * neither the position of the first difference nor the length leaks through timing. Immutable and
 * thread-safe.
 */
public final class Secret {
    private static final String HIDDEN = "****";

    private final String value;
    private final byte[] digest;

    private Secret(String value) {
        this.value = value;
        this.digest = sha256(value);
    }

    /**
     * A secret holding {@code value}.
     *
     * @throws NullPointerException     if value is null
     * @throws IllegalArgumentException if value is empty
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
        return new Secret(value);
    }

    /** The value itself, for the code that must use it (to check a request's token); never log it. */
    public String reveal() {
        return value;
    }

    /** Whether {@code candidate} is this secret, in time that does not depend on either value. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    /** Equal to another secret with the same value, compared in constant time. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && MessageDigest.isEqual(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    /** {@code ****}, whatever the value. */
    @Override
    public String toString() {
        return HIDDEN;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
