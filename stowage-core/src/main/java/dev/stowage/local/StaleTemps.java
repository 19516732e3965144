package dev.stowage.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and removes the temporary files and folders of copies a crash interrupted: names of
 * {@link LocalBackend#TEMP_PREFIX}{@code *.tmp}, last modified before a given instant. Walks
 * without following links; a temporary folder is removed with everything in it.
 */
final class StaleTemps {
    private static final Logger LOG = LoggerFactory.getLogger(StaleTemps.class);

    private StaleTemps() {
    }

    static boolean isTemp(String name) {
        return name.startsWith(LocalBackend.TEMP_PREFIX) && name.endsWith(".tmp");
    }

    /** Removes the stale temporaries under {@code root}; returns how many. */
    static long sweep(Path root, Instant before) throws IOException {
        long[] removed = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && isTemp(dir.getFileName().toString())) {
                    if (attrs.lastModifiedTime().toInstant().isBefore(before)) {
                        removeTree(dir);
                        removed[0]++;
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (isTemp(file.getFileName().toString()) && attrs.lastModifiedTime().toInstant().isBefore(before)) {
                    Files.deleteIfExists(file);
                    removed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // A file gone since its folder was read, or one that cannot be read: not ours to fail on.
                if (!(e instanceof NoSuchFileException)) {
                    LOG.debug("cannot look at {}: {}", file, e.toString());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (removed[0] > 0) {
            LOG.info("removed {} temporary files left by interrupted copies under {}", removed[0], root);
        }
        return removed[0];
    }

    private static void removeTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
