package dev.stowage.app.doctor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    /**
     * What a {@code GET} answered: the status, the body up to {@link #MAX_BODY_BYTES} (more is not
     * read), and for a redirect not followed (from https to http) where it led.
     */
    record Got(int status, byte[] body, boolean truncated, Optional<String> location) {
    }

    /** What a {@code HEAD} answered, with the time the request was halfway, by this machine's clock. */
    record Head(int status, Optional<Instant> date, Optional<String> server, Instant localMidpoint) {
    }

    /**
     * {@code GET url}, the whole exchange within the timeout: the request's own timeout ends with
     * the headers, and a server that stalls in the body would keep a read waiting for ever.
     *
     * @throws IOException if no whole answer came (refused, unknown host, timed out, stalled)
     */
    Got get(URI url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request, info -> new FirstBytes(MAX_BODY_BYTES + 1));
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new HttpTimeoutException("no whole answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        }
        byte[] body = response.body();
        boolean truncated = body.length > MAX_BODY_BYTES;
        Optional<String> location = response.statusCode() / 100 == 3 ? response.headers().firstValue("Location") : Optional.empty();
        return new Got(response.statusCode(), truncated ? Arrays.copyOf(body, MAX_BODY_BYTES) : body, truncated, location);
    }

    /** The first {@code limit} bytes of a body; the rest is not read. */
    private static final class FirstBytes implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int limit;
        private Flow.Subscription subscription;

        FirstBytes(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int n = Math.min(buffer.remaining(), limit - bytes.size());
                byte[] chunk = new byte[n];
                buffer.get(chunk);
                bytes.write(chunk, 0, n);
            }
            if (bytes.size() >= limit) {
                subscription.cancel();
                body.complete(bytes.toByteArray());
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable e) {
            body.completeExceptionally(e);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
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
