package dev.stowage.s3;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * An SDK interceptor that records every request as it goes on the wire: the operation, method,
 * URI and final headers (after signing); and counts the SDK calls still running. Thread-safe.
 */
final class RecordedRequests implements ExecutionInterceptor {
    /** One request as sent; header names are looked up case-insensitively. */
    record Request(String operation, String method, URI uri, Map<String, List<String>> headers) {
        Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(String.join(",", values));
        }

        boolean has(String name) {
            return headers.containsKey(name);
        }

        long contentLength() {
            return header("Content-Length").map(Long::parseLong).orElse(-1L);
        }

        @Override
        public String toString() {
            return operation + " " + method + " " + uri + " " + headers;
        }
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger running = new AtomicInteger();

    @Override
    public void beforeExecution(Context.BeforeExecution ctx, ExecutionAttributes attributes) {
        running.incrementAndGet();
    }

    @Override
    public void afterExecution(Context.AfterExecution ctx, ExecutionAttributes attributes) {
        running.decrementAndGet();
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution ctx, ExecutionAttributes attributes) {
        running.decrementAndGet();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission ctx, ExecutionAttributes attributes) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ctx.httpRequest().forEachHeader((name, values) -> headers.put(name, List.copyOf(values)));
        requests.add(new Request(ctx.request().getClass().getSimpleName(), ctx.httpRequest().method().name(),
                ctx.httpRequest().getUri(), Collections.unmodifiableMap(headers)));
    }

    /** Every request recorded so far, in the order they were sent. */
    List<Request> all() {
        return new ArrayList<>(requests);
    }

    /** The requests of one SDK operation, e.g. {@code PutObjectRequest}. */
    List<Request> of(String operation) {
        return requests.stream().filter(r -> r.operation().equals(operation)).collect(Collectors.toList());
    }

    /** How many SDK calls have started and not yet ended, successfully or not. */
    int running() {
        return running.get();
    }
}
