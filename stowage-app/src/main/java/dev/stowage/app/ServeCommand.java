package dev.stowage.app;

import dev.stowage.StorageBackend;
import dev.stowage.app.config.AppConfig;
import dev.stowage.app.http.Health;
import dev.stowage.app.http.HttpServer;
import dev.stowage.app.http.HttpSettings;
import dev.stowage.local.LocalBackend;
import dev.stowage.sync.CacheManager;
import dev.stowage.sync.PublishReport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code stowage serve [DIR]}: keeps a folder published and serves it over HTTP. With no backend,
 * the files stay where they are and the server is where they are published; with {@code --backend},
 * they are kept published there and the server serves the ones not uploaded yet.
 */
@Command(name = "serve", description = "Publishes DIR and serves it over HTTP (files, /manifest.json, /healthz,"
        + " /metrics), publishing again whenever it changes. With --backend, keeps DIR published to that backend"
        + " and serves the files not uploaded yet. Stops cleanly on SIGTERM or Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @ParentCommand
    Stowage top;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The folder to publish (default: the working folder).")
    Path dir = Path.of(".");

    @Option(names = "--host", paramLabel = "HOST", description = "The address to listen on (server.host, default 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "The port to listen on; 0 for any free one (server.port, default 8080).")
    Integer port;

    @Option(names = "--base-url", paramLabel = "URL", description = "The URL the files are published at (server.base_url, default http://HOST:PORT/).")
    String baseUrl;

    @Option(names = "--backend", paramLabel = "URI", description = "Keep DIR published to this backend instead (backend).")
    String backend;

    @Override
    public Integer call() throws Exception {
        AppConfig config = top.serviceConfig(dev.stowage.app.config.CommandOptions.none().with("--host", "server.host", host)
                .with("--port", "server.port", port).with("--base-url", "server.base_url", baseUrl)
                .with("--backend", "backend", backend));
        Path folder = Publishing.folder(dir);
        AppConfig.Server server = config.server();
        Optional<String> remote = config.backend();

        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean closedCleanly = new AtomicBoolean();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PublishMetrics metrics = new PublishMetrics(registry);
        AtomicReference<CacheManager> running = new AtomicReference<>();
        AtomicReference<PublishReport> last = new AtomicReference<>();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicReference<FolderWatcher> watcher = new AtomicReference<>();
        // The server starts first: with port 0 the URL the files are published at is known only then.
        HttpSettings settings = new HttpSettings(server.host(), server.port(), folder,
                server.baseUrl().map(URI::getRawPath).orElse("/"), Set.of(CacheManager.STATE_FOLDER),
                () -> Optional.ofNullable(running.get()).map(CacheManager::manifestFile).filter(Files::isRegularFile),
                () -> health(last.get(), failure.get()), Optional.of(registry), server.token().map(t -> t.reveal()),
                () -> Optional.ofNullable(watcher.get()).ifPresent(FolderWatcher::trigger),
                server.idleTimeout(), 16 * 1024, server.maxConnections(), server.stopTimeout());
        try (HttpServer http = HttpServer.start(settings)) {
            URI published = server.baseUrl().orElse(http.baseUri());
            try (LocalBackend local = LocalBackend.builder().basePath(folder).baseUrl(published.toString()).build();
                 StorageBackend target = remote.map(Backends::openForSync).orElse(local);
                 CacheManager manager = manager(folder, local, target, remote, config, metrics)) {
                running.set(manager);
                Runnable publish = () -> {
                    try {
                        PublishReport report = manager.publish().join();
                        metrics.ran(report);
                        last.set(report);
                        failure.set(null);
                    } catch (RuntimeException e) {
                        // A refused or failed run (too many deletes, the state unreadable): health says so.
                        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                ? e.getCause() : e;
                        failure.set(Stowage.describe(cause));
                        throw e;
                    }
                };
                // Watch (and take SIGTERM) before the first run, which may take long: no change is missed.
                watcher.set(FolderWatcher.start(folder, Set.of(CacheManager.STATE_FOLDER), config.watch().debounce(),
                        config.watch().rescanInterval(), publish));
                CountDownLatch stopped = new CountDownLatch(1);
                AtomicBoolean stopping = new AtomicBoolean();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    if (stopping.compareAndSet(false, true)) {
                        LOG.info("stopping: finishing the requests and uploads in progress");
                        watcher.get().close();
                        stopped.countDown();
                        // The JVM halts when the hooks end: wait for the state and the server to close.
                        // A stop asked for and done cleanly is a success: exit 0, not the signal's 143.
                        if (awaitQuietly(done, server.stopTimeout().multipliedBy(2)) && closedCleanly.get()) {
                            System.out.flush();
                            System.err.flush();
                            Runtime.getRuntime().halt(ExitCode.OK);
                        }
                    }
                }, "stowage-shutdown"));
                String first;
                try {
                    publish.run();
                    first = last.get().summary();
                } catch (RuntimeException e) {
                    if (e.getCause() instanceof dev.stowage.StorageException se
                            && se.kind() == dev.stowage.ErrorKind.INVALID_CONFIG) {
                        throw e; // a setting to fix: one line and exit 2, as before any work
                    }
                    first = "the first run failed: " + failure.get() + "; serving what was published before";
                }
                spec.commandLine().getOut().println("serving " + folder + " at " + published
                        + remote.map(r -> ", published to " + dev.stowage.spi.BackendUri.parse(r)).orElse("")
                        + " (" + first + ")");
                spec.commandLine().getOut().flush();
                stopped.await();
            }
            closedCleanly.set(true);
        } finally {
            done.countDown();
        }
        return ExitCode.OK;
    }


    private static CacheManager manager(Path folder, LocalBackend local, StorageBackend target, Optional<String> remote,
                                        AppConfig config, PublishMetrics metrics) {
        CacheManager.Builder builder = Publishing.manager(folder, target, config,
                remote.map(Backends::retriesItself).orElse(false), metrics);
        if (remote.isPresent()) {
            builder.fallback(local).target(dev.stowage.spi.BackendUri.parse(remote.get()).toString());
        }
        return builder.build();
    }

    /** Waits for {@code latch} up to {@code limit}; true when it was reached. */
    private static boolean awaitQuietly(CountDownLatch latch, java.time.Duration limit) {
        try {
            return latch.await(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Health health(PublishReport last, String failure) {
        if (failure != null) {
            return new Health(false, "failed: " + failure, last == null ? 0 : last.pending());
        }
        if (last == null) {
            return new Health(false, "starting", 0);
        }
        return new Health(true, last.complete() ? "published" : "pending", last.pending());
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
