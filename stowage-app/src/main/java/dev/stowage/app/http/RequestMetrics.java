package dev.stowage.app.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.http.Outcome;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Times every request it passes on, from the call to its completion (the last byte sent, or the
 * failure), into the timer {@value #TIMER} tagged {@code method}, {@code status}, {@code outcome}
 * and {@code uri}. Every tag takes a bounded set of values: {@code uri} is the {@link Route}'s tag,
 * never the path, and a method other than the standard ones is {@code OTHER}. Thread-safe.
 */
final class RequestMetrics extends Handler.Wrapper {
    /** The name of the request timer; Prometheus shows it as {@code http_server_requests_seconds}. */
    static final String TIMER = "http.server.requests";

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT");

    private final MeterRegistry registry;
    private final String basePath;

    /** The timer of each set of tags, looked up once: building one for every request costs more than the request. */
    private final Map<Tags, Timer> timers = new ConcurrentHashMap<>();

    private record Tags(String method, int status, String uri) {
    }

    RequestMetrics(Handler handler, MeterRegistry registry, String basePath) {
        super(handler);
        this.registry = registry;
        this.basePath = basePath;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Timer.Sample sample = Timer.start(registry);
        String uri = Route.of(request.getHttpURI().getPath(), basePath).tag();
        String method = METHODS.contains(request.getMethod()) ? request.getMethod() : "OTHER";
        Request.addCompletionListener(request, failure -> {
            // A response nobody gave a status to goes out as 200.
            int status = response.getStatus() == 0 ? 200 : response.getStatus();
            sample.stop(timers.computeIfAbsent(new Tags(method, status, uri), this::timer));
        });
        return super.handle(request, response, callback);
    }

    private Timer timer(Tags tags) {
        return Timer.builder(TIMER)
                .description("HTTP requests the server answered")
                .tag("method", tags.method())
                .tag("status", Integer.toString(tags.status()))
                .tag("outcome", Outcome.forStatus(tags.status()).name())
                .tag("uri", tags.uri())
                .register(registry);
    }
}
