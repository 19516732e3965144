package dev.stowage.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stowage sync} draws its progress bar on standard error when that is a terminal, whatever
 * standard output is, and writes plain lines when it is a file. The terminal is a pseudo-terminal
 * of {@code script} (util-linux).
 */
class ProgressIT {
    private static final Path SCRIPT = Path.of("/usr/bin/script");
    private static final String REDRAW = "\r\u001b[K";

    @RegisterExtension
    static final Children children = new Children();

    @TempDir
    Path dir;
    Path site;
    String backend;

    @BeforeEach
    void folders() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(SCRIPT), "no " + SCRIPT);
        site = Site.write(dir.resolve("site"));
        backend = Files.createDirectories(dir.resolve("published")).toUri() + "?base_url=https://files.example.com/&owns_files=true";
    }

    /** {@code sync} in a shell on a pseudo-terminal, with {@code redirect} applied; returns what the terminal showed. */
    private String onATerminal(String redirect) {
        String sync = String.join(" ", quote(Children.java().toString()), "-jar", quote(Children.jar().toString()),
                "sync", quote(site.toString()), quote(backend), redirect);
        Child child = children.program(SCRIPT, "-qec", sync, "/dev/null").in(dir).run();
        assertThat(child.exitCode()).as(child.report()).isZero();
        return child.stdout();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    @Test
    void standardErrorToAFile_getsPlainLines_andTheTerminalTheSummary() throws IOException {
        String shown = onATerminal("2>err.log");

        String err = Files.readString(dir.resolve("err.log"));
        assertThat(err).doesNotContain("\u001b").startsWith("uploading " + Site.hashes(site).size() + " files");
        assertThat(shown).doesNotContain(REDRAW).contains(" uploaded (");
    }

    @Test
    void standardOutputToAFile_stillDrawsTheBarOnTheTerminal_andTheFileHasOnlyTheSummary() throws IOException {
        String shown = onATerminal(">out.log");

        assertThat(shown).contains(REDRAW).contains(" files").contains("ETA");
        String out = Files.readString(dir.resolve("out.log"));
        assertThat(out).doesNotContain("\u001b").matches("\\d+ files: \\d+ uploaded \\(\\d+ bytes\\), 0 deleted in \\d+ ms\\R");
    }
}
