package dev.stowage.app.e2e;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** The launcher script {@code ./stowage} of the repository, as the tests that run it need it. */
final class Launcher {
    private Launcher() {
    }

    /** The script at the repository's root. */
    static Path script() {
        return Children.repositoryRoot().resolve("stowage");
    }

    /**
     * Skips the test unless the launcher would run the built jar as it is: a test never lets it
     * build, which would take long and change the jar under the other tests' feet.
     */
    static void assumeFresh() throws IOException {
        Path jar = Children.repositoryRoot().resolve("stowage-app/target/stowage.jar");
        Assumptions.assumeTrue(Files.isRegularFile(jar), "no " + jar);
        List<Path> newer = newerThan(Children.repositoryRoot(), Files.getLastModifiedTime(jar));
        Assumptions.assumeTrue(newer.isEmpty(), () -> "the launcher would rebuild the jar, since these are newer: " + newer);
    }

    /**
     * What the launcher finds newer than the jar: the root's {@code pom.xml}, and in each folder at
     * the root its {@code pom.xml} and everything under its {@code src/main}, folders included.
     */
    static List<Path> newerThan(Path root, FileTime jar) throws IOException {
        List<Path> watched = new ArrayList<>(List.of(root.resolve("pom.xml")));
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, p -> Files.isDirectory(p, NOFOLLOW_LINKS))) {
            for (Path folder : folders) {
                if (!folder.getFileName().toString().startsWith(".")) {
                    watched.add(folder.resolve("pom.xml"));
                    watched.add(folder.resolve("src/main"));
                }
            }
        }
        List<Path> newer = new ArrayList<>();
        for (Path start : watched) {
            if (!Files.exists(start, NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> paths = Files.walk(start)) {
                for (Path p : paths.toList()) {
                    if (Files.getLastModifiedTime(p, NOFOLLOW_LINKS).compareTo(jar) > 0) {
                        newer.add(p);
                    }
                }
            }
        }
        return newer;
    }
}
