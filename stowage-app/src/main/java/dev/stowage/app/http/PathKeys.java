package dev.stowage.app.http;

import dev.stowage.Keys;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the raw (still percent-encoded) part of a request path below the base path into the key it
 * names, and tells which keys are never served. Stateless and thread-safe.
 *
 * <p>The path is decoded exactly once: {@code %252e} is the three characters {@code %2e}, not a dot.
 * Every character outside RFC 3986's {@code pchar} set must come percent-encoded; the decoded bytes
 * must be valid UTF-8 (no overlong forms such as {@code %c0%ae}, no encoded surrogates); an encoded
 * {@code /} ({@code %2f}) is refused rather than read as a separator or as part of a name; and the
 * result must follow the {@link Keys key rules} (no empty, {@code .} or {@code ..} segment, no
 * backslash, no control character such as {@code %00}, not absolute). A path that breaks any of
 * these is malformed: the server answers {@code 400}.
 */
final class PathKeys {
    private static final boolean[] PCHAR = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            PCHAR[c] = true;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            PCHAR[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            PCHAR[c] = true;
        }
        // unreserved, sub-delims, ':' and '@' (RFC 3986, section 3.3); '/' separates segments.
        for (char c : "-._~!$&'()*+,;=:@/".toCharArray()) {
            PCHAR[c] = true;
        }
    }

    private PathKeys() {
    }

    /** Why a request path names no key, in one sentence; never thrown outside this package. */
    static final class MalformedPathException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedPathException(String message) {
            // No stack trace: these are expected answers to bad requests, not faults.
            super(message, null, false, false);
        }
    }

    /**
     * The key a raw path names, e.g. {@code img/a%20b.png} gives {@code img/a b.png}.
     *
     * @param raw the path below the base path, as the request line had it
     * @throws MalformedPathException if the path is not a well-formed, once-encoded key
     */
    static String decode(String raw) throws MalformedPathException {
        byte[] bytes = new byte[raw.length()];
        int length = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? hex(raw.charAt(i + 1)) : -1;
                int low = high >= 0 ? hex(raw.charAt(i + 2)) : -1;
                if (low < 0) {
                    throw new MalformedPathException("'%' at index " + i + " is not followed by two hex digits");
                }
                int b = high << 4 | low;
                if (b == '/') {
                    throw new MalformedPathException("an encoded '/' at index " + i + " is not taken");
                }
                bytes[length++] = (byte) b;
                i += 2;
            } else if (c < PCHAR.length && PCHAR[c]) {
                bytes[length++] = (byte) c;
            } else {
                throw new MalformedPathException(String.format(
                        "the character U+%04X at index %d must be percent-encoded", (int) c, i));
            }
        }
        String key;
        try {
            key = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedPathException("the decoded path is not valid UTF-8");
        }
        Optional<String> problem = Keys.problem(key);
        if (problem.isPresent()) {
            throw new MalformedPathException(problem.get());
        }
        return key;
    }

    // ASCII only: Character.digit takes other scripts' digits too (fullwidth zero, U+FF10, is 0).
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Whether a key is never served: one of its segments starts with '.' (dot-files and dot-folders,
     * the temporary {@code .stowage-*.tmp} files among them), or it is one of the hidden folders or
     * below one. Hidden folders match without regard to case or Unicode normalisation, as they would
     * on a case-insensitive file system or one that stores names in NFD.
     */
    static boolean isHidden(String key, Set<String> hiddenFolders) {
        if (key.startsWith(".") || key.contains("/.")) {
            return true;
        }
        String lower = comparable(key);
        for (String folder : hiddenFolders) {
            String hidden = comparable(folder);
            if (lower.equals(hidden) || lower.startsWith(hidden + "/")) {
                return true;
            }
        }
        return false;
    }

    private static String comparable(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }
}
