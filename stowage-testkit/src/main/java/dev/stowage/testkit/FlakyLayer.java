package dev.stowage.testkit;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.layer.ForwardingStorageBackend;
import dev.stowage.layer.Layer;
import dev.stowage.spi.ListingPublisher;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Makes the backend it wraps fail on purpose, for tests that check that the code driving a backend
 * (a sync engine, say) converges despite failures. It starts healthy, passing every call on; a test
 * switches failure modes on and off at any time, while calls are under way on other threads:
 *
 * <pre>{@code
 * FlakyLayer flaky = new FlakyLayer();
 * StorageBackend backend = MemoryBackend.create().with(flaky);
 * flaky.failEvery(3);        // every third call fails, retryably, and never reaches the backend
 * engine.sync(folder, backend);
 * flaky.reset();
 * engine.sync(folder, backend); // converges
 * }</pre>
 *
 * <p>The modes, each independent of the others until {@link #reset()}:
 * <ul>
 *   <li>{@link #failEvery(int)}: every n-th call fails with a retryable {@code UNAVAILABLE} and the
 *       wrapped backend never sees it;</li>
 *   <li>{@link #failAfterEvery(int)}: every n-th upload is stored by the wrapped backend, and then
 *       its answer is replaced by a retryable {@code UNAVAILABLE}, as when a response is lost;</li>
 *   <li>{@link #down()}, {@link #downFor(int)}, {@link #up()}: while down every call fails at once
 *       with a retryable {@code UNAVAILABLE};</li>
 *   <li>{@link #failKeys(Predicate)}: calls for matching keys fail with a non-retryable
 *       {@code ACCESS_DENIED}.</li>
 * </ul>
 *
 * <p>A call is one {@code uploadFile}, {@code deleteFile}, {@code stat} or {@code deleteFiles}, or
 * one subscription to a listing ({@code forEach} subscribes once); {@code getUrl},
 * {@code isRemote} and {@code capabilities} do no I/O and never fail here. When several modes hit
 * one call, down wins over {@code failKeys}, which wins over {@code failEvery}.
 *
 * <p>Injected failures are {@link StorageException}s carrying the operation and the key (a
 * listing's prefix; none for a batch delete that fails as a whole). They are returned as already
 * failed futures; a listing that fails calls its subscriber's {@code onSubscribe}, then
 * {@code onError}, on the subscribing thread. {@code deleteFiles} reports keys failed by
 * {@code failEvery} or {@code failKeys} in its {@link DeleteResult} and passes the others on; only
 * while down does its future fail. No backend call throws, but for the
 * {@link NullPointerException} of a null argument, which counts as no call.
 *
 * <p>Every backend this layer wraps shares its modes and counts. Thread-safe.
 */
public final class FlakyLayer implements Layer {
    /** Runs a failed listing's signals on the subscribing thread. */
    private static final Executor DIRECT = Runnable::run;

    private final Object lock = new Object();
    /** {@code failEvery}'s n, or 0 when off. Guarded by {@code lock}, as are the fields below. */
    private int every;
    /** The calls seen since {@code failEvery}. */
    private long everyCalls;
    /** {@code failAfterEvery}'s n, or 0 when off. */
    private int afterEvery;
    /** The uploads passed on since {@code failAfterEvery}. */
    private long afterEveryUploads;
    /** The calls still to fail while down: -1 until {@code up()}, 0 when up. */
    private long downLeft;
    /** The keys to refuse, or null. */
    private Predicate<String> failing;
    private long injected;

    /** A layer that passes every call on until a failure mode is switched on. */
    public FlakyLayer() {
    }

    @Override
    public StorageBackend wrap(StorageBackend backend) {
        return new Flaky(backend);
    }

    /**
     * Makes every n-th call from now on fail with a retryable {@code UNAVAILABLE}, without passing
     * it on: with n = 3, the 3rd, 6th, 9th... Every call counts, those another mode fails too. A
     * batch delete that fails this way reports each of its keys as failed.
     *
     * @param n 1 to fail every call
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public void failEvery(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1: " + n);
        }
        synchronized (lock) {
            every = n;
            everyCalls = 0;
        }
    }

    /**
     * Makes every n-th upload from now on that reaches the wrapped backend be stored there, then
     * fail with a retryable {@code UNAVAILABLE}: the write happened but its answer was lost. An
     * upload that the wrapped backend fails anyway fails with its own error.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public void failAfterEvery(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1: " + n);
        }
        synchronized (lock) {
            afterEvery = n;
            afterEveryUploads = 0;
        }
    }

    /** Makes every call fail at once with a retryable {@code UNAVAILABLE} until {@link #up()} or {@link #reset()}. */
    public void down() {
        synchronized (lock) {
            downLeft = -1;
        }
    }

    /**
     * Makes the next {@code calls} calls fail as {@link #down()} does, then the backend is up again
     * by itself.
     *
     * @param calls 0 for up at once
     * @throws IllegalArgumentException if {@code calls < 0}
     */
    public void downFor(int calls) {
        if (calls < 0) {
            throw new IllegalArgumentException("calls must be >= 0: " + calls);
        }
        synchronized (lock) {
            downLeft = calls;
        }
    }

    /** Ends {@link #down()} or {@link #downFor(int)}; other modes stay as they are. */
    public void up() {
        synchronized (lock) {
            downLeft = 0;
        }
    }

    /**
     * Makes calls whose key matches fail with a non-retryable {@code ACCESS_DENIED}, without passing
     * them on; a listing matches by its prefix. Replaces the predicate given before. The predicate
     * is called on the calling threads; if it throws, that call fails with {@code UNEXPECTED}.
     */
    public void failKeys(Predicate<String> keys) {
        Objects.requireNonNull(keys, "keys");
        synchronized (lock) {
            failing = keys;
        }
    }

    /** Switches every mode off: the backend is healthy again. {@link #failuresInjected()} is kept. */
    public void reset() {
        synchronized (lock) {
            every = 0;
            everyCalls = 0;
            afterEvery = 0;
            afterEveryUploads = 0;
            downLeft = 0;
            failing = null;
        }
    }

    /**
     * How many failures this layer made up so far: one per call failed, one per key a batch
     * delete reported failed, and one per upload whose answer was lost.
     */
    public long failuresInjected() {
        synchronized (lock) {
            return injected;
        }
    }

    /**
     * What becomes of one call.
     *
     * @param failure    the failure to answer with instead of passing the call on, or null
     * @param loseAnswer whether to replace a successful upload's answer with a failure
     */
    private record Verdict(StorageException failure, boolean loseAnswer) {
    }

    private Verdict decide(Operation op, String key) {
        synchronized (lock) {
            boolean nth = nthCall();
            StorageException failure;
            if (downLeft != 0) {
                failure = wentDown(op, key);
            } else {
                failure = refused(op, key);
                if (failure == null && nth) {
                    failure = unavailable(op, key);
                }
            }
            if (failure != null) {
                if (failure.kind() != ErrorKind.UNEXPECTED) {
                    injected++;
                }
                return new Verdict(failure, false);
            }
            boolean lose = op == Operation.UPLOAD && afterEvery > 0 && ++afterEveryUploads % afterEvery == 0;
            return new Verdict(null, lose);
        }
    }

    /** Counts a call for {@code failEvery}; whether it is the n-th. Holds {@code lock}. */
    private boolean nthCall() {
        return every > 0 && ++everyCalls % every == 0;
    }

    /** The down failure, counting the call against {@code downFor}. Holds {@code lock}. */
    private StorageException wentDown(Operation op, String key) {
        if (downLeft > 0) {
            downLeft--;
        }
        return StorageException.builder(ErrorKind.UNAVAILABLE, "backend down (test)")
                .retryable(true).operation(op).key(key).build();
    }

    /** {@code failKeys}' failure for a key, or null. Holds {@code lock}. */
    private StorageException refused(Operation op, String key) {
        if (failing == null) {
            return null;
        }
        try {
            if (!failing.test(key)) {
                return null;
            }
        } catch (RuntimeException e) {
            return StorageException.builder(ErrorKind.UNEXPECTED, "the failKeys predicate threw: " + e)
                    .operation(op).key(key).cause(e).build();
        }
        return StorageException.builder(ErrorKind.ACCESS_DENIED, "access denied to this key (test)")
                .retryable(false).operation(op).key(key).build();
    }

    private StorageException unavailable(Operation op, String key) {
        return StorageException.builder(ErrorKind.UNAVAILABLE,
                        "injected failure (test): call " + everyCalls + " under failEvery(" + every + ")")
                .retryable(true).operation(op).key(key).build();
    }

    private void lostAnswer() {
        synchronized (lock) {
            injected++;
        }
    }

    private static Throwable causeOf(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Cancels {@code source} when the future handed out for it fails first (cancelled, or given up). */
    private static void cancelWith(CompletableFuture<?> result, CompletableFuture<?> source) {
        result.whenComplete((value, error) -> {
            if (error != null && !source.isDone()) {
                source.cancel(true);
            }
        });
    }

    private final class Flaky extends ForwardingStorageBackend {
        Flaky(StorageBackend delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(options, "options");
            Verdict verdict = decide(Operation.UPLOAD, key);
            if (verdict.failure() != null) {
                return CompletableFuture.failedFuture(verdict.failure());
            }
            CompletableFuture<URI> upload = delegate().uploadFile(source, key, options);
            if (!verdict.loseAnswer()) {
                return upload;
            }
            CompletableFuture<URI> result = new CompletableFuture<>();
            upload.whenComplete((url, error) -> {
                if (error != null) {
                    result.completeExceptionally(causeOf(error));
                    return;
                }
                lostAnswer();
                result.completeExceptionally(StorageException.builder(ErrorKind.UNAVAILABLE,
                                "injected failure (test): the upload was stored but its answer was lost")
                        .retryable(true).operation(Operation.UPLOAD).key(key).build());
            });
            cancelWith(result, upload);
            return result;
        }

        @Override
        public CompletableFuture<Void> deleteFile(String key) {
            Objects.requireNonNull(key, "key");
            Verdict verdict = decide(Operation.DELETE, key);
            return verdict.failure() != null ? CompletableFuture.failedFuture(verdict.failure()) : delegate().deleteFile(key);
        }

        @Override
        public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
            Objects.requireNonNull(key, "key");
            Verdict verdict = decide(Operation.STAT, key);
            return verdict.failure() != null ? CompletableFuture.failedFuture(verdict.failure()) : delegate().stat(key);
        }

        /**
         * Decides at each subscription: a failing one gets {@code onSubscribe}, then {@code onError}
         * with the failure (unless it cancels first), on the subscribing thread.
         */
        @Override
        public Flow.Publisher<ObjectInfo> list(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            Flow.Publisher<ObjectInfo> listing = delegate().list(prefix);
            return subscriber -> {
                Objects.requireNonNull(subscriber, "subscriber");
                StorageException failure = decide(Operation.LIST, prefix).failure();
                if (failure == null) {
                    listing.subscribe(subscriber);
                } else {
                    new ListingPublisher<ObjectInfo>(DIRECT, () -> {
                        throw failure;
                    }, e -> e).subscribe(subscriber);
                }
            };
        }

        /** One subscription to this layer's own {@link #list}: one call, which may fail. */
        @Override
        public CompletableFuture<Long> forEach(String prefix, Consumer<? super ObjectInfo> action) {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(action, "action");
            return ListingPublisher.forEach(list(prefix), action);
        }

        /**
         * One call: while down its future fails; otherwise the keys {@code failKeys} matches, and
         * every key when {@code failEvery} picks this call, are reported failed without being passed
         * on, and the rest are deleted by the wrapped backend.
         */
        @Override
        public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
            List<String> all = DeleteOneByOne.distinct(keys);
            Map<String, StorageException> failures = new LinkedHashMap<>();
            synchronized (lock) {
                boolean nth = nthCall();
                if (downLeft != 0) {
                    injected++;
                    return CompletableFuture.failedFuture(wentDown(Operation.DELETE, null));
                }
                for (String key : all) {
                    StorageException failure = refused(Operation.DELETE, key);
                    if (failure == null && nth) {
                        failure = unavailable(Operation.DELETE, key);
                    }
                    if (failure != null) {
                        failures.put(key, failure);
                        if (failure.kind() != ErrorKind.UNEXPECTED) {
                            injected++;
                        }
                    }
                }
            }
            if (failures.isEmpty()) {
                return delegate().deleteFiles(keys);
            }
            List<String> rest = new ArrayList<>(all);
            rest.removeAll(failures.keySet());
            if (rest.isEmpty()) {
                return CompletableFuture.completedFuture(DeleteResult.of(all, failures));
            }
            CompletableFuture<DeleteResult> passed = delegate().deleteFiles(rest);
            CompletableFuture<DeleteResult> result = new CompletableFuture<>();
            passed.whenComplete((done, error) -> {
                if (error != null) {
                    result.completeExceptionally(causeOf(error));
                    return;
                }
                Map<String, StorageException> failed = new HashMap<>(failures);
                failed.putAll(done.failed());
                result.complete(DeleteResult.of(all, failed));
            });
            cancelWith(result, passed);
            return result;
        }

        @Override
        public String toString() {
            return "FlakyLayer(" + delegate() + ")";
        }
    }
}
