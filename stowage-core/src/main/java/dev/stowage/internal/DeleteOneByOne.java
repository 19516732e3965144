package dev.stowage.internal;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Deletes keys one request each, {@value #AT_ONCE} at a time, and gathers every key's outcome into a
 * {@link DeleteResult}. Internal.
 */
public final class DeleteOneByOne {
    /** How many single deletes run at once. */
    public static final int AT_ONCE = 16;

    private final Function<String, CompletableFuture<Void>> delete;
    private final Iterator<String> next;
    private final Map<String, StorageException> failed = new ConcurrentHashMap<>();

    private DeleteOneByOne(Function<String, CompletableFuture<Void>> delete, Iterator<String> next) {
        this.delete = delete;
        this.next = next;
    }

    /**
     * Deletes each key with {@code delete}.
     *
     * @throws NullPointerException at once if keys or a key in it is null
     */
    public static CompletableFuture<DeleteResult> run(Function<String, CompletableFuture<Void>> delete,
                                                      Collection<String> keys) {
        List<String> distinct = distinct(keys);
        return failures(delete, distinct).thenApply(failed -> DeleteResult.of(distinct, failed));
    }

    /**
     * Deletes each key with {@code delete}; the future is of the keys that failed, each with why.
     * Never fails itself.
     */
    public static CompletableFuture<Map<String, StorageException>> failures(
            Function<String, CompletableFuture<Void>> delete, List<String> keys) {
        DeleteOneByOne run = new DeleteOneByOne(delete, keys.iterator());
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(AT_ONCE, keys.size()); i++) {
            workers.add(run.worker());
        }
        return CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).thenApply(v -> run.failed);
    }

    /** The keys without repeats, in the order given, each checked for null. */
    public static List<String> distinct(Collection<String> keys) {
        Objects.requireNonNull(keys, "keys");
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (String key : keys) {
            distinct.add(Objects.requireNonNull(key, "a key in keys"));
        }
        return new ArrayList<>(distinct);
    }

    /** Deletes keys one after another until none is left; several workers share the iterator. */
    private CompletableFuture<Void> worker() {
        while (true) {
            String key;
            synchronized (next) {
                if (!next.hasNext()) {
                    return CompletableFuture.completedFuture(null);
                }
                key = next.next();
            }
            CompletableFuture<Void> one;
            try {
                one = delete.apply(key);
            } catch (RuntimeException e) {
                one = CompletableFuture.failedFuture(e);
            }
            if (!one.isDone()) {
                return one.handle((ok, error) -> record(key, error)).thenCompose(v -> worker());
            }
            record(key, one.handle((ok, error) -> error).join());
        }
    }

    private Void record(String key, Throwable error) {
        if (error != null) {
            Throwable e = Futures.unwrap(error);
            failed.put(key, e instanceof StorageException ? (StorageException) e
                    : StorageException.builder(ErrorKind.UNEXPECTED, String.valueOf(e))
                    .operation(Operation.DELETE).key(key).cause(e).build());
        }
        return null;
    }
}
