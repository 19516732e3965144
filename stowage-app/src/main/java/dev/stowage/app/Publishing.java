package dev.stowage.app;

import dev.stowage.StorageBackend;
import dev.stowage.app.config.AppConfig;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.sync.CacheManager;
import dev.stowage.sync.PublishListener;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the sync engine for a folder from the configuration: what {@code sync}, {@code verify} and {@code serve} share. */
final class Publishing {
    private Publishing() {
    }

    /** The folder to publish, checked: a usage error names it when it is not a folder. */
    static Path folder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a folder: " + dir.toAbsolutePath());
        }
        return dir.toAbsolutePath().normalize();
    }

    /**
     * A cache manager publishing {@code dir} to {@code backend} as configured. When the backend
     * retries by itself ({@code retries} in its URI), the manager does not retry on top.
     */
    static CacheManager.Builder manager(Path dir, StorageBackend backend, AppConfig config, boolean backendRetries,
                                        PublishListener listener) {
        AppConfig.Publish p = config.publish();
        return CacheManager.builder(dir, backend)
                .stateFile(p.stateFile(dir))
                .scanOptions(p.scanOptions())
                .concurrency(p.concurrency())
                .retryPolicy(backendRetries ? RetryPolicy.none() : p.retryPolicy())
                .maxDeleteShare(p.maxDeleteShare())
                .manifestKey(p.manifestKey())
                .listener(listener);
    }
}
