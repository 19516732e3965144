package dev.stowage.app.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every configuration key, once: its dotted name, the kind of value it takes with its limits, its
 * default and where {@link AppConfig} holds it. Loading, the records' checks, the environment
 * variable names and {@link AppConfig#toYaml()} all read this table, in this order.
 */
enum Setting {
    SERVER_HOST("server.host", ValueType.host(), "127.0.0.1", c -> c.server().host()),
    SERVER_PORT("server.port", ValueType.wholeNumber(0, 65535), 8080, c -> c.server().port()),
    SERVER_BASE_URL("server.base_url", ValueType.baseUrl("server.base_url"), Optional.empty(), c -> c.server().baseUrl()),
    SERVER_TOKEN("server.token", ValueType.token(), Optional.empty(), c -> c.server().token()),
    SERVER_IDLE_TIMEOUT("server.idle_timeout", ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)),
            Duration.ofSeconds(30), c -> c.server().idleTimeout()),
    SERVER_MAX_CONNECTIONS("server.max_connections", ValueType.wholeNumber(1, 100_000), 1000, c -> c.server().maxConnections()),
    SERVER_STOP_TIMEOUT("server.stop_timeout", ValueType.duration(Duration.ZERO, Duration.ofHours(1)),
            Duration.ofSeconds(30), c -> c.server().stopTimeout()),

    PUBLISH_STATE("publish.state", ValueType.path(), Optional.empty(), c -> c.publish().state()),
    // The limits are CacheManager's (concurrency) and those a backend URI puts on its own retries.
    PUBLISH_CONCURRENCY("publish.concurrency", ValueType.wholeNumber(1, 1024), 64, c -> c.publish().concurrency()),
    PUBLISH_RETRIES("publish.retries", ValueType.wholeNumber(0, 20), 3, c -> c.publish().retries()),
    PUBLISH_RETRY_DELAY("publish.retry_delay", ValueType.duration(Duration.ZERO, Duration.ofHours(1)),
            Duration.ofMillis(200), c -> c.publish().retryDelay()),
    PUBLISH_RETRY_MAX_DELAY("publish.retry_max_delay", ValueType.duration(Duration.ZERO, Duration.ofHours(1)),
            Duration.ofSeconds(10), c -> c.publish().retryMaxDelay()),
    PUBLISH_MAX_DELETE_SHARE("publish.max_delete_share", ValueType.fraction(), 0.5, c -> c.publish().maxDeleteShare()),
    PUBLISH_EXCLUDE("publish.exclude", ValueType.globs(), List.of(), c -> c.publish().exclude()),
    PUBLISH_INCLUDE_HIDDEN("publish.include_hidden", ValueType.flag(), false, c -> c.publish().includeHidden()),
    PUBLISH_FOLLOW_LINKS("publish.follow_links", ValueType.flag(), false, c -> c.publish().followLinks()),
    PUBLISH_MANIFEST_KEY("publish.manifest_key", ValueType.key(), "manifest.json", c -> c.publish().manifestKey()),

    BACKEND("backend", ValueType.backend(), Optional.empty(), AppConfig::backend),

    WATCH_DEBOUNCE("watch.debounce", ValueType.duration(Duration.ZERO, Duration.ofMinutes(10)),
            Duration.ofMillis(500), c -> c.watch().debounce()),
    WATCH_RESCAN_INTERVAL("watch.rescan_interval", ValueType.duration(Duration.ofSeconds(1), Duration.ofDays(1)),
            Duration.ofMinutes(5), c -> c.watch().rescanInterval()),

    LOGGING_LEVEL("logging.level", ValueType.level(), "info", c -> c.logging().level());

    /** The names that hold settings rather than values: {@code server:} in YAML. */
    static final Set<String> SECTIONS = Set.of("server", "publish", "watch", "logging");
    /** The prefix of every variable: {@code STOWAGE_SERVER_PORT} is {@code server.port}. */
    static final String ENV_PREFIX = "STOWAGE_";

    private static final Map<String, Setting> BY_KEY = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(s -> s.key, s -> s));
    private static final Map<String, Setting> BY_VARIABLE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Setting::variable, s -> s));

    final String key;
    final ValueType type;
    final Object defaultValue;
    private final Function<AppConfig, Object> read;

    Setting(String key, ValueType type, Object defaultValue, Function<AppConfig, Object> read) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.read = read;
    }

    /** The environment variable that sets it: {@code STOWAGE_} and the key upper-cased, {@code .} as {@code _}. */
    String variable() {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** The section the key is in ({@code server}), or empty for a top-level key ({@code backend}). */
    Optional<String> section() {
        int dot = key.indexOf('.');
        return dot < 0 ? Optional.empty() : Optional.of(key.substring(0, dot));
    }

    /** Its value in a configuration. */
    Object valueIn(AppConfig config) {
        return read.apply(config);
    }

    /**
     * Returns the value if the type's checks pass.
     *
     * @throws IllegalArgumentException naming the key and saying what is wrong
     */
    <T> T require(T value) {
        type.check(value).ifPresent(problem -> {
            throw new IllegalArgumentException(key + ": " + problem);
        });
        return value;
    }

    static Optional<Setting> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    static Optional<Setting> byVariable(String name) {
        return Optional.ofNullable(BY_VARIABLE.get(name));
    }
}
