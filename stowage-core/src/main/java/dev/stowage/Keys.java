package dev.stowage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Comparator;
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

    /**
     * The order every backend lists keys in: by Unicode code point, which is the order of the
     * keys' UTF-8 bytes, as S3 lists them. It differs from {@link String#compareTo} only for
     * characters beyond U+FFFF.
     */
    public static final Comparator<String> ORDER = Keys::compare;

    private Keys() {
    }

    private static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                // Surrogates (U+D800..U+DFFF) encode code points above U+FFFF: they sort after every other char.
                boolean xs = Character.isSurrogate(x);
                boolean ys = Character.isSurrogate(y);
                return xs == ys ? Character.compare(x, y) : xs ? 1 : -1;
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /**
     * The key of a file under a root folder: its path relative to the root, segments joined with
     * {@code /} and each normalised to Unicode NFC, so that a name written on macOS (NFD) and the
     * same name written on Linux give one key.
     *
     * <pre>{@code
     * Keys.ofFile(Path.of("/srv/site"), Path.of("/srv/site/img/Café.png"));  // "img/Café.png" (NFC)
     * }</pre>
     *
     * <p>Neither path is touched on disk: symbolic links are not resolved.
     *
     * @throws NullPointerException if an argument is null
     * @throws StorageException of kind {@link ErrorKind#INVALID_KEY} if the file is not below the root,
     *         or its relative path breaks a key rule (a backslash or control character in a name, too long)
     */
    public static String ofFile(Path root, Path file) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(file, "file");
        Path base = root.normalize();
        Path path = file.normalize();
        if (base.isAbsolute() != path.isAbsolute() || !path.startsWith(base) || path.equals(base)) {
            throw StorageException.builder(ErrorKind.INVALID_KEY, "the file " + path + " is not below the folder " + base)
                    .build();
        }
        StringBuilder key = new StringBuilder();
        for (Path name : base.relativize(path)) {
            if (key.length() > 0) {
                key.append('/');
            }
            key.append(Normalizer.normalize(name.toString(), Normalizer.Form.NFC));
        }
        return validate(key.toString());
    }

    /**
     * Returns the prefix if it is one a listing accepts: empty (every key), a key, or a key
     * followed by {@code /} (everything in that folder).
     *
     * @throws NullPointerException if prefix is null
     * @throws StorageException of kind {@link ErrorKind#INVALID_KEY} naming the broken rule
     */
    public static String checkPrefix(String prefix, Operation operation, String backend) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty()) {
            String key = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
            Optional<String> problem = problem(key);
            if (problem.isPresent()) {
                throw StorageException.builder(ErrorKind.INVALID_KEY, "prefix: " + problem.get())
                        .operation(operation).key(prefix).backend(backend).build();
            }
        }
        return prefix;
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
