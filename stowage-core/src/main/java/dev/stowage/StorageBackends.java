package dev.stowage;

import dev.stowage.spi.BackendProvider;
import dev.stowage.spi.BackendUri;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Opens a backend from one string, whichever module provides it.
 *
 * <pre>{@code
 * StorageBackend local  = StorageBackends.open("file:///srv/files?base_url=http://localhost:8080/files");
 * StorageBackend memory = StorageBackends.open("memory:");
 * StorageBackend s3     = StorageBackends.open("s3://media/site?region=auto&endpoint=https://...");  // with stowage-s3
 * }</pre>
 *
 * <p>Schemes are found through {@link ServiceLoader} with {@link BackendProvider}: {@code file} and
 * {@code memory} come with the core, {@code s3} with {@code stowage-s3}. Thread-safe.
 */
public final class StorageBackends {
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
        Map<String, BackendProvider> providers = providers();
        BackendProvider provider = providers.get(parsed.scheme());
        if (provider == null) {
            throw StorageException.builder(ErrorKind.INVALID_CONFIG, "no backend for scheme '" + parsed.scheme()
                    + ":'; known schemes are " + String.join(", ", providers.keySet())
                    + (parsed.scheme().equals("s3") ? " (add stowage-s3 to the classpath for s3:)" : ""))
                    .operation(Operation.OPEN).build();
        }
        return provider.open(parsed);
    }

    /** The providers on the class path, by scheme. */
    public static Map<String, BackendProvider> providers() {
        Map<String, BackendProvider> byScheme = new TreeMap<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class,
                loader != null ? loader : StorageBackends.class.getClassLoader())) {
            byScheme.putIfAbsent(p.scheme(), p);
        }
        return byScheme;
    }
}
