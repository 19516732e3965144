package dev.stowage.s3;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The SDK's HTTP client, behind which a request to a host that has not answered yet first waits
 * for a connection of its own to that host, opened and closed at once; if none opens, the request
 * fails with that connection's error (refused, unknown host, not within {@code connect_timeout})
 * and is never handed on. Once a request to a host has been answered, the host's requests go
 * straight through. Requests waiting for the same host share one attempt, made on the client's
 * event loops with its name resolution, so its errors are those the client gives.
 *
 * <p>The Netty client (2.57.8) now and then loses the failure of a connection it opens to a host
 * that has not answered yet, and the request waits for {@code request_timeout} (five minutes by
 * default) instead of failing at once: one call in twenty to a refused port on 127.0.0.1, one in
 * ten to a name that does not resolve, every such call with a single event loop. Its pool
 * ({@code HttpOrHttp2ChannelPool}) opens that connection to learn the host's protocol; when it
 * fails on the pool's own event loop before the request has added its listener, the pool fails its
 * pending promise and replaces it with a fresh one, to which the listener is then added, and which
 * nothing completes. Once a connection to the host has opened, the pool no longer goes that way:
 * 300 calls in a row to a host that had answered, then stopped, all failed at once. See
 * docs/adr/0010. Thread-safe.
 */
final class ProbingHttpClient implements SdkAsyncHttpClient {
    private final SdkAsyncHttpClient delegate;
    private final SdkEventLoopGroup loops;
    private final int connectTimeoutMillis;
    /** The hosts (scheme://host:port) that have answered a request. */
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    /** The connection attempts under way, by host, shared by the requests waiting for them. */
    private final ConcurrentMap<String, CompletableFuture<Void>> probes = new ConcurrentHashMap<>();

    private ProbingHttpClient(SdkAsyncHttpClient delegate, SdkEventLoopGroup loops, Duration connectTimeout) {
        this.delegate = delegate;
        this.loops = loops;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    }

    /**
     * A builder of the client {@code http} builds, with the SDK's defaults for the service (the
     * SDK then closes it with its own client), behind probes made on {@code loops}.
     */
    static SdkAsyncHttpClient.Builder<?> around(SdkAsyncHttpClient.Builder<?> http, SdkEventLoopGroup loops, Duration connectTimeout) {
        return new Builder(http, loops, connectTimeout);
    }

    @Override
    public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
        SdkHttpRequest http = request.request();
        String host = http.protocol() + "://" + http.host() + ":" + http.port();
        if (answered.contains(host)) {
            return delegate.execute(request);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        probe(host, http.host(), http.port()).whenComplete((connected, error) -> {
            if (result.isDone()) {
                return; // cancelled (request_timeout) meanwhile
            }
            if (error != null) {
                // As the Netty client fails a request: the response handler hears of it too.
                request.responseHandler().onError(error);
                result.completeExceptionally(error);
                return;
            }
            CompletableFuture<Void> sent = delegate.execute(request);
            result.whenComplete((value, failure) -> {
                if (failure != null && !sent.isDone()) {
                    sent.cancel(true);
                }
            });
            sent.whenComplete((value, failure) -> {
                if (failure == null) {
                    answered.add(host);
                    result.complete(null);
                } else {
                    result.completeExceptionally(failure);
                }
            });
        });
        return result;
    }

    /** Opens and closes a connection to the host, or joins the attempt under way. */
    private CompletableFuture<Void> probe(String key, String host, int port) {
        CompletableFuture<Void> attempt = new CompletableFuture<>();
        CompletableFuture<Void> underWay = probes.putIfAbsent(key, attempt);
        if (underWay != null) {
            return underWay;
        }
        attempt.whenComplete((connected, error) -> probes.remove(key, attempt));
        try {
            ChannelFuture connect = new Bootstrap()
                    .group(loops.eventLoopGroup())
                    .channelFactory(loops.channelFactory())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(InetSocketAddress.createUnresolved(host, port));
            connect.addListener((ChannelFuture done) -> {
                if (done.isSuccess()) {
                    done.channel().close();
                    attempt.complete(null);
                } else {
                    attempt.completeExceptionally(done.cause());
                }
            });
        } catch (RuntimeException e) {
            attempt.completeExceptionally(e); // event loops shut down: the client is closed
        }
        return attempt;
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static final class Builder implements SdkAsyncHttpClient.Builder<Builder> {
        private final SdkAsyncHttpClient.Builder<?> http;
        private final SdkEventLoopGroup loops;
        private final Duration connectTimeout;

        Builder(SdkAsyncHttpClient.Builder<?> http, SdkEventLoopGroup loops, Duration connectTimeout) {
            this.http = http;
            this.loops = loops;
            this.connectTimeout = connectTimeout;
        }

        @Override
        public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            return new ProbingHttpClient(http.buildWithDefaults(serviceDefaults), loops, connectTimeout);
        }
    }
}
