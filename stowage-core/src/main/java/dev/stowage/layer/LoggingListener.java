package dev.stowage.layer;

import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.internal.Printable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StorageListener} that logs through SLF4J: successes at DEBUG, failures at WARN
 * (cancellations at DEBUG), retries at INFO, each with operation, key, size, duration and outcome.
 * Keys are logged with control characters escaped. {@link LoggingLayer} uses it; give it to a
 * {@link RetryLayer} to log retries as well:
 *
 * <pre>{@code
 * backend.with(new RetryLayer(RetryPolicy.defaults(), new LoggingListener()))
 *        .with(new LoggingLayer());
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class LoggingListener implements StorageListener {
    private final Logger log;

    /** Logs to {@value LoggingLayer#LOGGER_NAME}. */
    public LoggingListener() {
        this(LoggerFactory.getLogger(LoggingLayer.LOGGER_NAME));
    }

    public LoggingListener(Logger log) {
        this.log = Objects.requireNonNull(log, "log");
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
                    error instanceof StorageException ? error.getMessage() : Printable.of(String.valueOf(error)));
        }
    }

    @Override
    public void onRetry(Operation operation, String key, int attempt, Duration delay, StorageException error) {
        log.info("{} key={} attempt {} failed, retrying in {}ms: {}", operation, Printable.of(key), attempt,
                delay.toMillis(), error.getMessage());
    }

    @Override
    public String toString() {
        return "LoggingListener[" + log.getName() + "]";
    }
}
