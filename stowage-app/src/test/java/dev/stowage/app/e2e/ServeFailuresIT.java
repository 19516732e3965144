package dev.stowage.app.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stowage serve} when a run fails: the health check says so while the server and the
 * watching go on; a stop that does not wait for a change still in its debounce delay; and a port
 * already taken.
 */
class ServeFailuresIT {
    private static final Pattern SERVING = Pattern.compile("serving (.+) at (http://127\\.0\\.0\\.1:(\\d+)/) \\((.+)\\)");

    @RegisterExtension
    static final Children children = new Children();

    @TempDir
    Path dir;

    @Test
    void aRefusedRun_makesTheHealthCheckFail_andServingGoesOn() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("site"));
        for (int i = 0; i < 10; i++) {
            Site.write(folder, "f" + i + ".txt", ("file " + i).getBytes(UTF_8));
        }
        try (Child serve = children.command("--set", "watch.debounce=50ms", "serve", folder, "--host", "127.0.0.1",
                "--port", "0").start()) {
            Matcher serving = serve.awaitLine(SERVING, ServeIT.START);
            URI base = URI.create(serving.group(2));
            assertThat(Http.json(Http.get(base.resolve("/healthz"))).get("ok").asBoolean()).isTrue();

            for (int i = 0; i < 8; i++) {
                Files.delete(folder.resolve("f" + i + ".txt"));
            }

            HttpResponse<byte[]> failed = Await.until(Duration.ofSeconds(15), "a failing health check",
                    () -> Http.get(base.resolve("/healthz")), r -> r.statusCode() != 200);
            JsonNode health = Http.json(failed);
            assertThat(failed.statusCode()).isEqualTo(503);
            assertThat(health.get("status").asText()).startsWith("failed: ").contains("would delete 8 of 10");
            assertThat(Http.get(base.resolve("/f9.txt")).statusCode()).as("still serving").isEqualTo(200);
            assertThat(serve.isAlive()).isTrue();
        }
    }

    @Test
    void aStop_doesNotWaitForAChangeStillInItsDebounceDelay() throws Exception {
        Path folder = Site.write(dir.resolve("site"));
        try (Child serve = children.command("--set", "watch.debounce=5m", "serve", folder, "--host", "127.0.0.1",
                "--port", "0").start()) {
            serve.awaitLine(SERVING, ServeIT.START);
            Site.write(folder, "changed.txt", "a change that waits five minutes".getBytes(UTF_8));
            Await.until(Duration.ofSeconds(15), "the watcher to see the change", serve::stderr,
                    log -> log.contains("a change under"));

            serve.terminate();

            assertThat(serve.awaitExit(Duration.ofSeconds(20))).as(serve.summary()).isZero();
        }
    }

    @Test
    void aPortAlreadyTaken_exits2_withOneLineNamingTheAddress() throws Exception {
        Path folder = Site.write(dir.resolve("site"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String port = Integer.toString(taken.getLocalPort());

            Child serve = children.command("serve", folder, "--host", "127.0.0.1", "--port", port).run();

            assertThat(serve.exitCode()).as(serve.report()).isEqualTo(2);
            assertThat(serve.stdout()).as(serve.report()).isEmpty();
            assertThat(serve.stderrLines()).as(serve.report()).singleElement().asString()
                    .startsWith("error: cannot serve HTTP on 127.0.0.1:" + port + ": ").contains("--port");
        }
    }

    @Test
    void aFileOfTheFolderAtTheManifestsKey_isLeftAlone_andServeExits2NamingIt() throws Exception {
        Path folder = Site.write(dir.resolve("site"));
        String own = "{\"name\": \"a web app's own manifest\"}\n";
        Files.writeString(folder.resolve("manifest.json"), own);

        Child serve = children.command("serve", folder, "--host", "127.0.0.1", "--port", "0").run();

        assertThat(serve.exitCode()).as(serve.report()).isEqualTo(2);
        assertThat(serve.stderrLines()).as(serve.report()).last().asString()
                .startsWith("error: ").contains("manifest.json", "publish.manifest_key");
        assertThat(Files.readString(folder.resolve("manifest.json"))).as("the folder's own file").isEqualTo(own);
    }
}
