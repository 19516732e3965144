package dev.stowage.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app in the plain POSIX locale ({@code LC_ALL=C}, no {@code LANG}), as in many containers,
 * where Java 17 cannot decode a file name that is not ASCII: the example site, whose SVG has accents
 * in its name, is still published, the other files at the least, and the exit code does not blame
 * the arguments.
 */
class PosixLocaleIT {
    @RegisterExtension
    static final Children children = new Children();

    @TempDir
    Path dir;

    @Test
    void sync_inThePosixLocale_publishesTheFilesWithAsciiNames_andDoesNotExitAsForBadArguments() throws IOException {
        Path folder = Site.write(dir.resolve("site"));
        SortedMap<String, String> hashes = Site.hashes(folder);
        Path target = Files.createDirectories(dir.resolve("published"));

        Child sync = children.command("sync", folder, target.toUri() + "?base_url=http://files.example/")
                .unset("LANG").unset("LANGUAGE").unset("LC_CTYPE").unset("LC_MESSAGES").env("LC_ALL", "C")
                .run();

        assertThat(sync.exitCode()).as("exit code 2 says the arguments or configuration are wrong; they are not\n%s",
                sync.report()).isNotEqualTo(2);
        for (Map.Entry<String, String> file : hashes.entrySet()) {
            if (file.getKey().chars().allMatch(c -> c < 0x80)) {
                Path published = target.resolve(file.getKey());
                assertThat(published).as(file.getKey()).exists();
                assertThat(Site.sha256(published)).as(file.getKey()).isEqualTo(file.getValue());
            }
        }
    }
}
