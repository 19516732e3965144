package dev.stowage.app.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * Plain, unsigned HTTP requests, as a browser or a CDN would make them: a {@code GET} of a public
 * URL, a {@code HEAD} of an endpoint for its {@code Date} and {@code Server}. HTTP/1.1, redirects
 * followed (not from https to http). Thread-safe.
 */
final class HttpProbe {
    /** The most of a body read: the probe object is a few KiB; a page a wrong URL serves may be larger. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private final HttpClient client;
    private final Duration timeout;

    HttpProbe(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** What a {@code GET} answered: the status, and the body up to {@link #MAX_BODY_BYTES} (more is not read). */
    record Got(int status, byte[] body, boolean truncated) {
    }

    /** What a {@code HEAD} answered, with the time the request was halfway, by this machine's clock. */
    record Head(int status, Optional<Instant> date, Optional<String> server, Instant localMidpoint) {
    }

    /**
     * {@code GET url}.
     *
     * @throws IOException if no answer came (refused, unknown host, timed out)
     */
    Got get(URI url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            boolean truncated = body.length > MAX_BODY_BYTES;
            return new Got(response.statusCode(), truncated ? java.util.Arrays.copyOf(body, MAX_BODY_BYTES) : body, truncated);
        }
    }

    /**
     * {@code HEAD url}, timed by {@code clock}: the {@code Date} it answered against the local time
     * halfway through the request.
     *
     * @throws IOException if no answer came
     */
    Head head(URI url, java.time.Clock clock) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        Instant sent = clock.instant();
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        Instant received = clock.instant();
        Instant midpoint = sent.plus(Duration.between(sent, received).dividedBy(2));
        return new Head(response.statusCode(), response.headers().firstValue("Date").flatMap(HttpProbe::date),
                response.headers().firstValue("Server"), midpoint);
    }

    private static Optional<Instant> date(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
