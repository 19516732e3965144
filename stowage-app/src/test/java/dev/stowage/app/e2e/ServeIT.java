package dev.stowage.app.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stowage serve DIR --port 0}, the built jar in a process of its own, on a copy of the
 * example site, seen through a real HTTP client: the files, the manifest, the health check and the
 * metrics; changes to the folder published while it runs; a graceful stop on SIGTERM. One process
 * serves every test; the stop, which ends it, runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeIT {
    /** What serve prints once the folder is published and served. */
    static final Pattern SERVING = Pattern.compile("serving (.+) at (http://127\\.0\\.0\\.1:(\\d+)/) \\((.+)\\)");
    static final Duration START = Duration.ofSeconds(30);
    /** How soon a change to the folder must be published: debounce (500 ms) and a scan, with room for a busy machine. */
    static final Duration SOON = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    /** Large enough that the socket buffers of both ends hold only a small part of it. */
    private static final String LARGE = "media/large.bin";
    private static final int LARGE_BYTES = 32 << 20;
    private static final long SLOW_BYTES_PER_SECOND = 12 << 20;
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=UTF-8",
            "css", "text/css; charset=UTF-8",
            "svg", "image/svg+xml",
            "txt", "text/plain; charset=UTF-8",
            "bin", "application/octet-stream");

    @RegisterExtension
    static final Children children = new Children();

    @TempDir
    static Path dir;
    static Path folder;
    static SortedMap<String, String> initial;
    static Child serve;
    static Matcher serving;
    static URI base;

    @BeforeAll
    static void serve() throws IOException {
        folder = Site.write(dir.resolve("site"));
        Site.write(folder, LARGE, Site.random(LARGE_BYTES, 32));
        initial = Site.hashes(folder);
        serve = children.command("--set", "server.stop_timeout=" + STOP_TIMEOUT.toSeconds() + "s",
                "serve", folder, "--host", "127.0.0.1", "--port", "0").start();
        serving = serve.awaitLine(SERVING, START);
        base = URI.create(serving.group(2));
    }

    @Test
    @Order(1)
    void start_publishesEveryFile_andPrintsTheFolderAndTheUrl() {
        assertThat(serving.group(1)).isEqualTo(folder.toAbsolutePath().normalize().toString());
        assertThat(Integer.parseInt(serving.group(3))).isPositive();
        assertThat(serving.group(4)).startsWith(initial.size() + " files: " + initial.size() + " uploaded");
    }

    @Test
    @Order(2)
    void everyFile_isServedByteExact_withItsContentType() throws IOException {
        assertThat(initial).containsKeys(Site.SVG, Site.EMPTY, Site.BINARY, "index.html", "docs/style.css");
        for (Map.Entry<String, Path> file : Site.files(folder).entrySet()) {
            String key = file.getKey();
            String extension = key.substring(key.lastIndexOf('.') + 1);
            HttpResponse<byte[]> response = Http.get(Site.url(base, key));

            assertThat(response.statusCode()).as(key).isEqualTo(200);
            assertThat(response.body().length).as(key).isEqualTo(Files.size(file.getValue()));
            assertThat(Site.sha256(response.body())).as(key).isEqualTo(Site.sha256(file.getValue()));
            assertThat(Http.header(response, "Content-Type")).as(key).isEqualToIgnoringCase(TYPES.get(extension));
            assertThat(Http.header(response, "Content-Length")).as(key).isEqualTo(Long.toString(Files.size(file.getValue())));
        }
        assertThat(Http.get(Site.url(base, Site.EMPTY)).body()).isEmpty();
    }

    @Test
    @Order(3)
    void rangeRequest_getsExactlyTheBytesAsked_206() throws IOException {
        byte[] binary = Files.readAllBytes(folder.resolve(Site.BINARY));

        HttpResponse<byte[]> middle = Http.get(Site.url(base, Site.BINARY), "Range", "bytes=1048576-1049599");
        HttpResponse<byte[]> last = Http.get(Site.url(base, Site.BINARY), "Range", "bytes=-100");

        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(Http.header(middle, "Content-Range")).isEqualTo("bytes 1048576-1049599/" + binary.length);
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(binary, 1048576, 1049600));
        assertThat(last.statusCode()).isEqualTo(206);
        assertThat(Http.header(last, "Content-Range")).isEqualTo("bytes " + (binary.length - 100) + "-" + (binary.length - 1) + "/" + binary.length);
        assertThat(last.body()).isEqualTo(Arrays.copyOfRange(binary, binary.length - 100, binary.length));
    }

    @Test
    @Order(4)
    void conditionalGet_withTheETag_is304WithNoBody() {
        URI css = Site.url(base, "docs/style.css");
        HttpResponse<byte[]> first = Http.get(css);
        String etag = Http.header(first, "ETag");
        assertThat(etag).as("a strong ETag").matches("\"[^\"]+\"");

        HttpResponse<byte[]> again = Http.get(css, "If-None-Match", etag);
        HttpResponse<byte[]> otherTag = Http.get(css, "If-None-Match", "\"something-else\"");

        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(Http.header(again, "ETag")).isEqualTo(etag);
        assertThat(otherTag.statusCode()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void manifest_listsEveryFile_withItsUrlBelowTheBaseUrlAndItsSha256() throws IOException {
        HttpResponse<byte[]> response = Http.get(base.resolve("/manifest.json"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Http.header(response, "Content-Type")).startsWith("application/json");
        SortedMap<String, String> hashes = Site.hashes(folder);

        SortedMap<String, JsonNode> entries = entries(Http.json(response));

        assertThat(entries.keySet()).containsExactlyElementsOf(hashes.keySet());
        for (JsonNode entry : entries.values()) {
            String key = entry.get("key").asText();
            assertThat(entry.get("sha256").asText()).as(key).isEqualTo(hashes.get(key));
            assertThat(entry.get("size").asLong()).as(key).isEqualTo(Files.size(folder.resolve(key)));
            assertThat(entry.get("url").asText()).as(key).startsWith(base.toString()).isEqualTo(Site.url(base, key).toString());
            assertThat(entry.has("pending")).as(key + " is published, not pending").isFalse();
            // What a consumer does: fetch each URL and check it against its hash.
            HttpResponse<byte[]> file = Http.get(URI.create(entry.get("url").asText()));
            assertThat(file.statusCode()).as(key).isEqualTo(200);
            assertThat(Site.sha256(file.body())).as(key).isEqualTo(entry.get("sha256").asText());
        }
    }

    @Test
    @Order(6)
    void healthz_is200AndOk() {
        HttpResponse<byte[]> response = Http.get(base.resolve("/healthz"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Http.header(response, "Content-Type")).startsWith("application/json");
        JsonNode health = Http.json(response);
        assertThat(health.get("ok").asBoolean()).as(health.toString()).isTrue();
        assertThat(health.get("pending").asLong()).as(health.toString()).isZero();
    }

    @Test
    @Order(7)
    void metrics_countThePublishedFilesAndTheRequests() {
        assertThat(Http.get(base.resolve("/healthz")).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> response = Http.get(base.resolve("/metrics"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Http.header(response, "Content-Type")).startsWith("text/plain");
        List<String> lines = Http.text(response).lines().toList();
        assertThat(sample(lines, "stowage_uploads_total", "outcome=\"success\"")).as("uploads counted")
                .isGreaterThanOrEqualTo(initial.size());
        assertThat(sample(lines, "stowage_uploads_total", "outcome=\"failure\"")).isZero();
        assertThat(sample(lines, "stowage_pending", "")).isZero();
        assertThat(sample(lines, "http_server_requests_seconds_count", "uri=\"healthz\"", "status=\"200\""))
                .as("the /healthz requests timed").isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(8)
    void anAddedFile_inANewFolder_isInTheManifestAndServed_withinSeconds() throws IOException {
        String key = "added/new file é.txt";
        byte[] content = "added while serving\n".getBytes(UTF_8);

        Site.write(folder, key, content);

        JsonNode entry = Await.until(SOON, "the manifest lists " + key, () -> manifestEntry(key), Optional::isPresent).get();
        assertThat(entry.get("sha256").asText()).isEqualTo(Site.sha256(content));
        assertThat(entry.get("size").asLong()).isEqualTo(content.length);
        assertThat(entry.get("url").asText()).isEqualTo(Site.url(base, key).toString());
        HttpResponse<byte[]> served = Http.get(URI.create(entry.get("url").asText()));
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.body()).isEqualTo(content);
    }

    @Test
    @Order(9)
    void aDeletedFile_leavesTheManifest_andIsNoLongerServed() throws IOException {
        String key = "doomed/soon gone.txt";
        Path file = Site.write(folder, key, "here for a moment\n".getBytes(UTF_8));
        Await.until(SOON, "the manifest lists " + key, () -> manifestEntry(key), Optional::isPresent);

        Files.delete(file);

        Await.until(SOON, "the manifest no longer lists " + key, () -> manifestEntry(key), Optional::isEmpty);
        assertThat(Http.get(Site.url(base, key)).statusCode()).isEqualTo(404);
        assertThat(entries(Http.json(Http.get(base.resolve("/manifest.json")))).keySet())
                .containsExactlyElementsOf(Site.hashes(folder).keySet());
    }

    @Test
    @Order(10)
    void theStateFolder_isNeverServed() throws IOException {
        List<Path> state;
        try (Stream<Path> files = Files.list(folder.resolve(Site.STATE_FOLDER))) {
            state = files.filter(Files::isRegularFile).toList();
        }
        assertThat(state).as("the state folder holds the state").isNotEmpty();

        for (Path file : state) {
            String key = Site.STATE_FOLDER + "/" + file.getFileName();
            assertThat(Http.get(Site.url(base, key)).statusCode()).as(key).isEqualTo(404);
        }
        assertThat(Http.get(base.resolve(".stowage/")).statusCode()).isEqualTo(404);
        assertThat(Http.get(base.resolve(".stowage")).statusCode()).isEqualTo(404);
        for (String encoded : List.of("%2Estowage/state.db", "%2estowage/state.db", "img/%2E%2E/.stowage/state.db",
                "img%2F..%2F.stowage%2Fstate.db")) {
            HttpResponse<byte[]> response = Http.get(URI.create(base + encoded));
            assertThat(response.statusCode()).as(encoded).isBetween(400, 499);
            assertThat(Http.text(response)).as(encoded).doesNotContain("SQLite format");
        }
    }

    /**
     * The changes above each started a run, named in the log; the runs' own writes (the manifest
     * written into the folder, the state) started none.
     */
    @Test
    @Order(11)
    void theRunsOwnWrites_startNoRun() {
        String log = serve.stderr();

        assertThat(log).contains("a change under " + folder + ": added");
        assertThat(log).doesNotContain(": manifest.json: publishing", ": .stowage");
    }

    /** The log is a service's: each line with its time, at logging.level (info), without Jetty's own lines. */
    @Test
    @Order(12)
    void theLog_hasTheTimeOnEachLine_atInfo_withoutJettysStartLines() {
        List<String> lines = serve.stderrLines();

        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\[.*"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains(" INFO dev.stowage.app.http.HttpServer - serving "));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains("org.eclipse.jetty"));
    }

    @Test
    @Order(13)
    void loggingLevelWarn_leavesOutTheInfoLines() throws Exception {
        Path quiet = Site.write(dir.resolve("quiet"));
        try (Child warnOnly = children.command("serve", quiet, "--host", "127.0.0.1", "--port", "0")
                .env("STOWAGE_LOGGING_LEVEL", "warn").start()) {
            warnOnly.awaitLine(SERVING, START);

            assertThat(warnOnly.stderr()).as(warnOnly.report()).doesNotContain(" INFO ");
        }
    }

    /**
     * SIGTERM while a client downloads a large file slowly: the download completes byte for byte,
     * the process exits 0 within the stop timeout, and serve started again on the folder (on the
     * same port, so at the same URLs) finds everything published already.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void sigterm_duringASlowDownload_letsItFinish_exitsZero_andARestartPublishesNothingNew() throws Exception {
        Path large = folder.resolve(LARGE);
        HttpResponse<InputStream> response = Http.stream(Site.url(base, LARGE));
        assertThat(response.statusCode()).isEqualTo(200);
        MessageDigest digest = Site.sha256();
        long received;
        Instant stopAsked;
        try (InputStream body = response.body()) {
            received = read(body, digest, 1 << 20, Long.MAX_VALUE);
            stopAsked = Instant.now();
            serve.terminate();
            try {
                received += read(body, digest, Long.MAX_VALUE, SLOW_BYTES_PER_SECOND);
            } catch (IOException e) {
                throw new AssertionError("the download was cut " + Duration.between(stopAsked, Instant.now())
                        + " after SIGTERM: " + e, e);
            }
        }
        Duration downloading = Duration.between(stopAsked, Instant.now());

        assertThat(received).as("bytes received, %s after SIGTERM", downloading).isEqualTo(LARGE_BYTES);
        assertThat(Site.hex(digest.digest())).isEqualTo(Site.sha256(large));
        int exit = serve.awaitExit(STOP_TIMEOUT);
        Duration stopping = Duration.between(stopAsked, Instant.now());

        // Again at the same URLs: with another port the published URLs change, and all is published anew.
        Child again = children.command("serve", folder, "--host", "127.0.0.1", "--port", serving.group(3)).start();
        Matcher restarted = again.awaitLine(SERVING, START);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(stopping).as("from SIGTERM to exit").isLessThanOrEqualTo(STOP_TIMEOUT);
        soft.assertThat(restarted.group(2)).isEqualTo(base.toString());
        soft.assertThat(restarted.group(4)).as("the restart's summary")
                .startsWith(Site.hashes(folder).size() + " files: 0 uploaded (0 bytes), 0 deleted");
        soft.assertThat(exit).as("exit code after SIGTERM, once every request and upload finished").isZero();
        soft.assertAll();
    }

    /** The manifest's entry for {@code key}, if it lists it. */
    static Optional<JsonNode> manifestEntry(String key) {
        HttpResponse<byte[]> response = Http.get(base.resolve("/manifest.json"));
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        return Optional.ofNullable(entries(Http.json(response)).get(key));
    }

    /** The manifest's entries by key; fails if a key is listed twice. */
    static SortedMap<String, JsonNode> entries(JsonNode manifest) {
        assertThat(manifest.get("version").asInt()).isEqualTo(1);
        SortedMap<String, JsonNode> entries = new TreeMap<>();
        StreamSupport.stream(manifest.get("files").spliterator(), false).forEach(e -> {
            JsonNode before = entries.put(e.get("key").asText(), e);
            assertThat(before).as("listed twice: %s", e).isNull();
        });
        return entries;
    }

    /**
     * The value of the Prometheus sample of {@code name} whose labels contain every one of
     * {@code labels}; fails when there is none.
     */
    static double sample(List<String> lines, String name, String... labels) {
        Pattern line = Pattern.compile(Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)");
        return lines.stream().map(line::matcher).filter(Matcher::matches)
                .filter(m -> Arrays.stream(labels).allMatch(l -> m.group(1) == null ? l.isEmpty() : m.group(1).contains(l)))
                .mapToDouble(m -> Double.parseDouble(m.group(2)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + " " + Arrays.toString(labels) + " in:\n"
                        + String.join("\n", lines)));
    }

    /** Reads up to {@code limit} bytes into {@code digest}, never faster than {@code bytesPerSecond}: a slow client. */
    private static long read(InputStream in, MessageDigest digest, long limit, long bytesPerSecond) throws Exception {
        byte[] buffer = new byte[64 << 10];
        long count = 0;
        long start = System.nanoTime();
        while (count < limit) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - count));
            if (n < 0) {
                break;
            }
            digest.update(buffer, 0, n);
            count += n;
            if (bytesPerSecond != Long.MAX_VALUE) {
                long ahead = start + count * 1_000_000_000L / bytesPerSecond - System.nanoTime();
                if (ahead > 0) {
                    Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                }
            }
        }
        return count;
    }
}
