package dev.stowage.app;

import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.StorageBackends;
import dev.stowage.app.config.AppConfig;
import dev.stowage.spi.BackendUri;
import java.util.Optional;

/** Opens the backend a command works on: the one given with {@code --backend}, else the configured one. */
final class Backends {
    private Backends() {
    }

    /** The backend URI to use, or a usage error naming both ways to give one. */
    static String uri(Optional<String> given, AppConfig config) {
        return given.or(config::backend).orElseThrow(() -> new IllegalArgumentException(
                "no backend: give --backend URI (e.g. s3://bucket/prefix?preset=r2&endpoint=...) or set backend in stowage.yaml"));
    }

    /** Opens {@code uri} as the shell commands use it: retrying as its settings say (3 times by default). */
    static StorageBackend open(String uri) {
        return StorageBackends.open(uri);
    }

    /**
     * Opens {@code uri} for the sync engine, which retries each operation itself: the backend's own
     * retries are turned off unless the URI sets them, so attempts do not multiply.
     */
    static StorageBackend openForSync(String uri) {
        BackendUri parsed = BackendUri.parse(uri);
        if (parsed.setting("retries").isPresent()) {
            return StorageBackends.open(uri);
        }
        String withoutRetries = uri + (uri.contains("?") ? "&" : "?") + "retries=0";
        try {
            return StorageBackends.open(withoutRetries);
        } catch (StorageException e) {
            // The error names the URI: the one the user wrote, not the one with the setting added.
            throw StorageException.builder(e.kind(), e.detail().replace(withoutRetries, uri).replace("&retries=0", "")
                            .replace("?retries=0", ""))
                    .retryable(e.isRetryable()).operation(e.operation()).key(e.key()).backend(e.backend())
                    .cause(e.getCause()).build();
        }
    }

    /** True when the URI sets its own retries: then the sync engine does not retry on top. */
    static boolean retriesItself(String uri) {
        return BackendUri.parse(uri).setting("retries").isPresent();
    }
}
