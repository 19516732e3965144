package dev.stowage.app;

import dev.stowage.Keys;
import dev.stowage.StorageBackend;
import dev.stowage.StorageBackends;
import dev.stowage.StorageException;
import dev.stowage.layer.LoggingLayer;
import dev.stowage.local.LocalBackend;
import dev.stowage.spi.BackendUri;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Publishes a folder and prints the URL of every file: the smallest end-to-end use of the library.
 * Given a base URL, the files stay where they are and {@link LocalBackend} serves them at it; given
 * a backend URI ({@code s3://bucket?preset=minio&endpoint=...}, {@code memory:}...), they are
 * uploaded to that backend.
 *
 * <pre>
 * PublishFolder [DIR] [BASE_URL | BACKEND_URI]     (defaults: examples/site, http://localhost:8080/)
 * </pre>
 *
 * <p>Hidden files and folders (names starting with '.') are skipped. Exit code 0 when every file
 * was published, 1 when some failed, 2 on bad arguments.
 */
public final class PublishFolder {
    private static final Pattern HTTP = Pattern.compile("(?i)https?://");

    private PublishFolder() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 2) {
            err.println("usage: PublishFolder [DIR] [BASE_URL | BACKEND_URI]");
            return 2;
        }
        Path dir = Path.of(args.length > 0 ? args[0] : "examples/site");
        String target = args.length > 1 ? args[1] : "http://localhost:8080/";
        if (!Files.isDirectory(dir)) {
            err.println("error: not a folder: " + dir.toAbsolutePath());
            return 2;
        }
        StorageBackend backend;
        Path root;
        String shown;
        try {
            root = dir.toRealPath();
            if (HTTP.matcher(target).lookingAt()) {
                backend = LocalBackend.builder().basePath(root).baseUrl(target).build();
                shown = target;
            } else {
                backend = StorageBackends.open(target);
                shown = BackendUri.parse(target).toString();
            }
        } catch (StorageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: cannot read " + dir.toAbsolutePath() + ": " + e.getMessage());
            return 2;
        }
        try (StorageBackend storage = backend.with(new LoggingLayer())) {
            List<Path> files = listFiles(root);
            List<CompletableFuture<URI>> uploads = files.stream()
                    .map(f -> upload(storage, root, f))
                    .collect(Collectors.toList());
            int failed = 0;
            for (int i = 0; i < files.size(); i++) {
                try {
                    out.println(uploads.get(i).join());
                } catch (RuntimeException e) {
                    failed++;
                    err.println("failed: " + files.get(i) + ": " + rootCause(e).getMessage());
                }
            }
            out.printf("published %d of %d files from %s at %s%n", files.size() - failed, files.size(), root, shown);
            return failed == 0 ? 0 : 1;
        }
    }

    private static List<Path> listFiles(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !isHidden(root.relativize(p)))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Uploads one file; a name that makes no valid key fails that file alone. */
    private static CompletableFuture<URI> upload(StorageBackend storage, Path root, Path file) {
        try {
            return storage.uploadFile(file, Keys.ofFile(root, file));
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable rootCause(Throwable e) {
        return e.getCause() != null && !(e instanceof StorageException) ? e.getCause() : e;
    }
}
