package dev.stowage.layer;

import dev.stowage.StorageBackend;

/**
 * Cross-cutting behaviour (retry, logging, metrics) that wraps any backend. Apply with
 * {@link StorageBackend#with(Layer)}; the last layer added is the outermost:
 *
 * <pre>{@code
 * StorageBackend backend = LocalBackend.builder()...build()
 *         .with(new RetryLayer(RetryPolicy.defaults()))    // innermost: each attempt
 *         .with(new ListenerLayer(metricsListener))        // one logical operation, retries included
 *         .with(new LoggingLayer());                       // outermost: what the caller saw
 * }</pre>
 *
 * <p>Closing the outermost backend closes the ones it wraps.
 */
@FunctionalInterface
public interface Layer {
    /** The backend with this layer's behaviour around it. */
    StorageBackend wrap(StorageBackend backend);
}
