package dev.stowage.app.config;

import dev.stowage.layer.RetryPolicy;
import dev.stowage.sync.CacheManager;
import dev.stowage.sync.ScanOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of the {@code stowage} app: its HTTP server, how it publishes a folder, the
 * backend it publishes to, how it watches the folder and how much it logs.
 *
 * <pre>{@code
 * AppConfig config = AppConfig.load(Optional.of(Path.of("/etc/stowage/stowage.yaml")), System.getenv(),
 *         Map.of("server.port", "9090"));             // from --set server.port=9090
 * int port = config.server().port();                 // 9090
 * }</pre>
 *
 * <p>Each setting has a dotted key ({@code server.port}), written nested or dotted in YAML, as an
 * environment variable {@code STOWAGE_} + the key upper-cased with {@code .} as {@code _}
 * ({@code STOWAGE_SERVER_PORT}), as an override from the command line, or by a command's own
 * option ({@link CommandOptions}). Later layers win: defaults, then the file, then the
 * environment, then the overrides, then the command's options. Every key, its default and its
 * limits: {@code docs/configuration.md}.
 *
 * <p>Credentials are not settings: S3 credentials come from the AWS variables and profiles, and
 * a key or backend URI that holds one is refused. The server's bearer token is a {@link Secret},
 * printed {@code ****} by {@link #toString()}, {@link #toYaml()} and every error message.
 *
 * <p>Immutable and thread-safe. The constructors of the records check every value as loading
 * does, and throw {@link IllegalArgumentException} naming the key.
 *
 * @param server  the HTTP server of {@code stowage serve}
 * @param publish how a folder is scanned and published
 * @param backend the backend URI to publish to ({@code s3://bucket/prefix?preset=r2&endpoint=...});
 *                empty for the folder itself, served by the app
 * @param watch   how {@code stowage serve} follows changes to the folder
 * @param logging how much the app logs
 */
public record AppConfig(Server server, Publish publish, Optional<String> backend, Watch watch, Logging logging) {

    public AppConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(publish, "publish");
        Setting.BACKEND.require(Objects.requireNonNull(backend, "backend"));
        Objects.requireNonNull(watch, "watch");
        Objects.requireNonNull(logging, "logging");
    }

    /**
     * The HTTP server.
     *
     * @param host           the address to listen on; {@code 0.0.0.0} or {@code ::} for every interface
     * @param port           the port, 0-65535 (0: any free port, chosen when the server starts)
     * @param baseUrl        the public URL of the served folder; empty for {@code http://HOST:PORT/}
     *                       ({@link #effectiveBaseUrl()})
     * @param token          the bearer token that the endpoints which change state require; empty
     *                       turns those endpoints off
     * @param idleTimeout    how long an idle connection is kept, 1s-1h
     * @param maxConnections connections served at once, 1-100000
     * @param stopTimeout    how long a stop waits for requests in flight, 0s-1h
     */
    public record Server(String host, int port, Optional<URI> baseUrl, Optional<Secret> token, Duration idleTimeout,
                         int maxConnections, Duration stopTimeout) {
        public Server {
            Setting.SERVER_HOST.require(Objects.requireNonNull(host, "host"));
            Setting.SERVER_PORT.require(port);
            Setting.SERVER_BASE_URL.require(Objects.requireNonNull(baseUrl, "baseUrl"));
            Setting.SERVER_TOKEN.require(Objects.requireNonNull(token, "token"));
            Setting.SERVER_IDLE_TIMEOUT.require(Objects.requireNonNull(idleTimeout, "idleTimeout"));
            Setting.SERVER_MAX_CONNECTIONS.require(maxConnections);
            Setting.SERVER_STOP_TIMEOUT.require(Objects.requireNonNull(stopTimeout, "stopTimeout"));
        }

        /** The base URL, or {@code http://HOST:PORT/} when none is set (an IPv6 host in brackets). */
        public URI effectiveBaseUrl() {
            return baseUrl.orElseGet(() -> URI.create("http://" + ValueType.Host.hostPart(host) + ":" + port + "/"));
        }
    }

    /**
     * Publishing a folder: the settings of {@link CacheManager.Builder} and {@link ScanOptions.Builder}.
     *
     * @param state          the state database; empty for {@code ROOT/.stowage/state.db} ({@link #stateFile(Path)})
     * @param concurrency    uploads at once, 1-1024
     * @param retries        retries of a failed operation after the first attempt, 0-20
     * @param retryDelay     the first pause before a retry, doubled after each, 0s-1h
     * @param retryMaxDelay  the longest pause, at least {@code retryDelay}, at most 1h
     * @param maxDeleteShare the largest share of the published files a run deletes unless forced, 0-1
     * @param exclude        glob patterns of keys left out
     * @param includeHidden  whether files and folders whose name starts with '.' are published
     * @param followLinks    whether symbolic links are followed (never outside the folder)
     * @param manifestKey    the manifest's key on the backend
     */
    public record Publish(Optional<Path> state, int concurrency, int retries, Duration retryDelay, Duration retryMaxDelay,
                          double maxDeleteShare, List<String> exclude, boolean includeHidden, boolean followLinks,
                          String manifestKey) {
        public Publish {
            Setting.PUBLISH_STATE.require(Objects.requireNonNull(state, "state"));
            Setting.PUBLISH_CONCURRENCY.require(concurrency);
            Setting.PUBLISH_RETRIES.require(retries);
            Setting.PUBLISH_RETRY_DELAY.require(Objects.requireNonNull(retryDelay, "retryDelay"));
            Setting.PUBLISH_RETRY_MAX_DELAY.require(Objects.requireNonNull(retryMaxDelay, "retryMaxDelay"));
            if (retryMaxDelay.compareTo(retryDelay) < 0) {
                throw new IllegalArgumentException(Setting.PUBLISH_RETRY_MAX_DELAY.key + ": must not be shorter than "
                        + Setting.PUBLISH_RETRY_DELAY.key + " (" + Grammar.format(retryDelay) + "), got " + Grammar.format(retryMaxDelay));
            }
            Setting.PUBLISH_MAX_DELETE_SHARE.require(maxDeleteShare);
            exclude = Setting.PUBLISH_EXCLUDE.require(List.copyOf(exclude));
            Setting.PUBLISH_MANIFEST_KEY.require(Objects.requireNonNull(manifestKey, "manifestKey"));
        }

        /**
         * The state database for a folder: {@code state} resolved against the folder (an absolute
         * path stays as it is), or {@code ROOT/.stowage/state.db}.
         */
        public Path stateFile(Path root) {
            Objects.requireNonNull(root, "root");
            return state.map(root::resolve).orElseGet(() -> root.resolve(CacheManager.STATE_FOLDER).resolve("state.db"));
        }

        /** The retry policy of each operation: {@code retries + 1} attempts, with the default jitter. */
        public RetryPolicy retryPolicy() {
            return new RetryPolicy(retries + 1, retryDelay, retryMaxDelay, RetryPolicy.defaults().jitter());
        }

        /** The scan options: the exclude patterns, hidden files and links as set, the other options at their defaults. */
        public ScanOptions scanOptions() {
            ScanOptions.Builder options = ScanOptions.builder().includeHidden(includeHidden).followLinks(followLinks);
            exclude.forEach(options::exclude);
            return options.build();
        }
    }

    /**
     * Following changes to the folder.
     *
     * @param debounce       how long the folder must be quiet after a change before it is published, 0s-10m
     * @param rescanInterval how often the whole folder is scanned anyway, for changes no event told of, 1s-1d
     */
    public record Watch(Duration debounce, Duration rescanInterval) {
        public Watch {
            Setting.WATCH_DEBOUNCE.require(Objects.requireNonNull(debounce, "debounce"));
            Setting.WATCH_RESCAN_INTERVAL.require(Objects.requireNonNull(rescanInterval, "rescanInterval"));
        }
    }

    /**
     * Logging.
     *
     * @param level {@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error} or {@code off}
     */
    public record Logging(String level) {
        public Logging {
            Setting.LOGGING_LEVEL.require(Objects.requireNonNull(level, "level"));
        }
    }

    /** Every setting at its default: the app on 127.0.0.1:8080, publishing the folder itself. */
    public static AppConfig defaults() {
        Map<Setting, Object> values = new java.util.EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            values.put(s, s.defaultValue);
        }
        return of(values);
    }

    /**
     * Loads: defaults &lt; YAML file &lt; environment &lt; command-line overrides.
     *
     * <p>Every value given is checked, also one that a later layer overrides. Of the environment,
     * only {@code STOWAGE_*} variables are read; one that is not a setting fails if it looks like a
     * misspelt one (within two edits of a setting's name, or in a section such as
     * {@code STOWAGE_SERVER_}), and is left alone otherwise, as are {@code STOWAGE_CONFIG} and the
     * variables Kubernetes defines for a Service named {@code stowage}. A list is given in one
     * variable or override as comma-separated items; an empty value clears an optional setting or
     * a list.
     *
     * @param file        the YAML file, if any; it must then exist
     * @param environment the environment, usually {@link System#getenv()}
     * @param overrides   dotted keys and values from the command line ({@code --set server.port=9090})
     * @throws ConfigException on the first fault, in one line naming the setting (or the file) and
     *         the source: a file not found, unreadable or not YAML; an unknown key, with the nearest
     *         known one; a credential; a value of the wrong type, out of range, or a bad duration
     *         or backend URI
     */
    public static AppConfig load(Optional<Path> file, Map<String, String> environment, Map<String, String> overrides)
            throws ConfigException {
        return load(file, environment, overrides, CommandOptions.none());
    }

    /**
     * Loads as {@link #load(Optional, Map, Map)} does, then applies a command's own options
     * ({@code serve --port}), the strongest layer. A value that is wrong in any layer is reported,
     * naming where it came from: {@code server.port: must be 0-65535, got 99999 (from --port)}.
     *
     * @throws ConfigException as {@link #load(Optional, Map, Map)} does
     */
    public static AppConfig load(Optional<Path> file, Map<String, String> environment, Map<String, String> overrides,
                                 CommandOptions options) throws ConfigException {
        return Loader.load(file, environment, overrides, options).config();
    }

    /**
     * Loads as {@link #load} does and returns the effective configuration as YAML, each key
     * commented with where its value came from: {@code default}, {@code stowage.yaml line 3},
     * {@code STOWAGE_SERVER_PORT} or {@code --set}. Secrets are shown as {@code ****}.
     *
     * @throws ConfigException as {@link #load} does
     */
    public static String explain(Optional<Path> file, Map<String, String> environment, Map<String, String> overrides)
            throws ConfigException {
        Loader.Loaded loaded = Loader.load(file, environment, overrides, CommandOptions.none());
        AppConfig config = loaded.config();
        return YamlWriter.write(config, s -> {
            Source source = loaded.origins().get(s);
            return Optional.of(source.kind() == Source.Kind.DEFAULT
                    ? YamlWriter.meaningOfDefault(s, config).map(m -> source.name() + ": " + m).orElse(source.name())
                    : "from " + source.name());
        });
    }

    /**
     * The effective configuration as YAML, every key with its value, secrets shown as {@code ****};
     * a value equal to its default is commented {@code default}. {@link #load} reads it back
     * (except a token, which must then be given again).
     */
    public String toYaml() {
        AppConfig defaults = defaults();
        return YamlWriter.write(this, s -> s.valueIn(this).equals(s.valueIn(defaults))
                ? Optional.of(YamlWriter.meaningOfDefault(s, this).map(m -> "default: " + m).orElse("default"))
                : Optional.empty());
    }

    /** A configuration from a value per setting, as {@link Loader} and {@link #defaults()} hold them. */
    @SuppressWarnings("unchecked")
    static AppConfig of(Map<Setting, Object> v) {
        return new AppConfig(
                new Server((String) v.get(Setting.SERVER_HOST), (Integer) v.get(Setting.SERVER_PORT),
                        (Optional<URI>) v.get(Setting.SERVER_BASE_URL), (Optional<Secret>) v.get(Setting.SERVER_TOKEN),
                        (Duration) v.get(Setting.SERVER_IDLE_TIMEOUT), (Integer) v.get(Setting.SERVER_MAX_CONNECTIONS),
                        (Duration) v.get(Setting.SERVER_STOP_TIMEOUT)),
                new Publish((Optional<Path>) v.get(Setting.PUBLISH_STATE), (Integer) v.get(Setting.PUBLISH_CONCURRENCY),
                        (Integer) v.get(Setting.PUBLISH_RETRIES), (Duration) v.get(Setting.PUBLISH_RETRY_DELAY),
                        (Duration) v.get(Setting.PUBLISH_RETRY_MAX_DELAY), (Double) v.get(Setting.PUBLISH_MAX_DELETE_SHARE),
                        (List<String>) v.get(Setting.PUBLISH_EXCLUDE), (Boolean) v.get(Setting.PUBLISH_INCLUDE_HIDDEN),
                        (Boolean) v.get(Setting.PUBLISH_FOLLOW_LINKS), (String) v.get(Setting.PUBLISH_MANIFEST_KEY)),
                (Optional<String>) v.get(Setting.BACKEND),
                new Watch((Duration) v.get(Setting.WATCH_DEBOUNCE), (Duration) v.get(Setting.WATCH_RESCAN_INTERVAL)),
                new Logging((String) v.get(Setting.LOGGING_LEVEL)));
    }
}
