package dev.stowage.app;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls an action when a folder changes: file-system events on every folder under it (new folders
 * are watched as they appear), debounced so a burst of writes makes one call, plus a call every
 * {@code rescanInterval} whatever happened, since events can be lost (an overflow, a network file
 * system). The action runs on the watcher's own thread, one call at a time. Thread-safe.
 */
final class FolderWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);

    private final Path root;
    private final Set<String> ignored;
    private final Duration debounce;
    private final Runnable action;
    private final WatchService watch;
    private final ScheduledExecutorService timer;
    private final Thread listener;
    private ScheduledFuture<?> pending;
    private boolean closed;

    private FolderWatcher(Path root, Set<String> ignored, Duration debounce, Runnable action) throws IOException {
        this.root = root;
        this.ignored = ignored;
        this.debounce = debounce;
        this.action = action;
        this.watch = root.getFileSystem().newWatchService();
        java.util.concurrent.ScheduledThreadPoolExecutor scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "stowage-watch-publish");
            t.setDaemon(true);
            return t;
        });
        // Closing drops the calls still waiting for their delay: only the one running is finished.
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = scheduler;
        this.listener = new Thread(this::listen, "stowage-watch");
        this.listener.setDaemon(true);
    }

    /**
     * Starts watching {@code root}; the files and folders in {@code ignored}, as paths below the root
     * with {@code /} between names (the state folder {@code .stowage}, a manifest written into the
     * folder), are not: a change to them calls nothing.
     */
    static FolderWatcher start(Path root, Set<String> ignored, Duration debounce, Duration rescanInterval,
                               Runnable action) throws IOException {
        FolderWatcher watcher = new FolderWatcher(root, ignored, debounce, action);
        watcher.register(root);
        watcher.listener.start();
        long every = rescanInterval.toMillis();
        watcher.timer.scheduleWithFixedDelay(watcher::runAction, every, every, TimeUnit.MILLISECONDS);
        return watcher;
    }

    /**
     * Asks for a call after the debounce delay; calls asked for meanwhile make one. Returns false
     * when the watcher is closing and no call will come. Never waits for a call in progress.
     */
    boolean trigger() {
        return trigger("a rescan asked for");
    }

    /** {@link #trigger()}, saying why in the log. */
    private synchronized boolean trigger(String why) {
        if (closed) {
            return false;
        }
        boolean waiting = pending != null && !pending.isDone();
        if (waiting) {
            pending.cancel(false);
        }
        try {
            pending = timer.schedule(this::runAction, debounce.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
        if (!waiting) {
            LOG.info("{}: publishing in {} ms unless more follow", why, debounce.toMillis());
        }
        return true;
    }

    /** Runs the action; a failure is logged and the watching goes on (a periodic task that threw would stop). */
    private void runAction() {
        try {
            action.run();
        } catch (RuntimeException e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn("publishing after a change failed: {}", cause.getMessage());
        }
    }

    private void register(Path folder) throws IOException {
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && !watched(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private String relative(Path path) {
        return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
    }

    /**
     * Whether a change to {@code path}, under the root, is one to publish: not in {@code ignored},
     * and not a temporary file of a copy in progress ({@code .stowage-*.tmp}), whose end is a change
     * of its own.
     */
    boolean watched(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        boolean temporary = name.startsWith(dev.stowage.local.LocalBackend.TEMP_PREFIX) && name.endsWith(".tmp");
        return !temporary && !ignored.contains(relative(path));
    }

    private void listen() {
        try {
            while (true) {
                WatchKey key = watch.take();
                Path folder = (Path) key.watchable();
                String first = null;
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        first = first == null ? "events lost under " + root : first;
                        continue;
                    }
                    Path changed = folder.resolve((Path) event.context());
                    if (!watched(changed)) {
                        continue;
                    }
                    first = first == null ? "a change under " + root + ": " + relative(changed) : first;
                    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(changed)) {
                        try {
                            register(changed);
                        } catch (IOException e) {
                            LOG.debug("cannot watch {}: {}", changed, e.toString());
                        }
                    }
                }
                key.reset();
                if (first != null) {
                    trigger(first);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // Closing.
        }
    }

    /** Stops watching; a call running finishes first, those waiting for their delay are dropped. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        try {
            watch.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service: {}", e.toString());
        }
        listener.interrupt();
        timer.shutdown();
        try {
            timer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
