package dev.stowage.app.http;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of {@code stowage serve}: serves the files of a folder, its manifest, a health
 * check, Prometheus metrics and a rescan trigger, on Jetty.
 *
 * <pre>{@code
 * try (HttpServer server = HttpServer.start(HttpSettings.defaults(Path.of("/srv/site")).withPort(0))) {
 *     URI site = server.baseUri();            // http://127.0.0.1:41234/
 *     ...
 * }                                           // waits for requests in flight, up to stopTimeout
 * }</pre>
 *
 * <p>What it answers:
 * <ul>
 *   <li>{@code GET}/{@code HEAD} below {@link HttpSettings#basePath()}: the file the rest of the path
 *       names as a key, with {@code Content-Type} by extension ({@link dev.stowage.MediaTypes}),
 *       {@code Content-Length}, {@code Last-Modified}, a strong {@code ETag}, byte ranges
 *       ({@code 206}, several as {@code multipart/byteranges}, {@code 416} with
 *       {@code Content-Range: bytes *}{@code /size}), {@code If-Range} and the conditional requests
 *       ({@code 304}, {@code 412}). Other methods: {@code 405} with {@code Allow}. No file outside the
 *       folder, no dot-file or dot-folder, nothing in a hidden folder, no folder listing: a
 *       malformed path is {@code 400}, the rest {@code 404} (see {@link Router}).</li>
 *   <li>{@code GET /manifest.json}: the manifest file, with its ETag; {@code 404} while there is none.</li>
 *   <li>{@code GET /healthz}: the {@link Health} as JSON, {@code 200} if ok, else {@code 503}.</li>
 *   <li>{@code GET /metrics}: the registry in Prometheus text; {@code 404} without one.</li>
 *   <li>{@code POST /-/rescan} with {@code Authorization: Bearer <token>}: runs
 *       {@link HttpSettings#rescan()} and answers {@code 202}, or {@code 503} when it says no rescan
 *       will come (stopping); {@code 401} without the right token;
 *       {@code 404} when no token is configured.</li>
 * </ul>
 * These endpoints answer at these paths whatever the base path, ahead of files of the same name.
 * Request headers larger than {@link HttpSettings#maxHeaderBytes()} get {@code 431}; past
 * {@link HttpSettings#maxConnections()}, new connections wait in the backlog until one closes.
 * With a registry, every request is timed as {@code http.server.requests} (see {@link RequestMetrics}).
 *
 * <p>Thread-safe. Requests run on a pool of threads named {@code stowage-http-*}.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    /** How long a connection may be silent while the server stops, at most (less when idleTimeout is). */
    static final long SHUTDOWN_IDLE_MILLIS = 5_000;

    private final Server server;
    private final String hostPort;
    private final int port;
    private final URI baseUri;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HttpServer(Server server, String hostPort, int port, URI baseUri) {
        this.server = server;
        this.hostPort = hostPort;
        this.port = port;
        this.baseUri = baseUri;
    }

    /**
     * Binds to {@code host:port} and starts serving; returns once the server accepts connections.
     *
     * @throws NullPointerException     if settings is null
     * @throws IllegalArgumentException if the root is not a folder, naming it
     * @throws IllegalStateException    if the server cannot start (the port is in use, the host is not
     *                                  an address of this machine...), in one line naming {@code host:port}
     */
    public static HttpServer start(HttpSettings settings) {
        Objects.requireNonNull(settings, "settings");
        Path root;
        try {
            root = settings.root().toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("root is not a folder: " + settings.root() + " (" + e + ")");
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("root is not a folder: " + settings.root());
        }
        String hostPort = hostPort(settings.host(), settings.port());

        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("stowage-http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(settings.maxHeaderBytes());
        http.setSendServerVersion(false);
        // Jetty refuses "%25" in a path as ambiguous, which would make a file with '%' in its name
        // unreachable. The Router decodes the raw path once itself, so an encoded '%' is only a '%';
        // every other ambiguity Jetty refuses stays refused, ahead of the Router's own checks.
        http.setUriCompliance(UriCompliance.DEFAULT.with("STOWAGE", UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        // One acceptor thread, whatever the number of cores: a graceful stop closes its listening socket
        // at once, so new connections are refused; with none, Jetty keeps the socket open to the end.
        // A selector thread per core: small files are served on them (Router), as nginx's workers do.
        ServerConnector connector = new ServerConnector(server, 1, Runtime.getRuntime().availableProcessors(),
                new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(settings.idleTimeout().toMillis());
        // While stopping, a connection silent for this long is closed: a keep-alive connection with
        // no request ends then. Jetty's default of one second would also cut a download whose client
        // paused (rate limiting, a slow network).
        connector.setShutdownIdleTimeout(Math.min(settings.idleTimeout().toMillis(), SHUTDOWN_IDLE_MILLIS));
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(settings.maxConnections(), connector));
        server.setErrorHandler(new PlainErrors());
        // Server.stop first waits this long for the GracefulHandler's requests in flight to complete,
        // with the connector already closed to new connections; zero skips the wait.
        server.setStopTimeout(settings.stopTimeout().toMillis());

        Handler handler = new GracefulHandler(new Router(settings, root));
        if (settings.metrics().isPresent()) {
            handler = new RequestMetrics(handler, settings.metrics().get(), settings.basePath());
        }
        server.setHandler(handler);

        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw new IllegalStateException("cannot serve HTTP on " + hostPort + ": " + oneLine(e), e);
        }
        int port = connector.getLocalPort();
        URI baseUri;
        try {
            baseUri = new URI("http", null, settings.host(), port, settings.basePath(), null, null);
        } catch (URISyntaxException e) {
            closeQuietly(server);
            throw new IllegalStateException("cannot serve HTTP on " + hostPort + ": " + e.getMessage(), e);
        }
        LOG.info("serving {} at {}", root, baseUri);
        return new HttpServer(server, hostPort(settings.host(), port), port, baseUri);
    }

    /** The port the server listens on: the one asked for, or the one chosen for port 0. */
    public int port() {
        return port;
    }

    /** Where the files are: {@code http://host:port} and the base path, e.g. {@code http://127.0.0.1:8080/files/}. */
    public URI baseUri() {
        return baseUri;
    }

    /**
     * Stops the server gracefully: stops accepting connections at once, lets requests in flight
     * finish for up to {@link HttpSettings#stopTimeout()}, then closes every connection. During the
     * wait, a request on a connection still open gets {@code 503}, a connection done with its
     * request is closed, and one that sends and receives nothing for 5 s (or
     * {@link HttpSettings#idleTimeout()}, if shorter) is closed too: a keep-alive connection with no
     * request ends then, and a download whose client pauses for less finishes. Returns when stopped; calling
     * it again does nothing. Never throws: a request cut short at the timeout is logged.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop();
            LOG.info("stopped serving at {}", baseUri);
        } catch (Exception e) {
            if (causedBy(e, InterruptedException.class)) {
                Thread.currentThread().interrupt();
            }
            if (causedBy(e, TimeoutException.class)) {
                LOG.warn("stopped serving on {}: requests still in flight after {} were cut short", hostPort,
                        server.getStopTimeout() + " ms");
            } else {
                LOG.warn("stopped serving on {}, not cleanly: {}", hostPort, oneLine(e));
            }
        }
    }

    @Override
    public String toString() {
        return "HttpServer[" + baseUri + "]";
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private static void closeQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("stopping the server that could not start failed too", e);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (type.isInstance(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }

    // Jetty's bind failure is "Failed to bind to /127.0.0.1:8080" caused by "Address already in use".
    private static String oneLine(Throwable e) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = e; t != null && line.length() < 300; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (line.indexOf(message) < 0) {
                line.append(line.length() == 0 ? "" : ": ").append(message);
            }
        }
        return line.toString().replaceAll("\\s+", " ");
    }
}
