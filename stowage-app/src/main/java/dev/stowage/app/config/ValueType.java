package dev.stowage.app.config;

import dev.stowage.Keys;
import dev.stowage.StorageBackends;
import dev.stowage.StorageException;
import dev.stowage.Urls;
import dev.stowage.internal.Printable;
import dev.stowage.spi.BackendUri;
import dev.stowage.sync.ScanOptions;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The kind of value a setting takes: how its text is read and checked, and how it is written back
 * as YAML. A problem is said as {@code must be ..., got ...}, which {@link ConfigException} puts
 * after the key; the value of a secret is never quoted. Implementations are stateless.
 */
interface ValueType {

    /**
     * The checked value: {@code Integer}, {@code Duration}, {@code Double}, {@code Boolean},
     * {@code String}, {@code List<String>}, or an {@code Optional} of a {@code URI}, {@code Path},
     * {@link Secret} or {@code String}.
     *
     * @throws Invalid saying what is wrong, without the key or the source
     */
    Object parse(Raw raw) throws Invalid;

    /** What is wrong with a value already of the right type, as {@link #parse} would say it. */
    Optional<String> check(Object value);

    /** The value as a YAML scalar; a list is written item by item, see {@link #isList()}. */
    String yaml(Object value);

    /** Whether the value is a list of strings, given in one variable as comma-separated items. */
    default boolean isList() {
        return false;
    }

    static ValueType wholeNumber(int min, int max) {
        return new WholeNumber(min, max);
    }

    static ValueType duration(Duration min, Duration max) {
        return new DurationType(min, max);
    }

    static ValueType fraction() {
        return new Fraction();
    }

    static ValueType flag() {
        return new Flag();
    }

    static ValueType host() {
        return new Host();
    }

    static ValueType level() {
        return new Level();
    }

    static ValueType key() {
        return new KeyType();
    }

    static ValueType baseUrl(String setting) {
        return new BaseUrl(setting);
    }

    static ValueType path() {
        return new PathType();
    }

    static ValueType token() {
        return new Token();
    }

    static ValueType globs() {
        return new Globs();
    }

    static ValueType backend() {
        return new Backend();
    }

    // ---- the types ----

    /** An {@code int} from min to max. */
    record WholeNumber(int min, int max) implements ValueType {
        @Override
        public Object parse(Raw raw) throws Invalid {
            String text = Texts.single(raw, "a whole number " + min + "-" + max);
            long n;
            try {
                n = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new Invalid("must be a whole number " + min + "-" + max + ", got " + Texts.quote(text));
            }
            if (n < min || n > max) {
                throw new Invalid("must be " + min + "-" + max + ", got " + text);
            }
            return (int) n;
        }

        @Override
        public Optional<String> check(Object value) {
            int n = (Integer) value;
            return n < min || n > max ? Optional.of("must be " + min + "-" + max + ", got " + n) : Optional.empty();
        }

        @Override
        public String yaml(Object value) {
            return value.toString();
        }
    }

    /** A {@link Duration} from min to max, written {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    record DurationType(Duration min, Duration max) implements ValueType {
        private static final String EXPECTED = "a duration such as 500ms, 30s or 5m";

        @Override
        public Object parse(Raw raw) throws Invalid {
            String text = Texts.single(raw, EXPECTED);
            Duration d = Grammar.duration(text).orElseThrow(() -> new Invalid(
                    "must be " + EXPECTED + " (units ms, s, m, h), got " + Texts.quote(text)));
            Optional<String> problem = range(d, text);
            if (problem.isPresent()) {
                throw new Invalid(problem.get());
            }
            return d;
        }

        @Override
        public Optional<String> check(Object value) {
            Duration d = (Duration) value;
            return range(d, Grammar.format(d));
        }

        private Optional<String> range(Duration d, String shown) {
            return d.compareTo(min) < 0 || d.compareTo(max) > 0
                    ? Optional.of("must be " + Grammar.format(min) + "-" + Grammar.format(max) + ", got " + shown)
                    : Optional.empty();
        }

        @Override
        public String yaml(Object value) {
            return Grammar.format((Duration) value);
        }
    }

    /** A {@code double} from 0 to 1. */
    record Fraction() implements ValueType {
        @Override
        public Object parse(Raw raw) throws Invalid {
            String text = Texts.single(raw, "a number 0-1");
            double x;
            try {
                x = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new Invalid("must be a number 0-1, got " + Texts.quote(text));
            }
            if (!(x >= 0 && x <= 1)) {
                throw new Invalid("must be 0-1, got " + text);
            }
            return x;
        }

        @Override
        public Optional<String> check(Object value) {
            double x = (Double) value;
            return x >= 0 && x <= 1 ? Optional.empty() : Optional.of("must be 0-1, got " + x);
        }

        @Override
        public String yaml(Object value) {
            return value.toString();
        }
    }

    /** A {@code boolean}: true, yes, 1 or false, no, 0. */
    record Flag() implements ValueType {
        @Override
        public Object parse(Raw raw) throws Invalid {
            String text = Texts.single(raw, "true or false");
            return Grammar.flag(text).orElseThrow(() -> new Invalid("must be true or false, got " + Texts.quote(text)));
        }

        @Override
        public Optional<String> check(Object value) {
            return Optional.empty();
        }

        @Override
        public String yaml(Object value) {
            return value.toString();
        }
    }

    /** A host name, an IPv4 address or an IPv6 address (brackets optional), to listen on. */
    record Host() implements ValueType {
        private static final String EXPECTED = "a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1";

        @Override
        public Object parse(Raw raw) throws Invalid {
            String text = Texts.single(raw, EXPECTED);
            String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            if (check(host).isPresent()) {
                throw new Invalid("must be " + EXPECTED + ", got " + Texts.quote(text));
            }
            return host;
        }

        @Override
        public Optional<String> check(Object value) {
            String host = (String) value;
            boolean valid;
            try {
                // The URI parser knows host names and both kinds of address literal, and looks nothing up;
                // a host it reads back whole has nothing else in it (no '/', '@', ':port').
                valid = !host.isBlank() && hostPart(host).equalsIgnoreCase(new URI("http://" + hostPart(host) + "/").getHost());
            } catch (java.net.URISyntaxException e) {
                valid = false;
            }
            return valid ? Optional.empty() : Optional.of("must be " + EXPECTED + ", got " + Texts.quote(host));
        }

        /** The host as a URL writes it: an IPv6 address in brackets. */
        static String hostPart(String host) {
            return host.contains(":") ? "[" + host + "]" : host;
        }

        @Override
        public String yaml(Object value) {
            return Texts.yamlString((String) value);
        }
    }

    /** A logging level, lower-cased. */
    record Level() implements ValueType {
        private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");

        @Override
        public Object parse(Raw raw) throws Invalid {
            String text = Texts.single(raw, "one of " + String.join(", ", LEVELS));
            String level = text.toLowerCase(Locale.ROOT);
            if (!LEVELS.contains(level)) {
                throw new Invalid("must be one of " + String.join(", ", LEVELS) + ", got " + Texts.quote(text));
            }
            return level;
        }

        @Override
        public Optional<String> check(Object value) {
            return LEVELS.contains(value) ? Optional.empty()
                    : Optional.of("must be one of " + String.join(", ", LEVELS) + ", got " + Texts.quote((String) value));
        }

        @Override
        public String yaml(Object value) {
            return Texts.yamlString((String) value);
        }
    }

    /** A key as {@link Keys} allows it. */
    record KeyType() implements ValueType {
        @Override
        public Object parse(Raw raw) throws Invalid {
            String key = Texts.single(raw, "a key such as manifest.json");
            Optional<String> problem = check(key);
            if (problem.isPresent()) {
                throw new Invalid(problem.get());
            }
            return key;
        }

        @Override
        public Optional<String> check(Object value) {
            String key = (String) value;
            return Keys.problem(key).map(p -> "must be a valid key (" + p + "), got " + Texts.quote(key));
        }

        @Override
        public String yaml(Object value) {
            return Texts.yamlString((String) value);
        }
    }

    /** An optional http or https URL, normalised by {@link Urls#baseUrl} to end with {@code /}. */
    record BaseUrl(String setting) implements ValueType {
        private static final String EXPECTED = "an http or https URL such as https://files.example.com/";

        @Override
        public Object parse(Raw raw) throws Invalid {
            Optional<String> text = Texts.optionalSingle(raw, EXPECTED);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            URI url;
            try {
                url = Urls.baseUrl(text.get(), setting);
            } catch (StorageException e) {
                // Urls says "<setting> <problem>: <the URL, credentials and query hidden>".
                String detail = e.detail();
                throw new Invalid(detail.startsWith(setting + " ") ? detail.substring(setting.length() + 1) : detail);
            }
            String scheme = url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new Invalid("must be " + EXPECTED + ", got " + Texts.quote(text.get()));
            }
            return Optional.of(url);
        }

        @Override
        public Optional<String> check(Object value) {
            Optional<?> url = (Optional<?>) value;
            try {
                if (url.isPresent()) {
                    parse(Raw.single(url.get().toString()));
                }
                return Optional.empty();
            } catch (Invalid e) {
                return Optional.of(e.getMessage());
            }
        }

        @Override
        public String yaml(Object value) {
            return ((Optional<?>) value).map(u -> Texts.yamlString(u.toString())).orElse("null");
        }
    }

    /** An optional file path, kept as written: {@link AppConfig.Publish#stateFile} resolves it. */
    record PathType() implements ValueType {
        @Override
        public Object parse(Raw raw) throws Invalid {
            Optional<String> text = Texts.optionalSingle(raw, "a file path");
            if (text.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(Path.of(text.get()));
            } catch (InvalidPathException e) {
                throw new Invalid("must be a file path, got " + Texts.quote(text.get()) + " (" + e.getReason() + ")");
            }
        }

        @Override
        public Optional<String> check(Object value) {
            return Optional.empty();
        }

        @Override
        public String yaml(Object value) {
            return ((Optional<?>) value).map(p -> Texts.yamlString(p.toString())).orElse("null");
        }
    }

    /**
     * An optional bearer token (RFC 6750 {@code b64token}), at least 16 characters. Its value is
     * never quoted in a message.
     */
    record Token() implements ValueType {
        static final int MIN_LENGTH = 16;
        private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
        private static final String RULE = "must be at least " + MIN_LENGTH
                + " characters of letters, digits and - . _ ~ + / (the value is not shown)";

        @Override
        public Object parse(Raw raw) throws Invalid {
            if (raw.shape() == Raw.Shape.LIST || raw.shape() == Raw.Shape.MAPPING) {
                throw new Invalid("must be a single value, got a " + (raw.shape() == Raw.Shape.LIST ? "list" : "mapping"));
            }
            if (raw.isEmpty()) {
                return Optional.empty();
            }
            Optional<Secret> token = Optional.of(Secret.of(raw.text().strip()));
            Optional<String> problem = check(token);
            if (problem.isPresent()) {
                throw new Invalid(problem.get());
            }
            return token;
        }

        @Override
        public Optional<String> check(Object value) {
            Optional<?> token = (Optional<?>) value;
            if (token.isEmpty()) {
                return Optional.empty();
            }
            String text = ((Secret) token.get()).reveal();
            return text.length() >= MIN_LENGTH && B64TOKEN.matcher(text).matches() ? Optional.empty() : Optional.of(RULE);
        }

        @Override
        public String yaml(Object value) {
            return ((Optional<?>) value).isPresent() ? Texts.yamlString("****") : "null";
        }
    }

    /** Exclude patterns as {@link ScanOptions.Builder#exclude} takes them. */
    record Globs() implements ValueType {
        @Override
        public Object parse(Raw raw) throws Invalid {
            List<String> globs = new ArrayList<>();
            switch (raw.shape()) {
                case MAPPING -> throw new Invalid("must be a list of patterns, got a mapping");
                case NOTHING -> { }
                case SINGLE -> {
                    if (!raw.text().isBlank()) {
                        globs.add(raw.text().strip());
                    }
                }
                case LIST -> raw.items().forEach(item -> globs.add(item.strip()));
                default -> throw new IllegalStateException(raw.shape().name());
            }
            List<String> checked = List.copyOf(globs);
            Optional<String> problem = check(checked);
            if (problem.isPresent()) {
                throw new Invalid(problem.get());
            }
            return checked;
        }

        @Override
        public Optional<String> check(Object value) {
            for (Object item : (List<?>) value) {
                String glob = (String) item;
                try {
                    ScanOptions.builder().exclude(glob);
                } catch (IllegalArgumentException e) {
                    return Optional.of("has a bad pattern: " + Printable.of(e.getMessage()));
                }
            }
            return Optional.empty();
        }

        @Override
        public String yaml(Object value) {
            throw new UnsupportedOperationException("a list is written item by item");
        }

        @Override
        public boolean isList() {
            return true;
        }
    }

    /**
     * An optional backend URI, checked without opening the backend: it parses, its scheme has a
     * provider on the class path, it carries no credential, and the settings every URI takes are
     * well formed. What only the provider knows (an S3 region, a bucket name) is checked when the
     * app opens it.
     */
    record Backend() implements ValueType {
        /**
         * Setting names that suggest a secret, as {@link BackendUri} hides their values; here they
         * are refused, since a URI in a configuration ends up in shells, logs and process lists.
         */
        static final Pattern CREDENTIAL = Pattern.compile(
                "(?i).*(secret|token|passw|pass$|pwd|signature|credential|auth|private|api_?key|access_?key).*");
        static final String CREDENTIALS_HINT = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, "
                + "or use an AWS profile (AWS_PROFILE, or profile=NAME in the URI)";
        private static final String EXPECTED = "a backend URI such as s3://bucket/prefix?region=eu-west-1";
        /** The user information of a URL given as a setting's value: {@code https://user:password@host}. */
        private static final Pattern USER_INFO = Pattern.compile("//[^/?#]*@");

        @Override
        public Object parse(Raw raw) throws Invalid {
            Optional<String> text = Texts.optionalSingle(raw, EXPECTED);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            Optional<String> problem = problem(text.get());
            if (problem.isPresent()) {
                throw new Invalid(problem.get());
            }
            return text;
        }

        @Override
        public Optional<String> check(Object value) {
            return ((Optional<?>) value).flatMap(uri -> problem((String) uri));
        }

        private static Optional<String> problem(String text) {
            BackendUri uri;
            try {
                uri = BackendUri.parse(text);
            } catch (StorageException e) {
                return Optional.of(e.detail());
            }
            if (uri.authority().filter(a -> a.contains("@")).isPresent()) {
                return Optional.of("must not carry user information (user:password@): " + CREDENTIALS_HINT);
            }
            for (var setting : uri.settings().entrySet()) {
                String name = Printable.of(setting.getKey());
                if (CREDENTIAL.matcher(setting.getKey()).matches()) {
                    return Optional.of("setting '" + name + "' is a credential, and the URI is no place for one: " + CREDENTIALS_HINT);
                }
                // endpoint=https://key:secret@host: the configuration is printed (stowage config) before a backend refuses it.
                if (USER_INFO.matcher(setting.getValue()).find()) {
                    return Optional.of("setting '" + name + "' carries user information (user:password@), and the URI is no place"
                            + " for it: " + CREDENTIALS_HINT);
                }
            }
            Set<String> schemes = StorageBackends.providers().keySet();
            if (!schemes.contains(uri.scheme())) {
                return Optional.of("no backend for scheme '" + uri.scheme() + ":'; known schemes are " + String.join(", ", schemes));
            }
            try {
                uri.longSetting("retries", 0, 20);
                uri.durationSetting("retry_delay");
                uri.durationSetting("retry_max_delay");
            } catch (StorageException e) {
                return Optional.of(e.detail());
            }
            return Optional.empty();
        }

        @Override
        public String yaml(Object value) {
            return ((Optional<?>) value).map(u -> Texts.yamlString((String) u)).orElse("null");
        }
    }

    /** Reading and quoting text. */
    final class Texts {
        private static final int SHOWN = 80;

        private Texts() {
        }

        /** The trimmed text of a single value. */
        static String single(Raw raw, String expected) throws Invalid {
            switch (raw.shape()) {
                case LIST -> throw new Invalid("must be " + expected + ", got a list");
                case MAPPING -> throw new Invalid("must be " + expected + ", got a mapping");
                default -> {
                    if (raw.isEmpty()) {
                        throw new Invalid("must be " + expected + ", got nothing");
                    }
                    return raw.text().strip();
                }
            }
        }

        /** The trimmed text of a single value, or empty for nothing or a blank value. */
        static Optional<String> optionalSingle(Raw raw, String expected) throws Invalid {
            return raw.isEmpty() ? Optional.empty() : Optional.of(single(raw, expected));
        }

        /** Text as a message quotes it: on one line, at most 80 characters. */
        static String quote(String text) {
            String shown = text.length() > SHOWN ? text.substring(0, SHOWN) + "..." : text;
            return "'" + Printable.of(shown) + "'";
        }

        /** A YAML double-quoted scalar. */
        static String yamlString(String text) {
            StringBuilder s = new StringBuilder(text.length() + 2).append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '"' -> s.append("\\\"");
                    case '\\' -> s.append("\\\\");
                    case '\n' -> s.append("\\n");
                    case '\t' -> s.append("\\t");
                    default -> {
                        if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\uFEFF') {
                            s.append(String.format("\\u%04X", (int) c));
                        } else {
                            s.append(c);
                        }
                    }
                }
            }
            return s.append('"').toString();
        }
    }
}
