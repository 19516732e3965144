package dev.stowage.app;

import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.layer.LoggingLayer;
import dev.stowage.local.LocalBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Publishes a folder through {@link LocalBackend} and prints the URL of every file: the smallest
 * end-to-end use of the library.
 *
 * <pre>
 * PublishFolder [DIR] [BASE_URL]     (defaults: examples/site, http://localhost:8080/)
 * </pre>
 *
 * <p>Hidden files and folders (names starting with '.') are skipped. Exit code 0 when every file
 * was published, 1 when some failed, 2 on bad arguments.
 */
public final class PublishFolder {
    private PublishFolder() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 2) {
            err.println("usage: PublishFolder [DIR] [BASE_URL]");
            return 2;
        }
        Path dir = Path.of(args.length > 0 ? args[0] : "examples/site");
        String baseUrl = args.length > 1 ? args[1] : "http://localhost:8080/";
        if (!Files.isDirectory(dir)) {
            err.println("error: not a folder: " + dir.toAbsolutePath());
            return 2;
        }
        LocalBackend local;
        try {
            local = LocalBackend.builder().basePath(dir).baseUrl(baseUrl).build();
        } catch (StorageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try (StorageBackend storage = local.with(new LoggingLayer())) {
            Path root = local.basePath();
            List<Path> files = listFiles(root);
            List<CompletableFuture<URI>> uploads = files.stream()
                    .map(f -> storage.uploadFile(f, toKey(root, f)))
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
            out.printf("published %d of %d files from %s at %s%n", files.size() - failed, files.size(), root, baseUrl);
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

    private static String toKey(Path root, Path file) {
        return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    private static Throwable rootCause(Throwable e) {
        return e.getCause() != null && !(e instanceof StorageException) ? e.getCause() : e;
    }
}
