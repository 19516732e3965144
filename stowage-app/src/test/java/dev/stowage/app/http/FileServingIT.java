package dev.stowage.app.http;

import static dev.stowage.app.http.Client.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.Urls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Files served over real HTTP: bodies, headers, content types, names that need encoding, sizes. */
class FileServingIT {
    private static final int BIG_BYTES = 20 << 20;

    @TempDir
    static Path dir;
    static Path root;
    static byte[] big;
    static HttpServer server;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createDirectories(dir.resolve("site"));
        Files.writeString(root.resolve("index.html"), "<!doctype html><h1>Hello</h1>");
        Files.writeString(root.resolve("style.css"), "h1 { color: red }");
        Files.writeString(root.resolve("app.js"), "console.log('hi')");
        Files.writeString(root.resolve("data.json"), "{\"a\":1}");
        Files.writeString(root.resolve("logo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        Files.write(root.resolve("pixel.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        Files.writeString(root.resolve("notes.txt"), "été\n");
        Files.writeString(root.resolve("blob.xyz"), "?");
        Files.writeString(root.resolve("README"), "no extension");
        Files.createFile(root.resolve("empty.txt"));
        Files.createDirectories(root.resolve("deep/er"));
        Files.writeString(root.resolve("deep/er/a b#c%d+e 😀.txt"), "strange name");
        // NFD on disk ("e" and a combining acute), as a file made on macOS: the NFC URL of its key finds it.
        Files.writeString(root.resolve("Cafe\u0301.txt"), "nfd on disk");
        big = new byte[BIG_BYTES];
        new Random(42).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        server = HttpServer.start(HttpSettings.defaults(root).withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static URI url(String key) {
        return Urls.join(server.baseUri(), key);
    }

    @Test
    void get_html_bodyAndHeaders() {
        HttpResponse<byte[]> response = Client.get(url("index.html"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("<!doctype html><h1>Hello</h1>");
        assertThat(header(response, "Content-Type")).isEqualToIgnoringCase("text/html; charset=UTF-8");
        assertThat(header(response, "Content-Length")).isEqualTo("29");
        assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
        assertThat(header(response, "ETag")).as("a strong ETag").matches("\"[0-9a-f.]+\"");
        assertThat(header(response, "Last-Modified")).endsWith(" GMT");
        assertThat(header(response, "Server")).as("no version advertised").isNull();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
        "index.html | text/html; charset=UTF-8",
        "style.css  | text/css; charset=UTF-8",
        "app.js     | text/javascript; charset=UTF-8",
        "data.json  | application/json",
        "logo.svg   | image/svg+xml",
        "pixel.png  | image/png",
        "notes.txt  | text/plain; charset=UTF-8",
        "blob.xyz   | application/octet-stream",
        "README     | application/octet-stream",
    })
    void contentType_byExtension(String key, String type) {
        HttpResponse<byte[]> response = Client.get(url(key));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).isEqualToIgnoringCase(type);
    }

    @Test
    void head_sameHeadersAsGet_noBody() {
        HttpResponse<byte[]> get = Client.get(url("notes.txt"));
        HttpResponse<byte[]> head = Client.send("HEAD", url("notes.txt"));

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        for (String name : new String[] {"Content-Type", "Content-Length", "ETag", "Last-Modified", "Accept-Ranges"}) {
            assertThat(header(head, name)).as(name).isNotNull().isEqualTo(header(get, name));
        }
        assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString("été\n".getBytes(StandardCharsets.UTF_8).length));
    }

    @Test
    void get_wholeSmallFile_sameHeadersAsJettysResourceService() {
        // A condition that holds sends the same file through ResourceService instead.
        HttpResponse<byte[]> plain = Client.get(url("index.html"));
        HttpResponse<byte[]> conditional = Client.get(url("index.html"), "If-None-Match", "\"another\"");

        assertThat(conditional.statusCode()).isEqualTo(200);
        assertSameAnswer(plain, conditional);
    }

    /**
     * A file kept (last modified an hour ago) is sent from memory the second time, with the headers
     * ResourceService sends; the same file under a link of another extension keeps its own type.
     */
    @Test
    void keptSmallFile_sentAgain_sameHeadersAsJettysResourceService() throws IOException {
        Path file = Files.writeString(root.resolve("kept.html"), "<p>kept</p>");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        Files.createSymbolicLink(root.resolve("kept-link.txt"), file.getFileName());
        HttpResponse<byte[]> first = Client.get(url("kept.html"));
        HttpResponse<byte[]> again = Client.get(url("kept.html"));
        HttpResponse<byte[]> conditional = Client.get(url("kept.html"), "If-None-Match", "\"another\"");

        assertSameAnswer(first, conditional);
        assertSameAnswer(again, conditional);
        HttpResponse<byte[]> link = Client.get(url("kept-link.txt"));
        assertThat(link.body()).isEqualTo(first.body());
        assertThat(header(link, "Content-Type")).startsWith("text/plain");
        assertThat(header(link, "ETag")).isEqualTo(header(first, "ETag"));
    }

    /** The same body and headers, but the date. */
    private static void assertSameAnswer(HttpResponse<byte[]> response, HttpResponse<byte[]> expected) {
        assertThat(response.body()).isEqualTo(expected.body());
        Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
        Map<String, List<String>> expectedHeaders = new TreeMap<>(expected.headers().map());
        headers.remove("date");
        expectedHeaders.remove("date");
        assertThat(headers).isEqualTo(expectedHeaders);
    }

    @Test
    void head_bigFile_announcesItsLength() {
        HttpResponse<byte[]> head = Client.send("HEAD", url("big.bin"));

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString(BIG_BYTES));
    }

    @Test
    void nameWithSpaceHashPercentPlusEmoji_encodedUrl_servesThatFile() {
        URI uri = url("deep/er/a b#c%d+e 😀.txt");
        assertThat(uri.getRawPath()).endsWith("/deep/er/a%20b%23c%25d%2Be%20%F0%9F%98%80.txt");

        HttpResponse<byte[]> response = Client.get(uri);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("strange name");
    }

    @Test
    void nfcUrl_nameNfdOnDisk_servesIt() {
        HttpResponse<byte[]> response = Client.get(url("Caf\u00e9.txt"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("nfd on disk");
    }

    /**
     * A file sent twice (its bytes kept: it was last modified an hour ago), then replaced as the
     * publisher does (a new file renamed over it) with the same size and time, then rewritten.
     */
    @Test
    void smallFileReplaced_afterItWasSent_isSentAsItIsNow() throws IOException {
        Path file = Files.writeString(root.resolve("replaced.txt"), "version 1");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        assertThat(new String(Client.get(url("replaced.txt")).body(), StandardCharsets.UTF_8)).isEqualTo("version 1");
        assertThat(new String(Client.get(url("replaced.txt")).body(), StandardCharsets.UTF_8)).isEqualTo("version 1");

        Path next = Files.writeString(root.resolve(".replaced.tmp"), "version 2");
        Files.setLastModifiedTime(next, Files.getLastModifiedTime(file));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(new String(Client.get(url("replaced.txt")).body(), StandardCharsets.UTF_8)).isEqualTo("version 2");

        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, "version 3, longer"); // rewritten in place, its time set back
        Files.setLastModifiedTime(file, before);
        assertThat(new String(Client.get(url("replaced.txt")).body(), StandardCharsets.UTF_8)).isEqualTo("version 3, longer");
    }

    /**
     * A file sent twice (its bytes kept), then its folder swapped for a link to a folder outside the
     * root holding a file of the same name, size and time: the link is seen, as on a first request.
     */
    @Test
    void folderSwappedForALinkOut_afterAFileInItWasSent_is404() throws IOException {
        Path folder = Files.createDirectories(root.resolve("swapped"));
        Path file = Files.writeString(folder.resolve("page.txt"), "inside");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        assertThat(Client.get(url("swapped/page.txt")).statusCode()).isEqualTo(200);
        assertThat(Client.get(url("swapped/page.txt")).statusCode()).isEqualTo(200);

        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path twin = Files.writeString(outside.resolve("page.txt"), "secret");
        Files.setLastModifiedTime(twin, Files.getLastModifiedTime(file));
        Files.move(folder, dir.resolve("moved-away"));
        Files.createSymbolicLink(folder, outside);

        HttpResponse<byte[]> response = Client.get(url("swapped/page.txt"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("secret");
    }

    @Test
    void emptyFile_200_noBody() {
        HttpResponse<byte[]> response = Client.get(url("empty.txt"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Length")).isEqualTo("0");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void twentyMebibytes_byteExact() {
        HttpResponse<byte[]> response = Client.get(url("big.bin"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Length")).isEqualTo(Integer.toString(BIG_BYTES));
        assertThat(response.body()).hasSize(BIG_BYTES);
        assertThat(response.body()).isEqualTo(big);
    }

    @Test
    void missingFile_404_plainOneLine() {
        HttpResponse<byte[]> response = Client.get(url("nope.txt"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("404 Not Found\n");
    }

    @ParameterizedTest
    @CsvSource({"POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
    void otherMethods_405_withAllow(String method) {
        HttpResponse<byte[]> response = Client.send(method, url("index.html"));

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(header(response, "Allow")).isEqualTo("GET, HEAD");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("Hello");
    }

    @Test
    void baseUri_isLoopbackWithChosenPortAndBasePath() {
        assertThat(server.port()).isPositive();
        assertThat(server.baseUri()).isEqualTo(URI.create("http://127.0.0.1:" + server.port() + "/"));
    }
}
