package dev.stowage.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's quick start, {@code ./stowage} from the repository root, once: with the jar fresh it
 * builds nothing and runs the jar. The test never lets it build: when a source file or POM is newer
 * than the jar (the launcher's own rule), it is skipped.
 */
class LauncherIT {
    @RegisterExtension
    static final Children children = new Children();

    @Test
    void launcher_withAFreshJar_buildsNothingAndRunsIt() throws IOException {
        Path root = Children.repositoryRoot();
        Path jar = root.resolve("stowage-app/target/stowage.jar");
        Assumptions.assumeTrue(Files.isRegularFile(jar), "no " + jar);
        List<Path> newer = newerThan(root, Files.getLastModifiedTime(jar));
        Assumptions.assumeTrue(newer.isEmpty(), () -> "the launcher would rebuild the jar, since these are newer: " + newer);

        Child launcher = children.program(root.resolve("stowage"), "--version").in(root).start();
        int exit = launcher.awaitExit(Duration.ofSeconds(30));
        Child jarItself = children.command("--version").run();

        assertThat(exit).as(launcher.report()).isZero();
        assertThat(launcher.stderr()).as("a fresh jar is not built again").isEmpty();
        assertThat(launcher.stdout().strip()).matches("stowage \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?")
                .isEqualTo(jarItself.stdout().strip());
    }

    /**
     * What the launcher finds newer than the jar: under the root, outside the target folders below
     * it, the files under a {@code src/main} folder and the files named {@code pom.xml}.
     */
    private static List<Path> newerThan(Path root, FileTime jar) throws IOException {
        List<Path> newer = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                // find -path "$root/*/target" -prune: any folder named target below the root's own folders.
                boolean pruned = dir.getNameCount() >= root.getNameCount() + 2 && dir.getFileName().toString().equals("target");
                return pruned ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                boolean watched = file.toString().contains("/src/main/") || file.getFileName().toString().equals("pom.xml");
                if (watched && attrs.isRegularFile() && attrs.lastModifiedTime().compareTo(jar) > 0) {
                    newer.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return newer;
    }
}
