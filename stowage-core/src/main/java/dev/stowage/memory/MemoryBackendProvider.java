package dev.stowage.memory;

import dev.stowage.StorageBackend;
import dev.stowage.spi.BackendProvider;
import dev.stowage.spi.BackendUri;
import java.util.Set;

/** Opens {@code memory:} URIs: {@code memory:} or {@code memory:name?base_url=https://cdn.example.com}. */
public final class MemoryBackendProvider implements BackendProvider {
    private static final Set<String> SETTINGS = Set.of("base_url");

    @Override
    public String scheme() {
        return "memory";
    }

    @Override
    public String description() {
        return "objects in memory, gone when the process ends: memory:[name][?base_url=...]";
    }

    @Override
    public StorageBackend open(BackendUri uri) {
        uri.requireKnownSettings(SETTINGS);
        MemoryBackend.Builder builder = MemoryBackend.builder();
        String name = uri.authority().orElse(uri.path().replaceFirst("^/+", ""));
        if (!name.isEmpty()) {
            builder.name(name);
        }
        uri.setting("base_url").ifPresent(builder::baseUrl);
        return builder.build();
    }
}
