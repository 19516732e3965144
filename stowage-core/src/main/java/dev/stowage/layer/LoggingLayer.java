package dev.stowage.layer;

import dev.stowage.StorageBackend;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every upload, delete and stat through SLF4J with a {@link LoggingListener}: operation,
 * key, size, duration and outcome; successes at DEBUG, failures at WARN, on the logger
 * {@value #LOGGER_NAME} unless another is given. Retries happen inside a {@link RetryLayer} and are
 * logged by the listener given to it. No credential ever reaches this layer.
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
}
