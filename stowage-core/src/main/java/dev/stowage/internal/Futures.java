package dev.stowage.internal;

import dev.stowage.StorageException;
import dev.stowage.spi.BlockingCall;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** Helpers for the futures Stowage hands out. Internal: not part of the API. */
public final class Futures {
    private Futures() {
    }

    /** The real cause behind {@link CompletionException} and {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Runs a blocking call on the executor. Failures are translated once by {@code translate}; a
     * {@link StorageException} or a cancellation passes as it is. A submission the executor refuses
     * is given to {@code translate} too, as whatever {@link Executor#execute} threw. The future
     * completes on every path, even if {@code translate} itself fails.
     */
    public static <T> CompletableFuture<T> supply(Executor executor, BlockingCall<T> call,
                                                  Function<Throwable, StorageException> translate) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (result.isDone()) {
                    return; // cancelled before it started
                }
                try {
                    result.complete(call.call(result::isDone));
                } catch (StorageException | CancellationException e) {
                    result.completeExceptionally(e);
                } catch (Throwable e) {
                    fail(result, e, translate);
                }
            });
        } catch (RuntimeException e) {
            fail(result, e, translate);
        }
        return result;
    }

    private static void fail(CompletableFuture<?> result, Throwable error, Function<Throwable, StorageException> translate) {
        try {
            result.completeExceptionally(translate.apply(error));
        } catch (Throwable t) {
            t.addSuppressed(error);
            result.completeExceptionally(t);
        }
    }

    /**
     * Cancels {@code source} when {@code result}, the future handed out for it, fails before
     * {@code source} is done: the caller cancelled it, or gave up on it ({@code orTimeout}).
     */
    public static void cancelWith(CompletableFuture<?> result, CompletableFuture<?> source) {
        result.whenComplete((value, error) -> {
            if (error != null && !source.isDone()) {
                source.cancel(true);
            }
        });
    }
}
