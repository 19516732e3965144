package dev.stowage;

import dev.stowage.layer.LoggingListener;
import dev.stowage.layer.RetryLayer;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.spi.BackendProvider;
import dev.stowage.spi.BackendUri;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a backend from one string, whichever module provides it.
 *
 * <pre>{@code
 * StorageBackend local  = StorageBackends.open("file:///srv/files?base_url=http://localhost:8080/files");
 * StorageBackend memory = StorageBackends.open("memory:");
 * }</pre>
 *
 * <p>A backend opened here is ready for a real network: operations that fail with a retryable
 * error are retried ({@link RetryLayer}, {@value #DEFAULT_RETRIES} retries with exponential backoff and
 * jitter, each logged at INFO), set by the settings every URI takes: {@code retries=0} turns
 * retrying off, {@code retry_delay=500ms} sets the first pause and {@code retry_max_delay=30s} the
 * longest. A backend built with its own builder ({@code S3Backend.create}, {@code LocalBackend.builder()})
 * has no such layer: add one with {@link StorageBackend#with}.
 *
 * <p>Schemes are found through {@link ServiceLoader} with {@link BackendProvider}: {@code file} and
 * {@code memory} come with the core; other modules, such as {@code stowage-s3}, add theirs when they
 * are on the class path. Thread-safe.
 */
public final class StorageBackends {
    /** How many times an operation of a backend opened from a URI is retried unless {@code retries} says otherwise. */
    public static final int DEFAULT_RETRIES = 3;
    private static final int MAX_RETRIES = 20;
    private static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(StorageBackends.class);

    private StorageBackends() {
    }

    /**
     * Opens the backend a URI names, wrapped in a {@link RetryLayer} unless {@code retries=0}.
     *
     * @throws StorageException of kind {@code INVALID_CONFIG} for an unknown scheme or a missing,
     *         unknown or wrong setting, naming it
     */
    public static StorageBackend open(String uri) {
        Objects.requireNonNull(uri, "uri");
        BackendUri parsed = BackendUri.parse(uri);
        Map<String, List<BackendProvider>> all = load();
        List<BackendProvider> candidates = all.getOrDefault(parsed.scheme(), List.of());
        if (candidates.isEmpty()) {
            throw StorageException.invalidConfig("no backend for scheme '" + parsed.scheme() + ":'; known schemes are "
                    + String.join(", ", all.keySet()) + " (a backend module must be on the class path for its scheme)");
        }
        if (candidates.size() > 1) {
            throw StorageException.invalidConfig("more than one backend claims scheme '" + parsed.scheme() + ":': "
                    + candidates.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(", ")));
        }
        RetryPolicy retries = retryPolicy(parsed);
        StorageBackend backend;
        try {
            backend = candidates.get(0).open(parsed);
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw StorageException.builder(ErrorKind.INVALID_CONFIG, "the " + parsed.scheme()
                    + ": backend could not be opened from " + parsed + ": " + e)
                    .operation(Operation.OPEN).cause(e).build();
        }
        return retries.maxAttempts() == 1 ? backend : backend.with(new RetryLayer(retries, new LoggingListener()));
    }

    /**
     * The retry policy of the URI's common settings: {@code retries} (after the first attempt;
     * default {@value #DEFAULT_RETRIES}, 0 for none), {@code retry_delay} (the first pause, default
     * 200 ms, doubling after each attempt) and {@code retry_max_delay} (the longest pause, default 10 s).
     */
    static RetryPolicy retryPolicy(BackendUri uri) {
        RetryPolicy defaults = RetryPolicy.defaults();
        int retries = uri.longSetting("retries", 0, MAX_RETRIES).map(Long::intValue).orElse(DEFAULT_RETRIES);
        Duration delay = uri.durationSetting("retry_delay").orElse(defaults.initialDelay());
        Duration maxDelay = uri.durationSetting("retry_max_delay").orElse(defaults.maxDelay());
        for (String name : new String[] {"retry_delay", "retry_max_delay"}) {
            uri.durationSetting(name).filter(d -> d.compareTo(MAX_RETRY_DELAY) > 0).ifPresent(d -> {
                throw uri.invalid("setting '" + name + "' must be at most 1h, not " + uri.setting(name).orElse(""));
            });
        }
        if (maxDelay.compareTo(delay) < 0) {
            if (uri.settings().containsKey("retry_max_delay")) {
                throw uri.invalid("setting 'retry_max_delay' (" + maxDelay.toMillis() + "ms) must not be shorter than 'retry_delay' ("
                        + delay.toMillis() + "ms)");
            }
            maxDelay = delay;
        }
        return new RetryPolicy(retries + 1, delay, maxDelay, defaults.jitter());
    }

    /** The providers on the class path, by scheme, the first found for each. */
    public static Map<String, BackendProvider> providers() {
        Map<String, BackendProvider> first = new TreeMap<>();
        load().forEach((scheme, list) -> first.put(scheme, list.get(0)));
        return Collections.unmodifiableMap(first);
    }

    private static Map<String, List<BackendProvider>> load() {
        Map<String, List<BackendProvider>> byScheme = new TreeMap<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        ServiceLoader<BackendProvider> services = ServiceLoader.load(BackendProvider.class,
                loader != null ? loader : StorageBackends.class.getClassLoader());
        Iterator<BackendProvider> it = services.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                BackendProvider provider = it.next();
                byScheme.computeIfAbsent(provider.scheme(), s -> new ArrayList<>()).add(provider);
            } catch (ServiceConfigurationError | RuntimeException e) {
                // One broken module must not take every other scheme down: the iterator goes on to the next.
                LOG.warn("skipping a backend provider that cannot be loaded: {}", e.toString());
            }
        }
        return byScheme;
    }
}
