package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM where the CRT's native library cannot be unpacked (both of the folders it tries are files)
 * fails to open a backend with a one-line {@code INVALID_CONFIG} that says what to do, twice in a
 * row (the second time the JVM no longer tries); under {@code http_client=netty} the backend opens.
 * In a JVM of its own: a library loaded once stays loaded.
 */
@Timeout(120)
class CrtLibraryIT {
    @TempDir
    Path dir;

    @Test
    void aLibraryThatCannotBeUnpacked_failsOpeningWithWhatToDo_andNettyStillOpens() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("not-a-folder"), "a file");
        Path out = dir.resolve("out.txt");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Daws.crt.lib.dir=" + notAFolder, "-Djava.io.tmpdir=" + notAFolder,
                "-cp", System.getProperty("java.class.path"), OpenTwiceThenNetty.class.getName())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(child.waitFor(90, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(String.join("\n", lines)).isZero();

        List<String> failures = lines.stream().filter(l -> l.startsWith("failed ")).toList();
        assertThat(failures).as(String.join("\n", lines)).hasSize(2).allSatisfy(line -> assertThat(line)
                .startsWith("failed INVALID_CONFIG false ")
                .contains("the CRT HTTP client cannot load its native library", "set http_client=netty", "aws.crt.lib.dir")
                .doesNotContain("\\n"));
        assertThat(lines).contains("netty opened");
    }

    /** Opens a backend under the CRT twice and under Netty once; prints what happened, one line each. */
    public static final class OpenTwiceThenNetty {
        public static void main(String[] args) {
            S3Config.Builder config = S3Config.builder(S3Preset.GENERIC).endpointUrl("http://127.0.0.1:9").bucketName("any-bucket")
                    .credentials("AKIDFAKE0000", "fake-secret-key");
            for (int i = 0; i < 2; i++) {
                try (S3Backend s3 = S3Backend.create(config.build())) {
                    System.out.println("crt opened");
                } catch (StorageException e) {
                    System.out.println("failed " + e.kind() + " " + e.isRetryable() + " " + e.getMessage().replace("\n", "\\n"));
                }
            }
            try (S3Backend s3 = S3Backend.create(config.httpClient(S3HttpClient.NETTY).build())) {
                System.out.println("netty opened");
            }
        }
    }
}
