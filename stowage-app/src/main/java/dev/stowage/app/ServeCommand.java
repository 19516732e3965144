package dev.stowage.app;

import dev.stowage.StorageBackend;
import dev.stowage.app.config.AppConfig;
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
import java.util.List;
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
@Command(name = "serve", description = {"Publishes DIR and serves it over HTTP, publishing again when it changes.",
        "Serves the files, the manifest at /manifest.json, the health check at /healthz and the metrics at"
                + " /metrics. With --backend, keeps DIR published to that backend and serves the files not"
                + " uploaded yet. Stops cleanly on SIGTERM or Ctrl-C."},
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C, every request and upload in flight finished",
                "1:could not go on (the state could not be read or written)",
                "2:bad arguments or configuration (the port taken too); nothing was done"})
final class ServeCommand implements Callable<Integer> {

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
        ServeHealth health = new ServeHealth();
        AtomicReference<FolderWatcher> watcher = new AtomicReference<>();
        // The server starts first: with port 0 the URL the files are published at is known only then.
        // A rescan asked for before the watcher starts is the first run, about to come; once the
        // watcher is closed, none will come and the request gets 503.
        HttpSettings settings = new HttpSettings(server.host(), server.port(), folder,
                server.baseUrl().map(URI::getRawPath).orElse("/"), hidden(folder, config),
                () -> Optional.ofNullable(running.get()).map(CacheManager::manifestFile).filter(Files::isRegularFile),
                health::health, Optional.of(registry), server.token().map(t -> t.reveal()),
                () -> Optional.ofNullable(watcher.get()).map(FolderWatcher::trigger).orElse(true),
                server.idleTimeout(), 16 * 1024, server.maxConnections(), server.stopTimeout());
        try (HttpServer http = startHttp(settings)) {
            URI published = server.baseUrl().orElse(http.baseUri());
            try (LocalBackend local = LocalBackend.builder().basePath(folder).baseUrl(published.toString()).build();
                 StorageBackend target = remote.map(Backends::openForSync).orElse(local);
                 CacheManager manager = manager(folder, local, target, remote, config, metrics)) {
                running.set(manager);
                AtomicReference<PublishReport> last = new AtomicReference<>();
                Runnable publish = () -> {
                    health.runStarted();
                    try {
                        PublishReport report = manager.publish().join();
                        metrics.ran(report);
                        last.set(report);
                        health.runEnded(report);
                    } catch (RuntimeException e) {
                        // A refused or failed run (too many deletes, the state unreadable): health says so.
                        metrics.failed();
                        health.runFailed(Stowage.describe(cause(e)));
                        throw e;
                    }
                };
                // Watch (and take SIGTERM) before the first run, which may take long: no change is missed.
                watcher.set(FolderWatcher.start(folder, unwatched(folder, config, remote.isEmpty()), config.watch().debounce(),
                        config.watch().rescanInterval(), publish));
                CountDownLatch stopped = new CountDownLatch(1);
                AtomicBoolean stopping = new AtomicBoolean();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    // Not when serve has ended by itself (an error): the JVM is exiting with its code.
                    if (done.getCount() > 0 && stopping.compareAndSet(false, true)) {
                        // A logger made when needed: picocli makes this command before the log level is set.
                        Logger log = LoggerFactory.getLogger(ServeCommand.class);
                        log.info("stopping: finishing the requests and uploads in progress");
                        health.stopping();
                        watcher.get().close(); // the run in progress, if any, ends first
                        stopped.countDown();
                        // The JVM halts when the hooks end: wait for the server and the state to close.
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
                    if (cause(e) instanceof dev.stowage.StorageException se
                            && se.kind() == dev.stowage.ErrorKind.INVALID_CONFIG) {
                        throw e; // a setting to fix: one line and exit 2, as before any work
                    }
                    first = "the first run failed: " + Stowage.describe(cause(e)) + "; serving what was published before";
                }
                spec.commandLine().getOut().println("serving " + folder + " at " + published
                        + remote.map(r -> ", published to " + dev.stowage.spi.BackendUri.parse(r)).orElse("")
                        + " (" + first + ")");
                spec.commandLine().getOut().flush();
                stopped.await();
                // The requests in flight end, then the state is closed: nothing is served from a closed engine.
                http.close();
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

    /**
     * Starts the server; one that cannot (the port in use, an address not of this machine) is a
     * setting to change: exit 2.
     */
    private static HttpServer startHttp(HttpSettings settings) {
        try {
            return HttpServer.start(settings);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage() + " (set server.host and server.port, or --host and --port)", e);
        }
    }

    /**
     * What a run itself writes under the folder, so that writing it is no change to publish: the
     * state's folder, when it is inside; served in place, the manifest.
     */
    private static Set<String> unwatched(Path folder, AppConfig config, boolean inPlace) {
        Set<String> paths = new java.util.HashSet<>();
        stateFolderKey(folder, config).ifPresent(paths::add);
        if (inPlace) {
            paths.add(config.publish().manifestKey());
        }
        return paths;
    }

    /**
     * Keys the server never serves: the default state folder, and the state's own folder when it is
     * inside the folder served; the state database and its journals when they lie at its top.
     */
    static Set<String> hidden(Path folder, AppConfig config) {
        Set<String> keys = new java.util.HashSet<>(Set.of(CacheManager.STATE_FOLDER));
        Optional<String> stateFolder = stateFolderKey(folder, config);
        stateFolder.ifPresent(keys::add);
        Path root = folder.toAbsolutePath().normalize();
        Path state = config.publish().stateFile(folder).toAbsolutePath().normalize();
        if (stateFolder.isEmpty() && root.equals(state.getParent())) {
            String name = state.getFileName().toString();
            keys.addAll(List.of(name, name + "-wal", name + "-shm", name + "-journal"));
        }
        return keys;
    }

    /** The key of the state's folder, when it is a folder inside the one published. */
    private static Optional<String> stateFolderKey(Path folder, AppConfig config) {
        Path root = folder.toAbsolutePath().normalize();
        Path stateFolder = config.publish().stateFile(folder).toAbsolutePath().normalize().getParent();
        if (stateFolder.startsWith(root) && !stateFolder.equals(root)) {
            return Optional.of(root.relativize(stateFolder).toString().replace(root.getFileSystem().getSeparator(), "/"));
        }
        return Optional.empty();
    }

    private static Throwable cause(RuntimeException e) {
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
