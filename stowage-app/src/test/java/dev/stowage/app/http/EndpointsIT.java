package dev.stowage.app.http;

import static dev.stowage.app.http.Client.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoints beside the files: the manifest, the health check, the metrics, the rescan trigger.
 * The server serves its files at {@code /files/}; the endpoints answer at their own paths.
 */
class EndpointsIT {
    private static final Path LOG = Path.of("target", "app-tests.log");
    private static final String TOKEN = "rescan-" + Long.toHexString(new Random().nextLong()) + "-token";

    @TempDir
    static Path dir;
    static Path manifestFile;
    static final AtomicReference<Optional<Path>> MANIFEST = new AtomicReference<>(Optional.empty());
    static final AtomicReference<Health> HEALTH = new AtomicReference<>(Health.idle());
    static final AtomicInteger RESCANS = new AtomicInteger();
    static final AtomicBoolean ACCEPTING = new AtomicBoolean(true);
    static PrometheusMeterRegistry registry;
    static HttpServer server;
    static HttpServer plain;

    @BeforeAll
    static void start() throws IOException {
        Path root = Files.createDirectories(dir.resolve("site"));
        Files.writeString(root.resolve("a.txt"), "plain a");
        manifestFile = Files.writeString(Files.createDirectories(dir.resolve("state")).resolve("manifest.json"),
                "{\"version\":1,\"files\":[]}");
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = HttpServer.start(HttpSettings.defaults(root).withPort(0).withBasePath("/files/")
                .withManifest(MANIFEST::get)
                .withHealth(HEALTH::get)
                .withMetrics(Optional.of(registry))
                .withBearerToken(Optional.of(TOKEN))
                .withRescan(() -> RESCANS.incrementAndGet() > 0 && ACCEPTING.get()));
        plain = HttpServer.start(HttpSettings.defaults(root).withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
        plain.close();
    }

    private static URI at(HttpServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void baseUri_hasBasePath() {
        assertThat(server.baseUri()).isEqualTo(at(server, "/files/"));
        assertThat(text(Client.get(server.baseUri().resolve("a.txt")))).isEqualTo("plain a");
    }

    @Test
    void manifest_servedAsJsonWithEtag_304OnIt_404WithoutOne() throws IOException {
        MANIFEST.set(Optional.empty());
        assertThat(Client.get(at(server, "/manifest.json")).statusCode()).isEqualTo(404);

        MANIFEST.set(Optional.of(manifestFile));
        HttpResponse<byte[]> response = Client.get(at(server, "/manifest.json"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).isEqualTo("application/json");
        assertThat(header(response, "Cache-Control")).isEqualTo("no-cache");
        assertThat(text(response)).isEqualTo(Files.readString(manifestFile));
        String etag = header(response, "ETag");
        assertThat(etag).isNotNull();

        HttpResponse<byte[]> again = Client.get(at(server, "/manifest.json"), "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();

        MANIFEST.set(Optional.of(dir.resolve("state/missing.json")));
        assertThat(Client.get(at(server, "/manifest.json")).statusCode()).isEqualTo(404);
        assertThat(Client.send("POST", at(server, "/manifest.json")).statusCode()).isEqualTo(405);
    }

    @Test
    void healthz_ok_200_notOk_503() {
        HEALTH.set(new Health(true, "idle", 0));
        HttpResponse<byte[]> ok = Client.get(at(server, "/healthz"));
        HEALTH.set(new Health(false, "remote down", 7));
        HttpResponse<byte[]> down = Client.get(at(server, "/healthz"));
        HEALTH.set(Health.idle());

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(header(ok, "Content-Type")).isEqualTo("application/json");
        assertThat(header(ok, "Cache-Control")).isEqualTo("no-store");
        assertThat(text(ok)).isEqualTo("{\"ok\":true,\"status\":\"idle\",\"pending\":0}");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(text(down)).isEqualTo("{\"ok\":false,\"status\":\"remote down\",\"pending\":7}");
    }

    @Test
    void metrics_prometheusText_timesRequestsByRoute() {
        Client.get(server.baseUri().resolve("a.txt"));
        Client.get(server.baseUri().resolve("nope.txt"));
        Client.get(at(server, "/healthz"));
        Client.get(at(server, "/somewhere/else"));

        HttpResponse<byte[]> response = Client.get(at(server, "/metrics"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).startsWith("text/plain; version=0.0.4");
        assertThat(text(response))
                .contains("http_server_requests_seconds_count")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*outcome=\"SUCCESS\"[^}]*status=\"200\"[^}]*uri=\"files\"")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*outcome=\"CLIENT_ERROR\"[^}]*status=\"404\"[^}]*uri=\"files\"")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"healthz\"")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"404\"[^}]*uri=\"other\"")
                .doesNotContain("nope.txt").doesNotContain("somewhere");
    }

    @Test
    void metrics_noRegistry_404() {
        assertThat(Client.get(at(plain, "/metrics")).statusCode()).isEqualTo(404);
    }

    @Test
    void rescan_rightToken_202_andRuns() {
        int before = RESCANS.get();

        HttpResponse<byte[]> response = Client.send("POST", at(server, "/-/rescan"), "Authorization", "Bearer " + TOKEN);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(RESCANS.get()).isEqualTo(before + 1);
    }

    @Test
    void rescan_refusedWhileStopping_503() {
        ACCEPTING.set(false);
        try {
            HttpResponse<byte[]> response = Client.send("POST", at(server, "/-/rescan"), "Authorization", "Bearer " + TOKEN);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(text(response)).contains("stopping");
        } finally {
            ACCEPTING.set(true);
        }
    }

    @Test
    void rescan_noToken_401_doesNotRun() {
        int before = RESCANS.get();

        HttpResponse<byte[]> response = Client.send("POST", at(server, "/-/rescan"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(header(response, "WWW-Authenticate")).startsWith("Bearer");
        assertThat(RESCANS.get()).isEqualTo(before);
    }

    @Test
    void rescan_wrongToken_401_doesNotRun() {
        int before = RESCANS.get();

        HttpResponse<byte[]> wrong = Client.send("POST", at(server, "/-/rescan"), "Authorization", "Bearer " + TOKEN + "x");
        HttpResponse<byte[]> prefix = Client.send("POST", at(server, "/-/rescan"), "Authorization", "Bearer " + TOKEN.substring(1));
        HttpResponse<byte[]> basic = Client.send("POST", at(server, "/-/rescan"), "Authorization", "Basic " + TOKEN);

        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(header(wrong, "WWW-Authenticate")).contains("invalid_token");
        assertThat(prefix.statusCode()).isEqualTo(401);
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(RESCANS.get()).isEqualTo(before);
    }

    @Test
    void rescan_get_405() {
        HttpResponse<byte[]> response = Client.get(at(server, "/-/rescan"), "Authorization", "Bearer " + TOKEN);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(header(response, "Allow")).isEqualTo("POST");
    }

    @Test
    void rescan_noTokenConfigured_404() {
        assertThat(Client.send("POST", at(plain, "/-/rescan"), "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        assertThat(Client.send("POST", at(plain, "/-/rescan")).statusCode()).isEqualTo(404);
    }

    @Test
    void token_inNoLogLineNorToString() throws IOException {
        Client.send("POST", at(server, "/-/rescan"), "Authorization", "Bearer " + TOKEN);
        Client.send("POST", at(server, "/-/rescan"), "Authorization", "Bearer wrong-" + TOKEN);

        String log = Files.readString(LOG, StandardCharsets.UTF_8);
        assertThat(log).as("the test log holds this test's requests")
                .contains("rescan asked for by", "refused a rescan", "serving " + dir.resolve("site").toRealPath());
        assertThat(log).doesNotContain(TOKEN);
        assertThat(server.toString()).doesNotContain(TOKEN);
        assertThat(HttpSettings.defaults(dir).withBearerToken(Optional.of(TOKEN)).toString()).doesNotContain(TOKEN);
    }
}
