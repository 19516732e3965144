package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** What a future failed with, exactly as it was stored: a wrapped exception is not unwrapped here. */
public final class Failures {
    private Failures() {
    }

    /** The exception the future completed with; fails the test if it succeeded or took over 10 s. */
    public static Throwable of(CompletableFuture<?> future) {
        Throwable error = future.handle((value, e) -> e).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(error).as("the future should have failed").isNotNull();
        return error;
    }

    /** The {@link StorageException} the future failed with, which must not be wrapped in a {@link CompletionException}. */
    public static StorageException storage(CompletableFuture<?> future) {
        Throwable error = of(future);
        assertThat(error).isInstanceOf(StorageException.class);
        return (StorageException) error;
    }
}
