package dev.stowage.layer;

import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.internal.Printable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every upload, delete and stat through SLF4J: operation, key, size, duration and outcome.
 * Successes go out at DEBUG, failures at WARN (cancellations at DEBUG), retries at INFO, on the
 * logger {@code dev.stowage.storage} unless another is given. Keys are logged with control
 * characters escaped; no credential ever reaches this layer.
 */
public final class LoggingLayer implements Layer {
    /** The default logger's name. */
    public static final String LOGGER_NAME = "dev.stowage.storage";

    private final ListenerLayer layer;

    public LoggingLayer() {
        this(LoggerFactory.getLogger(LOGGER_NAME));
    }

    public LoggingLayer(Logger logger) {
        this.layer = new ListenerLayer(new LoggingListener(Objects.requireNonNull(logger, "logger")));
    }

    @Override
    public StorageBackend wrap(StorageBackend backend) {
        return layer.wrap(backend);
    }

    private static final class LoggingListener implements StorageListener {
        private final Logger log;

        LoggingListener(Logger log) {
            this.log = log;
        }

        @Override
        public void onSuccess(Operation operation, String key, long bytes, Duration elapsed) {
            if (log.isDebugEnabled()) {
                log.debug("{} key={} size={} took={}ms outcome=ok", operation, Printable.of(key),
                        bytes < 0 ? "-" : bytes, elapsed.toMillis());
            }
        }

        @Override
        public void onFailure(Operation operation, String key, Duration elapsed, Throwable error) {
            if (error instanceof CancellationException) {
                log.debug("{} key={} took={}ms outcome=cancelled", operation, Printable.of(key), elapsed.toMillis());
            } else {
                log.warn("{} key={} took={}ms outcome=failed: {}", operation, Printable.of(key), elapsed.toMillis(),
                        error instanceof StorageException ? error.getMessage() : error.toString());
            }
        }

        @Override
        public void onRetry(Operation operation, String key, int attempt, Duration delay, StorageException error) {
            log.info("{} key={} attempt {} failed, retrying in {}ms: {}", operation, Printable.of(key), attempt,
                    delay.toMillis(), error.getMessage());
        }

        @Override
        public String toString() {
            return "logging to " + log.getName();
        }
    }
}
