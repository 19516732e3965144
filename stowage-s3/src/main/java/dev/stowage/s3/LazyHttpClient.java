package dev.stowage.s3;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * An HTTP client built when the first request goes through it, and closed only if it was: a
 * backend that never sends a request never starts the client's event loops. That matters for the
 * CRT client, whose event loops, closed before they have run, keep a JVM from exiting for a second
 * (the CRT waits that long for its threads when the process ends). Thread-safe.
 */
final class LazyHttpClient implements SdkAsyncHttpClient {
    private final SdkAsyncHttpClient.Builder<?> builder;
    private final AttributeMap serviceDefaults;
    private final String name;
    private SdkAsyncHttpClient client; // guarded by this
    private boolean closed; // guarded by this

    private LazyHttpClient(SdkAsyncHttpClient.Builder<?> builder, AttributeMap serviceDefaults, String name) {
        this.builder = builder;
        this.serviceDefaults = serviceDefaults;
        this.name = name;
    }

    /** A builder of clients that {@code http} builds on first use, with the SDK's defaults for the service. */
    static SdkAsyncHttpClient.Builder<?> around(SdkAsyncHttpClient.Builder<?> http, String name) {
        return new Builder(http, name);
    }

    @Override
    public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
        SdkAsyncHttpClient built;
        synchronized (this) {
            if (closed) {
                IllegalStateException e = new IllegalStateException("the HTTP client is closed");
                request.responseHandler().onError(e);
                return CompletableFuture.failedFuture(e);
            }
            if (client == null) {
                client = builder.buildWithDefaults(serviceDefaults);
            }
            built = client;
        }
        return built.execute(request);
    }

    @Override
    public String clientName() {
        return name;
    }

    @Override
    public void close() {
        SdkAsyncHttpClient built;
        synchronized (this) {
            closed = true;
            built = client;
        }
        if (built != null) {
            built.close();
        }
    }

    private static final class Builder implements SdkAsyncHttpClient.Builder<Builder> {
        private final SdkAsyncHttpClient.Builder<?> http;
        private final String name;

        Builder(SdkAsyncHttpClient.Builder<?> http, String name) {
            this.http = http;
            this.name = name;
        }

        @Override
        public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            return new LazyHttpClient(http, serviceDefaults, name);
        }
    }
}
