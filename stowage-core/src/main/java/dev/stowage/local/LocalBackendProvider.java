package dev.stowage.local;

import dev.stowage.StorageBackend;
import dev.stowage.spi.BackendProvider;
import dev.stowage.spi.BackendUri;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens {@code file:} URIs: {@code file:///srv/files?base_url=http://localhost:8080/files&owns_files=true}.
 * A relative folder is written {@code file:data/files}.
 */
public final class LocalBackendProvider implements BackendProvider {
    private static final Set<String> SETTINGS = Set.of("base_url", "owns_files", "io_threads");

    @Override
    public String scheme() {
        return "file";
    }

    @Override
    public String description() {
        return "files on the local disk: file:///srv/files?base_url=http://localhost:8080/files[&owns_files=true]";
    }

    @Override
    public StorageBackend open(BackendUri uri) {
        uri.requireKnownSettings(SETTINGS);
        if (uri.authority().isPresent() && !uri.authority().get().equals("localhost")) {
            throw uri.invalid("file: URIs name a local folder; write file:///path (three slashes), not a host");
        }
        if (uri.path().isEmpty()) {
            throw uri.invalid("the folder (base_path) is missing: write file:///srv/files");
        }
        Path basePath;
        try {
            basePath = Path.of(uri.path());
        } catch (InvalidPathException e) {
            throw uri.invalid("the folder (base_path) is not a valid path: " + e.getReason());
        }
        LocalBackend.Builder builder = LocalBackend.builder()
                .basePath(basePath)
                .baseUrl(uri.requireSetting("base_url", "the URL that serves the folder"))
                .ownsFiles(uri.flag("owns_files", false));
        uri.longSetting("io_threads", 1, 1024).ifPresent(n -> builder.ioThreads(n.intValue()));
        return builder.build();
    }
}
