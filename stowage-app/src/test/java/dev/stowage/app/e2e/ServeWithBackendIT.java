package dev.stowage.app.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.testkit.FaultyProxy;
import dev.stowage.testkit.FaultyProxy.Fault;
import dev.stowage.testkit.S3TestServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stowage serve DIR --backend s3://...}, the built jar in a process of its own, publishing to
 * the in-process S3 server through a {@link FaultyProxy} that starts refusing every request, and to
 * a server of its own that is stopped and started again: the files are served locally and listed as
 * pending meanwhile, and once the store is back they are published to the bucket and listed at
 * their remote URLs.
 */
class ServeWithBackendIT {
    private static final Pattern SERVING = Pattern.compile(
            "serving (.+) at (http://127\\.0\\.0\\.1:(\\d+)/), published to (\\S+) \\((.+)\\)");
    /** Publishing after the outage: the next rescan (every 2 s) or the change, then the uploads. */
    private static final Duration CONVERGE = Duration.ofSeconds(30);

    @RegisterExtension
    static final Children children = new Children();

    @TempDir
    Path dir;

    @Test
    void whileTheBackendIsDown_filesAreServedLocallyAsPending_andOnceItIsUp_theyArePublishedThere() throws Exception {
        Path folder = Site.write(dir.resolve("site"));
        SortedMap<String, String> hashes = Site.hashes(folder);
        String bucket = Buckets.server().createBucket();
        try (FaultyProxy proxy = FaultyProxy.builder("127.0.0.1", Buckets.server().endpoint().getPort())
                .faults(EnumSet.of(Fault.RESET_BEFORE_FORWARDING)).faultShare(1).start()) {
            // Down: every request is reset before it reaches the server. No retries, short timeouts: each run fails fast.
            String uri = Buckets.uri(bucket, proxy.endpoint(),
                    "connect_timeout=2s", "socket_timeout=5s", "request_timeout=10s", "call_timeout=20s");
            try (Child serve = Buckets.withCredentials(children.command(
                    "--set", "publish.retries=0", "--set", "watch.rescan_interval=2s",
                    "serve", folder, "--host", "127.0.0.1", "--port", "0", "--backend", uri)).start()) {
                Matcher serving = serve.awaitLine(SERVING, ServeIT.START);
                URI base = URI.create(serving.group(2));

                assertThat(serving.group(4)).startsWith("s3://" + bucket);
                assertThat(serving.group(5)).as("the first run's summary").contains(": 0 uploaded").contains("pending");
                Map<String, JsonNode> pending = ServeIT.entries(Http.json(Http.get(base.resolve("/manifest.json"))));
                assertThat(pending.keySet()).containsExactlyElementsOf(hashes.keySet());
                for (JsonNode entry : pending.values()) {
                    String key = entry.get("key").asText();
                    assertThat(entry.get("pending").asBoolean()).as(key).isTrue();
                    assertThat(entry.get("sha256").asText()).as(key).isEqualTo(hashes.get(key));
                    assertThat(entry.get("url").asText()).as("a local URL for %s", key).isEqualTo(Site.url(base, key).toString());
                    HttpResponse<byte[]> local = Http.get(URI.create(entry.get("url").asText()));
                    assertThat(local.statusCode()).as(key).isEqualTo(200);
                    assertThat(Site.sha256(local.body())).as(key).isEqualTo(hashes.get(key));
                }
                // Between runs (a rescan runs every 2 s), the health check names the outage; serving goes on.
                JsonNode down = Await.until(Duration.ofSeconds(10), "healthz naming the outage",
                        () -> Http.json(Http.get(base.resolve("/healthz"))),
                        h -> h.get("status").asText().startsWith("remote down: "));
                assertThat(down.get("ok").asBoolean()).as(down.toString()).isTrue();
                assertThat(down.get("pending").asLong()).as(down.toString()).isPositive();
                assertThat(Buckets.server().keys(bucket)).as("nothing got through").isEmpty();
                assertThat(proxy.injected(Fault.RESET_BEFORE_FORWARDING)).isPositive();

                proxy.passThrough(true);
                String late = "late/arrived after the outage.txt";
                Site.write(folder, late, "written once the network was back\n".getBytes(UTF_8));
                SortedMap<String, String> now = Site.hashes(folder);

                URI remote = URI.create(proxy.endpoint() + "/" + bucket + "/" + Buckets.PREFIX + "/");
                Map<String, JsonNode> published = Await.until(CONVERGE, "every file listed at its remote URL, none pending",
                        () -> ServeIT.entries(Http.json(Http.get(base.resolve("/manifest.json")))),
                        entries -> entries.keySet().equals(now.keySet()) && entries.values().stream()
                                .allMatch(e -> !e.has("pending") && e.get("url").asText().startsWith(remote.toString())));
                published.forEach((key, entry) -> {
                    assertThat(entry.get("url").asText()).as(key).isEqualTo(Site.url(remote, key).toString());
                    assertThat(entry.get("sha256").asText()).as(key).isEqualTo(now.get(key));
                });
                // The manifest is served as soon as it is written, and uploaded after: the run's end says it went up.
                JsonNode up = Await.until(Duration.ofSeconds(10), "healthz after a run with nothing pending",
                        () -> Http.json(Http.get(base.resolve("/healthz"))), h -> h.get("status").asText().equals("published"));
                assertThat(up.get("ok").asBoolean()).as(up.toString()).isTrue();
                assertThat(up.get("pending").asLong()).as(up.toString()).isZero();
                Buckets.assertHolds(bucket, now, proxy.endpoint());

                serve.close();
                assertThat(serve.stdout() + serve.stderr()).as("the output of serve")
                        .doesNotContain(Buckets.server().secretAccessKey());
            }
        }
    }

    @Test
    void whileTheS3ServerIsStopped_aNewFileIsServedLocally_andOnceItIsRestarted_itIsPublishedThere() throws Exception {
        Path folder = Site.write(dir.resolve("site"));
        try (S3TestServer own = S3TestServer.start()) {
            String bucket = own.createBucket();
            String uri = Buckets.uri(bucket, own.endpoint(), "retries=0",
                    "connect_timeout=2s", "socket_timeout=3s", "request_timeout=3s", "call_timeout=6s");
            URI remote = URI.create(own.endpoint() + "/" + bucket + "/" + Buckets.PREFIX + "/");
            try (Child serve = children.command("--set", "publish.retries=0", "--set", "watch.rescan_interval=2s",
                            "--set", "watch.debounce=100ms",
                            "serve", folder, "--host", "127.0.0.1", "--port", "0", "--backend", uri)
                    .env("AWS_ACCESS_KEY_ID", own.accessKeyId()).env("AWS_SECRET_ACCESS_KEY", own.secretAccessKey())
                    .start()) {
                Matcher serving = serve.awaitLine(SERVING, ServeIT.START);
                URI base = URI.create(serving.group(2));
                assertThat(serving.group(5)).as("the first run's summary").doesNotContain("pending");
                Buckets.assertHolds(own, bucket, Site.hashes(folder), own.endpoint());

                own.stop();
                String late = "written while the store was down.txt";
                byte[] content = "served from here meanwhile\n".getBytes(UTF_8);
                Site.write(folder, late, content);

                JsonNode pending = Await.until(CONVERGE, "the manifest listing " + late + " as pending",
                        () -> ServeIT.entries(Http.json(Http.get(base.resolve("/manifest.json")))).get(late),
                        e -> e != null && e.path("pending").asBoolean());
                assertThat(pending.get("url").asText()).isEqualTo(Site.url(base, late).toString());
                assertThat(Http.get(URI.create(pending.get("url").asText())).body()).isEqualTo(content);
                JsonNode down = Await.until(CONVERGE, "healthz naming the outage",
                        () -> Http.json(Http.get(base.resolve("/healthz"))),
                        h -> h.get("status").asText().startsWith("remote down: "));
                assertThat(down.get("pending").asLong()).as(down.toString()).isPositive();

                own.restart();

                SortedMap<String, String> now = Site.hashes(folder);
                Await.until(CONVERGE, "every file listed at its remote URL, none pending",
                        () -> ServeIT.entries(Http.json(Http.get(base.resolve("/manifest.json")))),
                        entries -> entries.keySet().equals(now.keySet()) && entries.values().stream()
                                .allMatch(e -> !e.has("pending") && e.get("url").asText().startsWith(remote.toString())));
                Await.until(CONVERGE, "healthz after a run with nothing pending",
                        () -> Http.json(Http.get(base.resolve("/healthz"))), h -> h.get("status").asText().equals("published"));
                Buckets.assertHolds(own, bucket, now, own.endpoint());
            }
        }
    }
}
