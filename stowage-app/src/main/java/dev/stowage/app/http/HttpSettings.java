package dev.stowage.app.http;

import dev.stowage.Keys;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Everything the {@link HttpServer} of {@code stowage serve} needs, checked once when made and
 * immutable after. Start from {@link #defaults(Path)} and change what differs:
 *
 * <pre>{@code
 * HttpSettings settings = HttpSettings.defaults(Path.of("/srv/site"))
 *         .withHost("0.0.0.0")
 *         .withBasePath("/files/")
 *         .withManifest(() -> Optional.of(Path.of("/srv/state/manifest.json")))
 *         .withBearerToken(Optional.ofNullable(System.getenv("STOWAGE_RESCAN_TOKEN")));
 * }</pre>
 *
 * <p>A wrong value fails with an {@link IllegalArgumentException} whose one-line message names the
 * setting; a {@code null} one with a {@link NullPointerException} naming it. {@link #toString()}
 * prints {@code bearerToken=****}, never the token. The suppliers and {@code rescan} are called on
 * the server's threads, several at once: they must be thread-safe and should not block for long.
 *
 * @param host           the address to listen on, e.g. {@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::1}
 * @param port           the port, 0 to 65535; {@code 0} for any free one ({@link HttpServer#port()} tells which)
 * @param root           the folder whose files are served
 * @param basePath       the URL path the files are served at: {@code /}, or {@code /seg/.../} with
 *                       segments of letters, digits and {@code -._~}
 * @param hiddenFolders  folders under the root, as keys (e.g. {@code .stowage}), never served; names
 *                       starting with '.' are never served anyway
 * @param manifest       the manifest file {@code /manifest.json} serves, if there is one yet
 * @param health         what {@code /healthz} reports
 * @param metrics        the registry {@code /metrics} scrapes and request timings go to; empty for none
 * @param bearerToken    the token {@code POST /-/rescan} requires, of the characters {@code A-Za-z0-9-._~+/=};
 *                       empty turns the endpoint off
 * @param rescan         what {@code POST /-/rescan} starts; called on a server thread, should return at once;
 *                       false when no rescan will come (the app is stopping): the request then gets {@code 503}
 * @param idleTimeout    how long a connection may send and receive nothing before it is closed; at least 1 ms
 * @param maxHeaderBytes the largest request line and headers taken, at least 1024; larger requests get {@code 431}
 * @param maxConnections the most connections open at once, at least 1; past it, new ones wait to be accepted
 * @param stopTimeout    how long {@link HttpServer#close()} lets requests in flight finish; zero stops at once
 */
public record HttpSettings(String host, int port, Path root, String basePath, Set<String> hiddenFolders,
        Supplier<Optional<Path>> manifest, Supplier<Health> health, Optional<PrometheusMeterRegistry> metrics,
        Optional<String> bearerToken, BooleanSupplier rescan, Duration idleTimeout, int maxHeaderBytes,
        int maxConnections, Duration stopTimeout) {

    /** The port {@code stowage serve} listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 8080;

    /** The folder the sync engine keeps its state in, under the root: never served. */
    public static final String STATE_FOLDER = ".stowage";

    private static final Pattern BASE_PATH = Pattern.compile("/([A-Za-z0-9._~-]+/)*");
    // Visible ASCII, as RFC 6750's b64token, so it fits in a header as given.
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]+");

    /**
     * The settings of {@code stowage serve} for a folder: {@code 127.0.0.1:8080}, files at {@code /},
     * the state folder hidden, no manifest yet, always healthy, no metrics, rescan off, 30 s idle
     * timeout, 8 KiB of headers, 1024 connections, 10 s to stop.
     */
    public static HttpSettings defaults(Path root) {
        return new HttpSettings("127.0.0.1", DEFAULT_PORT, root, "/", Set.of(STATE_FOLDER), Optional::empty,
                Health::idle, Optional.empty(), Optional.empty(), () -> true, Duration.ofSeconds(30), 8 * 1024,
                1024, Duration.ofSeconds(10));
    }

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(basePath, "basePath");
        Objects.requireNonNull(hiddenFolders, "hiddenFolders");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(bearerToken, "bearerToken");
        Objects.requireNonNull(rescan, "rescan");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        if (!BASE_PATH.matcher(basePath).matches() || basePath.contains("/./") || basePath.contains("/../")) {
            throw new IllegalArgumentException("basePath must be '/' or '/segment/.../' with segments of letters,"
                    + " digits and '-._~', other than '.' and '..': " + basePath);
        }
        hiddenFolders = Set.copyOf(hiddenFolders);
        for (String folder : hiddenFolders) {
            Optional<String> problem = Keys.problem(folder);
            if (problem.isPresent()) {
                throw new IllegalArgumentException("hiddenFolders: '" + folder + "': " + problem.get());
            }
        }
        // The token itself appears in no message, here or anywhere else.
        if (bearerToken.isPresent() && !TOKEN.matcher(bearerToken.get()).matches()) {
            throw new IllegalArgumentException("bearerToken must be one or more of the characters A-Z a-z 0-9 -._~+/=");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.toMillis() == 0) {
            throw new IllegalArgumentException("idleTimeout must be at least 1 ms: " + idleTimeout);
        }
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("maxHeaderBytes must be >= 1024: " + maxHeaderBytes);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1: " + maxConnections);
        }
        if (stopTimeout.isNegative()) {
            throw new IllegalArgumentException("stopTimeout must not be negative: " + stopTimeout);
        }
    }

    /** These settings with another {@link #host()}. */
    public HttpSettings withHost(String host) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #port()}. */
    public HttpSettings withPort(int port) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #basePath()}. */
    public HttpSettings withBasePath(String basePath) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with other {@link #hiddenFolders()}. */
    public HttpSettings withHiddenFolders(Set<String> hiddenFolders) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #manifest()}. */
    public HttpSettings withManifest(Supplier<Optional<Path>> manifest) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #health()}. */
    public HttpSettings withHealth(Supplier<Health> health) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with other {@link #metrics()}. */
    public HttpSettings withMetrics(Optional<PrometheusMeterRegistry> metrics) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #bearerToken()}. */
    public HttpSettings withBearerToken(Optional<String> bearerToken) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #rescan()}. */
    public HttpSettings withRescan(BooleanSupplier rescan) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #idleTimeout()}. */
    public HttpSettings withIdleTimeout(Duration idleTimeout) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #maxHeaderBytes()}. */
    public HttpSettings withMaxHeaderBytes(int maxHeaderBytes) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #maxConnections()}. */
    public HttpSettings withMaxConnections(int maxConnections) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** These settings with another {@link #stopTimeout()}. */
    public HttpSettings withStopTimeout(Duration stopTimeout) {
        return new HttpSettings(host, port, root, basePath, hiddenFolders, manifest, health, metrics, bearerToken,
                rescan, idleTimeout, maxHeaderBytes, maxConnections, stopTimeout);
    }

    /** The settings, with {@code bearerToken=****} in place of the token. */
    @Override
    public String toString() {
        return "HttpSettings[host=" + host + ", port=" + port + ", root=" + root + ", basePath=" + basePath
                + ", hiddenFolders=" + hiddenFolders + ", metrics=" + (metrics.isPresent() ? "prometheus" : "(none)")
                + ", bearerToken=" + (bearerToken.isPresent() ? "****" : "(rescan off)")
                + ", idleTimeout=" + idleTimeout + ", maxHeaderBytes=" + maxHeaderBytes
                + ", maxConnections=" + maxConnections + ", stopTimeout=" + stopTimeout + "]";
    }
}
