package dev.stowage;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Public URLs: a base URL joined with a key whose every segment is percent-encoded (RFC 3986),
 * so that the decoded path of the URL names exactly that key.
 *
 * <pre>{@code
 * URI base = Urls.baseUrl("https://cdn.example.com/files");
 * Urls.join(base, "a b/c+d.png");   // https://cdn.example.com/files/a%20b/c%2Bd.png
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Urls {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Urls() {
    }

    /**
     * Checks and normalises a base URL: absolute, with a host or path, no query or fragment; the
     * result's path ends with {@code /} so that keys can be appended.
     *
     * @param setting the name of the setting the value came from, used in the error message
     * @throws StorageException of kind {@link ErrorKind#INVALID_CONFIG} naming the setting
     */
    public static URI baseUrl(String value, String setting) {
        Objects.requireNonNull(value, setting);
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw invalid(setting, "is not a valid URL (" + e.getReason() + "): " + redacted(value));
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid(setting, "must not contain user credentials: " + redacted(value));
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw invalid(setting, "must be an absolute URL such as https://cdn.example.com/files: " + redacted(value));
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(setting, "must not have a query or fragment: " + redacted(value));
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && (uri.getHost() == null || uri.getHost().isEmpty())) {
            throw invalid(setting, "must name a host, as in https://cdn.example.com/files: " + redacted(value));
        }
        String s = uri.toString();
        return URI.create(s.endsWith("/") ? s : s + "/");
    }

    /** {@link #baseUrl(String, String)} with the setting named {@code base_url}. */
    public static URI baseUrl(String value) {
        return baseUrl(value, "base_url");
    }

    /**
     * The URL of a key under a base URL made by {@link #baseUrl}; the key is not validated here.
     */
    public static URI join(URI base, String key) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(key, "key");
        String b = base.toString();
        StringBuilder s = new StringBuilder(b.length() + key.length() * 3 / 2 + 1).append(b);
        if (!b.endsWith("/")) {
            s.append('/');
        }
        appendEncodedPath(s, key);
        return URI.create(s.toString());
    }

    /** The key with each {@code /}-separated segment percent-encoded; the slashes stay. */
    public static String encodePath(String key) {
        StringBuilder s = new StringBuilder(key.length() * 3 / 2 + 1);
        appendEncodedPath(s, key);
        return s.toString();
    }

    /** One path segment, percent-encoded: every byte but RFC 3986's unreserved characters becomes {@code %XX}. */
    public static String encodeSegment(String segment) {
        StringBuilder s = new StringBuilder(segment.length() * 3 / 2 + 1);
        appendEncoded(s, segment);
        return s.toString();
    }

    private static void appendEncodedPath(StringBuilder s, String key) {
        int start = 0;
        for (int slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', start)) {
            appendEncoded(s, key.substring(start, slash));
            s.append('/');
            start = slash + 1;
        }
        appendEncoded(s, key.substring(start));
    }

    private static void appendEncoded(StringBuilder s, String segment) {
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            if (isUnreserved(b)) {
                s.append((char) b);
            } else {
                s.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
    }

    private static boolean isUnreserved(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '-' || b == '.' || b == '_' || b == '~';
    }

    private static StorageException invalid(String setting, String problem) {
        return StorageException.invalidConfig(setting + " " + problem);
    }

    /** A URL as it may be shown: user information and query hidden, since they may hold secrets. */
    static String redacted(String value) {
        return value.replaceAll("//[^/?#]*@", "//****@").replaceAll("[?#].*", "?****");
    }
}
