package dev.stowage.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell commands of the README, read from it and run as it writes them, through the launcher
 * ({@code ./stowage}, here a link to the repository's script) in a folder holding a copy of
 * {@code examples/}. Only what cannot be the same here is replaced: the port (any free one, through
 * {@code STOWAGE_SERVER_PORT}), and the bucket, endpoint and credentials of the test's S3 server.
 * {@code ./mvnw -B verify} is the build running this test.
 */
class ReadmeIT {
    private static final Path README = Children.repositoryRoot().resolve("README.md");
    private static final Pattern SERVING = Pattern.compile("serving (.+) at (http://127\\.0\\.0\\.1:(\\d+)/) \\((.+)\\)");

    @RegisterExtension
    static final Children children = new Children();

    @TempDir
    Path dir;

    /** The commands of the shell blocks that follow {@code heading}, up to the next heading; comments left out. */
    private static List<String> commands(String heading) throws IOException {
        List<String> lines = Files.readAllLines(README);
        int start = lines.indexOf(heading);
        assertThat(start).as("the heading %s in README.md", heading).isNotNegative();
        List<String> commands = new ArrayList<>();
        boolean inShell = false;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (line.startsWith("```")) {
                inShell = !inShell && line.equals("```sh");
            } else if (inShell && !line.isBlank()) {
                commands.add(line.replaceFirst("\\s+#.*$", "").strip());
            }
        }
        return commands;
    }

    /** A folder holding {@code ./stowage} (a link to the script) and a clean copy of {@code examples/site}. */
    private Path workingFolder() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.createSymbolicLink(work.resolve("stowage"), Launcher.script());
        Path example = Children.repositoryRoot().resolve("examples/site");
        Path copy = work.resolve("examples/site");
        try (Stream<Path> files = Files.walk(example)) {
            for (Path from : files.toList()) {
                String relative = example.relativize(from).toString();
                if (relative.startsWith(".stowage") || relative.equals(Site.MANIFEST)) {
                    continue; // what an earlier run of the quick start left in the repository
                }
                if (Files.isDirectory(from)) {
                    Files.createDirectories(copy.resolve(relative));
                } else {
                    Files.copy(from, copy.resolve(relative));
                }
            }
        }
        return work;
    }

    private Children.Command shell(Path work, String command) {
        return children.program("/bin/sh", "-c", "exec " + command).in(work)
                .env("JAVA_HOME", System.getProperty("java.home"));
    }

    @Test
    void quickStart_isTwoCommands_serveTheExampleAndRunTheTests() throws IOException {
        assertThat(commands("## Quick start")).startsWith("./stowage serve examples/site", "./mvnw -B verify");
    }

    @Test
    void quickStart_serve_asWritten_servesTheExampleFolder_itsManifest_health_andMetrics() throws Exception {
        Launcher.assumeFresh();
        Path work = workingFolder();
        SortedMap<String, String> example = Site.hashes(work.resolve("examples/site"));

        try (Child serve = shell(work, commands("## Quick start").get(0)).env("STOWAGE_SERVER_PORT", "0").start()) {
            Matcher serving = serve.awaitLine(SERVING, ServeIT.START);
            URI base = URI.create(serving.group(2));

            // The URL the README shows, at the port taken.
            HttpResponse<byte[]> logo = Http.get(base.resolve("/img/logo%20%C3%A9t%C3%A9.svg"));
            assertThat(logo.statusCode()).isEqualTo(200);
            assertThat(Site.sha256(logo.body())).isEqualTo(example.get("img/logo été.svg"));
            assertThat(ServeIT.entries(Http.json(Http.get(base.resolve("/manifest.json")))).keySet())
                    .containsExactlyElementsOf(example.keySet());
            assertThat(Http.json(Http.get(base.resolve("/healthz"))).get("ok").asBoolean()).isTrue();
            assertThat(Http.get(base.resolve("/metrics")).statusCode()).isEqualTo(200);

            serve.terminate();
            assertThat(serve.awaitExit(Duration.ofSeconds(30))).as(serve.report()).isZero();
        }
    }

    @Test
    void quickStart_syncToABucket_asWritten_publishesTheExampleFolderThere() throws Exception {
        Launcher.assumeFresh();
        Path work = workingFolder();
        List<String> toABucket = commands("## Quick start").stream().filter(c -> c.contains(" sync ")).toList();
        assertThat(toABucket).hasSize(1);
        S3TestServer s3 = Buckets.server();
        String bucket = s3.createBucket();
        String command = toABucket.get(0)
                .replace("AWS_ACCESS_KEY_ID=...", "AWS_ACCESS_KEY_ID=" + s3.accessKeyId())
                .replace("AWS_SECRET_ACCESS_KEY=...", "AWS_SECRET_ACCESS_KEY=" + s3.secretAccessKey())
                .replace("s3://site?", "s3://" + bucket + "?")
                .replace("http://127.0.0.1:9000", s3.endpoint().toString());
        assertThat(command).as("the README's command, with this server's bucket, endpoint and credentials")
                .startsWith("AWS_ACCESS_KEY_ID=" + s3.accessKeyId() + " ").contains(bucket, s3.endpoint().toString());

        Child sync = shell(work, "env " + command).run();

        assertThat(sync.exitCode()).as(sync.report()).isZero();
        SortedMap<String, String> example = Site.hashes(work.resolve("examples/site"));
        assertThat(sync.stdout().strip()).startsWith(example.size() + " files: " + example.size() + " uploaded");
        SortedMap<String, String> held = new TreeMap<>();
        for (String key : s3.keys(bucket)) {
            held.put(key, Site.sha256(s3.read(bucket, key).orElseThrow()));
        }
        assertThat(held.remove(Site.MANIFEST)).as("the manifest in the bucket").isNotNull();
        assertThat(held).isEqualTo(example);
        assertThat(sync.stdout() + sync.stderr()).doesNotContain(s3.secretAccessKey());
    }
}
