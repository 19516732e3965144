package dev.stowage.internal;

import dev.stowage.StorageException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** Helpers for the futures Stowage hands out. Internal: not part of the API. */
public final class Futures {
    private Futures() {
    }

    /** A future already failed with the given exception. */
    public static <T> CompletableFuture<T> failed(Throwable error) {
        return CompletableFuture.failedFuture(error);
    }

    /** The real cause behind {@link CompletionException} and {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A blocking call that may throw a checked exception; long calls poll {@code cancelled}. */
    @FunctionalInterface
    public interface Call<T> {
        T call(BooleanSupplier cancelled) throws Exception;
    }

    /**
     * Runs a blocking call on the executor. Failures are translated once by {@code translate}; a
     * {@link StorageException} passes as it is. A rejected submission (executor shut down) is given to
     * {@code translate} too, as a {@link RejectedExecutionException}.
     */
    public static <T> CompletableFuture<T> supply(Executor executor, Call<T> call,
                                                  Function<Throwable, StorageException> translate) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (result.isDone()) {
                    return; // cancelled before it started
                }
                try {
                    result.complete(call.call(result::isCancelled));
                } catch (StorageException | CancellationException e) {
                    result.completeExceptionally(e);
                } catch (Throwable e) {
                    result.completeExceptionally(translate.apply(e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(translate.apply(e));
        }
        return result;
    }

    /** Cancels {@code source} when {@code result}, the future handed out for it, is cancelled. */
    public static void cancelWith(CompletableFuture<?> result, CompletableFuture<?> source) {
        result.whenComplete((value, error) -> {
            if (result.isCancelled()) {
                source.cancel(true);
            }
        });
    }

    /** Whether the throwable is, or wraps, a cancellation. */
    public static boolean isCancellation(Throwable error) {
        return unwrap(error) instanceof CancellationException;
    }
}
