package dev.stowage.spi;

import java.util.function.BooleanSupplier;

/**
 * A blocking piece of a backend's work, run on its executor by {@link AbstractStorageBackend}. A
 * long call polls {@code stop} between steps and ends early (with a
 * {@link java.util.concurrent.CancellationException}) once it is true: the caller gave up.
 */
@FunctionalInterface
public interface BlockingCall<T> {
    T call(BooleanSupplier stop) throws Exception;
}
