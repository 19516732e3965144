package dev.stowage.spi;

import dev.stowage.StorageException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backend address such as {@code s3://bucket/prefix?region=auto} or
 * {@code file:///srv/files?base_url=http://localhost:8080}, split into scheme, authority, path and
 * settings. Settings are the query parameters, percent-decoded; a setting given twice is an error.
 *
 * <p>Immutable and thread-safe. {@link #toString()} and every error message hide user
 * information in the authority and the values of settings whose names suggest a secret. A setting
 * written without {@code =} (as in {@code ?path_style}) has the value {@code true}.
 *
 * @param scheme    the lower-cased scheme, e.g. {@code s3}
 * @param authority what follows {@code //} up to the next {@code /}, or empty
 * @param path      the rest before the query, percent-decoded; may be empty
 * @param settings  the query parameters in order
 */
public record BackendUri(String scheme, Optional<String> authority, String path, Map<String, String> settings) {
    /**
     * Settings every URI takes, read by {@link dev.stowage.StorageBackends#open} rather than by the
     * provider: {@code retries}, {@code retry_delay}, {@code retry_max_delay}.
     */
    public static final Set<String> COMMON_SETTINGS = Set.of("retries", "retry_delay", "retry_max_delay");

    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*");
    private static final Pattern AMOUNT = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");
    private static final Map<String, Long> SIZE_UNITS = Map.of("", 1L, "b", 1L, "kib", 1L << 10, "mib", 1L << 20,
            "gib", 1L << 30, "kb", 1000L, "mb", 1000_000L, "gb", 1000_000_000L);
    private static final Map<String, Long> MILLIS = Map.of("ms", 1L, "s", 1000L, "m", 60_000L, "h", 3_600_000L);
    /** Names of settings whose values are never shown. */
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(secret|token|passw|pass$|pwd|signature|credential|auth|private|api_?key|access_?key).*");

    public BackendUri {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(path, "path");
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * Parses a backend address.
     *
     * @throws StorageException of kind {@code INVALID_CONFIG} if it has no scheme or a setting is repeated
     */
    public static BackendUri parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        String text = uri.trim();
        int colon = text.indexOf(':');
        if (colon <= 0 || !SCHEME.matcher(text.substring(0, colon)).matches()) {
            throw invalid("backend URI must start with a scheme such as file:, memory: or s3:", redact(text));
        }
        String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = text.substring(colon + 1);
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            throw invalid("backend URI must not have a fragment ('#')", redact(text));
        }
        String query = null;
        int question = rest.indexOf('?');
        if (question >= 0) {
            query = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        Optional<String> authority = Optional.empty();
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            String auth = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            authority = auth.isEmpty() ? Optional.empty() : Optional.of(decode(auth, text));
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), text);
                String value = eq < 0 ? "true" : decode(pair.substring(eq + 1), text);
                if (settings.put(name, value) != null) {
                    throw invalid("setting '" + name + "' is given more than once", redact(text));
                }
            }
        }
        return new BackendUri(scheme, authority, decode(rest, text), settings);
    }

    /** The value of a setting, if given and not blank. */
    public Optional<String> setting(String name) {
        String value = settings.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /**
     * The value of a setting that must be there.
     *
     * @throws StorageException of kind {@code INVALID_CONFIG} naming the setting
     */
    public String requireSetting(String name, String meaning) {
        return setting(name).orElseThrow(() -> invalid("setting '" + name + "' is required: " + meaning, toString()));
    }

    /**
     * A {@code true}/{@code false} setting.
     *
     * @throws StorageException of kind {@code INVALID_CONFIG} if the value is neither
     */
    public boolean flag(String name, boolean defaultValue) {
        String raw = settings.get(name);
        if (raw == null) {
            return defaultValue;
        }
        Optional<String> value = Optional.of(raw.trim());
        switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
            case "1":
                return true;
            case "false":
            case "no":
            case "0":
                return false;
            default:
                throw invalid("setting '" + name + "' must be true or false, not '" + value.get() + "'", toString());
        }
    }

    /**
     * A whole-number setting from {@code min} to {@code max}, if given.
     *
     * @throws StorageException of kind {@code INVALID_CONFIG} if the value is not such a number
     */
    public Optional<Long> longSetting(String name, long min, long max) {
        Optional<String> value = setting(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.get());
        } catch (NumberFormatException e) {
            throw invalid("setting '" + name + "' must be a whole number, not '" + value.get() + "'", toString());
        }
        if (parsed < min || parsed > max) {
            throw invalid("setting '" + name + "' must be from " + min + " to " + max + ", not " + parsed, toString());
        }
        return Optional.of(parsed);
    }

    /**
     * A size setting such as {@code 16MiB}, {@code 8MB} or {@code 5242880}, in bytes, if given.
     *
     * @throws StorageException of kind {@code INVALID_CONFIG} if the value is not such a size
     */
    public Optional<Long> sizeSetting(String name) {
        return amount(name, SIZE_UNITS, "a size such as 16MiB or 8388608");
    }

    /**
     * A duration setting such as {@code 30s}, {@code 500ms}, {@code 5m} or {@code 1h}, if given.
     *
     * @throws StorageException of kind {@code INVALID_CONFIG} if the value is not such a duration
     */
    public Optional<Duration> durationSetting(String name) {
        return amount(name, MILLIS, "a duration such as 30s, 500ms or 5m").map(Duration::ofMillis);
    }

    /** A whole number followed by one of the units, multiplied out. */
    private Optional<Long> amount(String name, Map<String, Long> units, String expected) {
        return setting(name).map(value -> {
            Matcher m = AMOUNT.matcher(value);
            Long unit = m.matches() ? units.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
            if (unit == null) {
                throw invalid("setting '" + name + "' must be " + expected + ", not '" + value + "'");
            }
            try {
                return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            } catch (ArithmeticException | NumberFormatException e) {
                throw invalid("setting '" + name + "' is too large: '" + value + "'");
            }
        });
    }

    /**
     * Fails if a setting is neither one the backend knows nor one of the {@link #COMMON_SETTINGS},
     * so a typo does not pass unnoticed.
     *
     * @throws StorageException of kind {@code INVALID_CONFIG} naming the unknown setting and the known ones
     */
    public void requireKnownSettings(Set<String> known) {
        for (String name : settings.keySet()) {
            if (!known.contains(name) && !COMMON_SETTINGS.contains(name)) {
                Set<String> all = new TreeSet<>(known);
                all.addAll(COMMON_SETTINGS);
                throw invalid("unknown setting '" + name + "' for " + scheme + ": URIs; known settings are "
                        + String.join(", ", all), toString());
            }
        }
    }

    /** An {@code INVALID_CONFIG} error about this URI. */
    public StorageException invalid(String detail) {
        return invalid(detail, toString());
    }

    private static StorageException invalid(String detail, String uri) {
        return StorageException.invalidConfig(detail + " (in " + uri + ")");
    }

    private static String decode(String part, String whole) {
        try {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("bad percent-encoding in backend URI", redact(whole));
        }
    }

    /** Unparsed text with user information and the values of secret-looking settings hidden. */
    private static String redact(String text) {
        StringBuilder s = new StringBuilder();
        int question = text.indexOf('?');
        String head = question < 0 ? text : text.substring(0, question);
        s.append(head.replaceAll("//[^/]*@", "//****@"));
        if (question >= 0) {
            String sep = "?";
            for (String pair : text.substring(question + 1).split("&", -1)) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                s.append(sep).append(eq >= 0 && SECRET.matcher(name).matches() ? name + "=****" : hideUserInfo(pair));
                sep = "&";
            }
        }
        return s.toString();
    }

    /** A value with the user information of any URL in it hidden, as in {@code http://****@host}. */
    private static String hideUserInfo(String value) {
        return value.replaceAll("//[^/?#&]*@", "//****@");
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(scheme).append(':');
        authority.ifPresent(a -> s.append("//").append(a.replaceAll("^.*@", "****@")));
        if (authority.isPresent() && !path.isEmpty() && !path.startsWith("/")) {
            s.append('/');
        }
        s.append(path);
        String sep = "?";
        for (Map.Entry<String, String> e : settings.entrySet()) {
            s.append(sep).append(e.getKey()).append('=')
                    .append(SECRET.matcher(e.getKey()).matches() ? "****" : hideUserInfo(e.getValue()));
            sep = "&";
        }
        return s.toString();
    }
}
