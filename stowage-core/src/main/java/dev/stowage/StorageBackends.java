package dev.stowage;

import dev.stowage.spi.BackendProvider;
import dev.stowage.spi.BackendUri;
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
 * <p>Schemes are found through {@link ServiceLoader} with {@link BackendProvider}: {@code file} and
 * {@code memory} come with the core; other modules, such as {@code stowage-s3}, add theirs when they
 * are on the class path. Thread-safe.
 */
public final class StorageBackends {
    private static final Logger LOG = LoggerFactory.getLogger(StorageBackends.class);

    private StorageBackends() {
    }

    /**
     * Opens the backend a URI names.
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
        try {
            return candidates.get(0).open(parsed);
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw StorageException.builder(ErrorKind.INVALID_CONFIG, "the " + parsed.scheme()
                    + ": backend could not be opened from " + parsed + ": " + e)
                    .operation(Operation.OPEN).cause(e).build();
        }
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
