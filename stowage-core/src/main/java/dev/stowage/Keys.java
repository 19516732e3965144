package dev.stowage;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The key rules, the same for every backend. A key names an object: relative, {@code /}-separated,
 * with no empty, {@code .} or {@code ..} segment, no backslash, no control character, valid
 * Unicode, at most {@value #MAX_KEY_BYTES} bytes in UTF-8.
 *
 * <pre>{@code
 * Keys.validate("img/cat photo.png");   // fine
 * Keys.validate("../etc/passwd");       // StorageException INVALID_KEY
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Keys {
    /** The longest key, in UTF-8 bytes (the S3 limit). */
    public static final int MAX_KEY_BYTES = 1024;

    private Keys() {
    }

    /**
     * Returns the key if it follows the rules.
     *
     * @throws NullPointerException if key is null
     * @throws StorageException of kind {@link ErrorKind#INVALID_KEY} naming the broken rule
     */
    public static String validate(String key) {
        return check(key, null, null);
    }

    /**
     * Returns the key if it follows the rules; the error names the operation and backend given.
     *
     * @param operation the operation the key is for, or {@code null}
     * @param backend   the backend's short name, or {@code null}
     * @throws NullPointerException if key is null
     * @throws StorageException of kind {@link ErrorKind#INVALID_KEY} naming the broken rule
     */
    public static String check(String key, Operation operation, String backend) {
        Optional<String> problem = problem(key);
        if (problem.isPresent()) {
            throw StorageException.builder(ErrorKind.INVALID_KEY, problem.get())
                    .operation(operation).key(key).backend(backend).build();
        }
        return key;
    }

    /** Whether the key follows the rules. */
    public static boolean isValid(String key) {
        return problem(key).isEmpty();
    }

    /**
     * The first rule the key breaks, said in one sentence, or empty if it follows them all.
     *
     * @throws NullPointerException if key is null
     */
    public static Optional<String> problem(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            return Optional.of("key is empty");
        }
        if (key.charAt(0) == '/') {
            return Optional.of("key must be relative, without a leading '/'");
        }
        int segmentStart = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\') {
                return Optional.of("key contains a backslash at index " + i + "; separate segments with '/'");
            }
            if (Character.isISOControl(c)) {
                return Optional.of(String.format("key contains the control character U+%04X at index %d", (int) c, i));
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return Optional.of("key is not valid Unicode: lone surrogate at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                return Optional.of("key is not valid Unicode: lone surrogate at index " + i);
            }
            if (c == '/') {
                Optional<String> bad = badSegment(key, segmentStart, i);
                if (bad.isPresent()) {
                    return bad;
                }
                segmentStart = i + 1;
            }
        }
        Optional<String> bad = badSegment(key, segmentStart, key.length());
        if (bad.isPresent()) {
            return bad;
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            return Optional.of("key is " + bytes + " bytes in UTF-8; at most " + MAX_KEY_BYTES + " are allowed");
        }
        return Optional.empty();
    }

    private static Optional<String> badSegment(String key, int start, int end) {
        if (start == end) {
            return Optional.of(end == key.length()
                    ? "key ends with '/'; a key names a file, not a folder"
                    : "key has an empty segment ('//') at index " + start);
        }
        if (end - start == 1 && key.charAt(start) == '.') {
            return Optional.of("key has a '.' segment at index " + start);
        }
        if (end - start == 2 && key.charAt(start) == '.' && key.charAt(start + 1) == '.') {
            return Optional.of("key has a '..' segment at index " + start);
        }
        return Optional.empty();
    }
}
