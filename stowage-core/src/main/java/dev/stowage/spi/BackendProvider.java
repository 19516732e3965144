package dev.stowage.spi;

import dev.stowage.StorageBackend;

/**
 * Opens backends of one URI scheme. A module that brings a backend registers its provider in
 * {@code META-INF/services/dev.stowage.spi.BackendProvider}; {@link dev.stowage.StorageBackends#open}
 * then finds it through {@link java.util.ServiceLoader}, and no existing code changes.
 *
 * <p>Implementations are stateless and thread-safe, with a public no-argument constructor.
 */
public interface BackendProvider {

    /** The URI scheme this provider opens, lower-case, e.g. {@code s3}. */
    String scheme();

    /** One line for users: what the scheme stores and an example URI. */
    String description();

    /**
     * Opens a backend from its address.
     *
     * @throws dev.stowage.StorageException of kind {@code INVALID_CONFIG} naming the missing, unknown
     *         or wrong setting
     */
    StorageBackend open(BackendUri uri);
}
