package dev.stowage.app.http;

import static dev.stowage.app.http.Client.header;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte ranges, If-Range, and the conditional requests, over real HTTP. */
class RangesAndConditionalsIT {
    /** 100 bytes: "0123456789" ten times, each run but the first with its digits shifted. */
    private static final String DIGITS;

    static {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            s.append((char) ('0' + (i + i / 10) % 10));
        }
        DIGITS = s.toString();
    }

    @TempDir
    static Path dir;
    static Path root;
    static HttpServer server;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createDirectories(dir.resolve("site"));
        Files.writeString(root.resolve("digits.txt"), DIGITS);
        Files.setLastModifiedTime(root.resolve("digits.txt"), FileTime.from(Instant.parse("2024-05-06T07:08:09Z")));
        server = HttpServer.start(HttpSettings.defaults(root).withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static URI url(String key) {
        return server.baseUri().resolve(key);
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void range_firstTen_206() {
        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "Range", "bytes=0-9");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes 0-9/100");
        assertThat(header(response, "Content-Length")).isEqualTo("10");
        assertThat(text(response)).isEqualTo(DIGITS.substring(0, 10));
    }

    @Test
    void range_lastTen_206() {
        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "Range", "bytes=-10");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes 90-99/100");
        assertThat(text(response)).isEqualTo(DIGITS.substring(90));
    }

    @Test
    void range_fromFive_206() {
        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "Range", "bytes=5-");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes 5-99/100");
        assertThat(text(response)).isEqualTo(DIGITS.substring(5));
    }

    @Test
    void range_pastTheEnd_416_withSize() {
        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "Range", "bytes=100-200");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes */100");
        assertThat(text(response)).doesNotContain(DIGITS.substring(0, 10));
    }

    @Test
    void range_several_multipartByteranges() {
        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "Range", "bytes=0-1,50-52");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Type")).startsWith("multipart/byteranges; boundary=");
        assertThat(text(response))
                .contains("Content-Range: bytes 0-1/100", "Content-Range: bytes 50-52/100")
                .contains(DIGITS.substring(0, 2), DIGITS.substring(50, 53));
    }

    @Test
    void ifRange_matchingEtag_206() {
        String etag = header(Client.send("HEAD", url("digits.txt")), "ETag");

        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "Range", "bytes=0-9", "If-Range", etag);

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(text(response)).isEqualTo(DIGITS.substring(0, 10));
    }

    @Test
    void ifRange_otherEtag_200WholeFile() {
        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "Range", "bytes=0-9", "If-Range", "\"not-this-one\"");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Range")).isNull();
        assertThat(text(response)).isEqualTo(DIGITS);
    }

    @Test
    void ifRange_weakEtag_200WholeFile() {
        String etag = header(Client.send("HEAD", url("digits.txt")), "ETag");

        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "Range", "bytes=0-9", "If-Range", "W/" + etag);

        assertThat(response.statusCode()).as("If-Range compares strongly").isEqualTo(200);
        assertThat(text(response)).isEqualTo(DIGITS);
    }

    @Test
    void ifRange_lastModified_206_olderDate_200() {
        String lastModified = header(Client.send("HEAD", url("digits.txt")), "Last-Modified");
        assertThat(lastModified).isEqualTo("Mon, 06 May 2024 07:08:09 GMT");

        HttpResponse<byte[]> same = Client.get(url("digits.txt"), "Range", "bytes=0-9", "If-Range", lastModified);
        HttpResponse<byte[]> older = Client.get(url("digits.txt"), "Range", "bytes=0-9", "If-Range", "Mon, 06 May 2024 07:08:08 GMT");

        assertThat(same.statusCode()).isEqualTo(206);
        assertThat(older.statusCode()).isEqualTo(200);
        assertThat(text(older)).isEqualTo(DIGITS);
    }

    @Test
    void ifNoneMatch_currentEtag_304_noBody() {
        String etag = header(Client.get(url("digits.txt")), "ETag");

        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "If-None-Match", etag);

        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(response.body()).isEmpty();
        assertThat(header(response, "ETag")).isEqualTo(etag);
    }

    @Test
    void ifNoneMatch_listWithCurrentEtag_304() {
        String etag = header(Client.get(url("digits.txt")), "ETag");

        HttpResponse<byte[]> response = Client.get(url("digits.txt"), "If-None-Match", "\"old\", " + etag);

        assertThat(response.statusCode()).isEqualTo(304);
    }

    @Test
    void ifModifiedSince_lastModified_304_earlier_200() {
        String lastModified = header(Client.get(url("digits.txt")), "Last-Modified");

        HttpResponse<byte[]> same = Client.get(url("digits.txt"), "If-Modified-Since", lastModified);
        HttpResponse<byte[]> earlier = Client.get(url("digits.txt"), "If-Modified-Since", "Sun, 05 May 2024 00:00:00 GMT");

        assertThat(same.statusCode()).isEqualTo(304);
        assertThat(same.body()).isEmpty();
        assertThat(earlier.statusCode()).isEqualTo(200);
        assertThat(text(earlier)).isEqualTo(DIGITS);
    }

    @Test
    void ifMatch_otherEtag_412_currentEtag_200() {
        String etag = header(Client.get(url("digits.txt")), "ETag");

        assertThat(Client.get(url("digits.txt"), "If-Match", "\"other\"").statusCode()).isEqualTo(412);
        assertThat(Client.get(url("digits.txt"), "If-Match", etag).statusCode()).isEqualTo(200);
    }

    @Test
    void ifUnmodifiedSince_earlier_412_later_200() {
        assertThat(Client.get(url("digits.txt"), "If-Unmodified-Since", "Sun, 05 May 2024 00:00:00 GMT").statusCode())
                .isEqualTo(412);
        assertThat(Client.get(url("digits.txt"), "If-Unmodified-Since", "Tue, 07 May 2024 00:00:00 GMT").statusCode())
                .isEqualTo(200);
    }

    @Test
    void fileChanges_oldEtagGets200WithNewEtag_andNew304() throws IOException {
        Path file = Files.writeString(root.resolve("changing.txt"), "first");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
        HttpResponse<byte[]> first = Client.get(url("changing.txt"));
        String firstEtag = header(first, "ETag");
        String firstModified = header(first, "Last-Modified");
        assertThat(Client.get(url("changing.txt"), "If-None-Match", firstEtag).statusCode()).isEqualTo(304);

        Files.writeString(file, "second");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-01T00:00:05Z")));
        HttpResponse<byte[]> byEtag = Client.get(url("changing.txt"), "If-None-Match", firstEtag);
        HttpResponse<byte[]> byDate = Client.get(url("changing.txt"), "If-Modified-Since", firstModified);

        assertThat(byEtag.statusCode()).isEqualTo(200);
        assertThat(text(byEtag)).isEqualTo("second");
        assertThat(header(byEtag, "ETag")).isNotEqualTo(firstEtag);
        assertThat(byDate.statusCode()).isEqualTo(200);
        assertThat(header(byDate, "Last-Modified")).isEqualTo("Mon, 01 Jan 2024 00:00:05 GMT");
        assertThat(Client.get(url("changing.txt"), "If-None-Match", header(byEtag, "ETag")).statusCode()).isEqualTo(304);
    }

    @Test
    void fileChanges_sameSizeSameSecond_newEtag() throws IOException {
        Path file = Files.writeString(root.resolve("same-size.txt"), "aaaa");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-01T00:00:00.100Z")));
        String before = header(Client.get(url("same-size.txt")), "ETag");

        Files.writeString(file, "bbbb");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-01T00:00:00.200Z")));
        HttpResponse<byte[]> after = Client.get(url("same-size.txt"), "If-None-Match", before);

        assertThat(after.statusCode()).as("the ETag sees sub-second changes").isEqualTo(200);
        assertThat(text(after)).isEqualTo("bbbb");
    }
}
