package dev.stowage.layer;

import dev.stowage.DeleteResult;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.internal.Futures;
import dev.stowage.internal.NamedThreadFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries uploads, deletes, batch deletes and stats that fail with a retryable {@link StorageException}, with
 * exponential backoff and jitter ({@link RetryPolicy}).
 *
 * <pre>{@code
 * StorageBackend backend = s3.with(new RetryLayer(RetryPolicy.defaults()));
 * }</pre>
 *
 * <ul>
 *   <li>Only failures whose {@link StorageException#isRetryable()} is true are retried; others,
 *       and anything else thrown, end the operation at once.</li>
 *   <li>Each attempt calls the wrapped backend again, so an upload re-opens its file and the body
 *       is replayed from the start.</li>
 *   <li>After the last attempt the error is rethrown as not retryable, its message saying how many
 *       attempts were made, so an outer layer does not retry it again.</li>
 *   <li>Giving up on the returned future (cancelling it, or failing it with {@code orTimeout})
 *       cancels the attempt in flight, which stops its work, and schedules no other.</li>
 *   <li>{@code deleteFiles} deletes again only the keys that failed with a retryable error.
 *       Listings pass through as they are: a stream cannot be replayed from the start without
 *       repeating items.</li>
 *   <li>Waiting never blocks a thread: the next attempt is started by a timer thread, the
 *       wrapped backend's own ({@code stowage-retry}, started at its first retry and stopped by
 *       its {@code close()}) or one the caller gives.</li>
 *   <li>Give it a {@link LoggingListener} to log each retry.</li>
 * </ul>
 */
public final class RetryLayer implements Layer {
    /** Runs a task after a delay without blocking the caller. */
    @FunctionalInterface
    interface Scheduler {
        void schedule(Runnable task, Duration delay);
    }

    private static final Logger LOG = LoggerFactory.getLogger(RetryLayer.class);

    private final RetryPolicy policy;
    private final StorageListener listener;
    /** The caller's timer, or null: then each wrapped backend has its own. */
    private final ScheduledExecutorService timer;
    /** A scheduler of the tests', or null. */
    private final Scheduler testScheduler;
    private final DoubleSupplier random;

    public RetryLayer(RetryPolicy policy) {
        this(policy, StorageListener.NONE);
    }

    /**
     * A retry layer that tells the listener of each retry ({@link StorageListener#onRetry}). Each
     * backend it wraps waits out its delays on a daemon thread of its own named
     * {@code stowage-retry}, started at the first retry and stopped by the backend's {@code close()}.
     */
    public RetryLayer(RetryPolicy policy, StorageListener listener) {
        this(policy, listener, null, null, () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * A retry layer that waits out its delays on the caller's timer, which the caller shuts down
     * after closing the backends. The timer's tasks only start the next attempts, which return at
     * once: one thread serves any number of backends.
     */
    public RetryLayer(RetryPolicy policy, StorageListener listener, ScheduledExecutorService timer) {
        this(policy, listener, Objects.requireNonNull(timer, "timer"), null, () -> ThreadLocalRandom.current().nextDouble());
    }

    RetryLayer(RetryPolicy policy, StorageListener listener, Scheduler scheduler, DoubleSupplier random) {
        this(policy, listener, null, Objects.requireNonNull(scheduler, "scheduler"), random);
    }

    private RetryLayer(RetryPolicy policy, StorageListener listener, ScheduledExecutorService timer, Scheduler scheduler,
                       DoubleSupplier random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.timer = timer;
        this.testScheduler = scheduler;
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public StorageBackend wrap(StorageBackend backend) {
        return new Retrying(backend);
    }

    private final class Retrying extends ForwardingStorageBackend {
        /** This backend's own timer thread, made at the first retry; null until then and with a caller's timer. */
        private ScheduledThreadPoolExecutor ownTimer;
        private boolean closed;
        /** Attempts waiting for their delay. */
        private final Set<Runnable> due = ConcurrentHashMap.newKeySet();
        private final Scheduler waiting = this::waitThenRun;

        Retrying(StorageBackend delegate) {
            super(delegate);
        }

        /**
         * Waits out a delay, then runs the next attempt: on the test's scheduler, the caller's
         * timer or this backend's own (made now if need be). Every waiting attempt is noted until it
         * runs, so that close() can start it at once; once closed, or when the timer refuses it, it
         * starts at once, meets the closed backend and fails {@code CLOSED}.
         */
        private void waitThenRun(Runnable task, Duration delay) {
            if (testScheduler != null) {
                testScheduler.schedule(task, delay);
                return;
            }
            Runnable once = new Runnable() {
                @Override
                public void run() {
                    if (due.remove(this)) {
                        task.run();
                    }
                }
            };
            boolean now;
            synchronized (this) {
                now = closed;
                if (!now) {
                    ScheduledExecutorService on = timer != null ? timer : ownTimer();
                    due.add(once);
                    try {
                        on.schedule(once, delay.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        now = true; // the caller's timer is shut down
                    }
                }
            }
            if (now) {
                due.add(once);
                once.run();
            }
        }

        private ScheduledExecutorService ownTimer() {
            if (ownTimer == null) {
                ownTimer = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("stowage-retry"));
                ownTimer.setRemoveOnCancelPolicy(true);
            }
            return ownTimer;
        }

        /**
         * Closes the wrapped backend, then starts every attempt still waiting, which fails
         * {@code CLOSED} at once, so that every future completes; stops this backend's own timer.
         */
        @Override
        public void close() {
            super.close();
            ScheduledThreadPoolExecutor stopping;
            synchronized (this) {
                closed = true;
                stopping = ownTimer;
            }
            if (stopping != null) {
                stopping.shutdownNow();
            }
            List.copyOf(due).forEach(Runnable::run);
        }

        @Override
        public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(options, "options");
            return new Attempts<>(waiting, Operation.UPLOAD, key, () -> delegate().uploadFile(source, key, options)).start();
        }

        @Override
        public CompletableFuture<Void> deleteFile(String key) {
            Objects.requireNonNull(key, "key");
            return new Attempts<>(waiting, Operation.DELETE, key, () -> delegate().deleteFile(key)).start();
        }

        @Override
        public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
            Objects.requireNonNull(key, "key");
            return new Attempts<>(waiting, Operation.STAT, key, () -> delegate().stat(key)).start();
        }

        /**
         * Deletes the keys, then deletes again, after the policy's delays, those that failed with
         * a retryable error, until none is left or the attempts are spent.
         */
        @Override
        public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
            return new DeleteAttempts(waiting, delegate(), DeleteOneByOne.distinct(keys)).start();
        }

        @Override
        public String toString() {
            return "RetryLayer[" + policy + "](" + delegate() + ")";
        }
    }

    /** The attempts of one batch delete: each retries only the keys that failed retryably. */
    private final class DeleteAttempts {
        private final StorageBackend backend;
        private final List<String> keys;
        private final Map<String, StorageException> failed = new HashMap<>();
        private final CompletableFuture<DeleteResult> result = new CompletableFuture<>();
        private final AtomicReference<CompletableFuture<DeleteResult>> inFlight = new AtomicReference<>();

        private final Scheduler scheduler;

        DeleteAttempts(Scheduler scheduler, StorageBackend backend, List<String> keys) {
            this.scheduler = scheduler;
            this.backend = backend;
            this.keys = keys;
        }

        CompletableFuture<DeleteResult> start() {
            stopWhenGivenUp(result, inFlight);
            attempt(1, keys);
            return result;
        }

        private void attempt(int n, List<String> batch) {
            if (result.isDone()) {
                return;
            }
            CompletableFuture<DeleteResult> current;
            try {
                current = backend.deleteFiles(batch);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            inFlight.set(current);
            if (result.isDone()) {
                current.cancel(true);
                return;
            }
            current.whenComplete((done, error) -> {
                if (error != null) {
                    Throwable e = Futures.unwrap(error);
                    if (n == 1 || !(e instanceof StorageException)) {
                        result.completeExceptionally(e);
                        return;
                    }
                    // Earlier attempts did delete keys: keep their outcome, and give this error to the keys tried now.
                    synchronized (failed) {
                        batch.forEach(key -> failed.put(key, (StorageException) e));
                    }
                    finish(n);
                    return;
                }
                synchronized (failed) {
                    done.deleted().forEach(failed::remove);
                    failed.putAll(done.failed());
                }
                List<String> again = new ArrayList<>();
                done.failed().forEach((key, e) -> {
                    if (e.isRetryable()) {
                        again.add(key);
                    }
                });
                if (again.isEmpty() || n >= policy.maxAttempts()) {
                    finish(n);
                    return;
                }
                try {
                    Duration delay = policy.delayAfter(n, random.getAsDouble());
                    for (String key : again) {
                        notifyRetry(Operation.DELETE, key, n, delay, done.failed().get(key));
                    }
                    scheduler.schedule(() -> attempt(n + 1, again), delay);
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        }

        private void finish(int attempts) {
            Map<String, StorageException> last = new HashMap<>();
            synchronized (failed) {
                failed.forEach((key, e) -> last.put(key, e.isRetryable() ? givenUp(e, attempts) : e));
            }
            result.complete(DeleteResult.of(keys, last));
        }
    }

    /**
     * When the caller gives up on the result (cancels it, or {@code orTimeout} fails it), the
     * attempt in flight is cancelled too, so that its work stops (a multipart upload is aborted),
     * and no further attempt starts.
     */
    private static <T> void stopWhenGivenUp(CompletableFuture<T> result, AtomicReference<CompletableFuture<T>> inFlight) {
        result.whenComplete((value, error) -> {
            CompletableFuture<T> current = inFlight.get();
            if (error != null && current != null && !current.isDone()) {
                current.cancel(true);
            }
        });
    }

    /** The error after the last attempt: not retryable, so an outer layer does not retry it again. */
    private static StorageException givenUp(StorageException failure, int attempts) {
        return failure.toBuilder()
                .retryable(false)
                .detail(attempts == 1 ? failure.detail() : failure.detail() + " (gave up after " + attempts + " attempts)")
                .build();
    }

    private void notifyRetry(Operation op, String key, int attempt, Duration delay, StorageException failure) {
        try {
            listener.onRetry(op, key, attempt, delay, failure);
        } catch (RuntimeException e) {
            LOG.warn("storage listener {} failed; ignoring it", listener, e);
        }
    }

    /** The attempts of one operation. */
    private final class Attempts<T> {
        private final Operation op;
        private final String key;
        private final Supplier<CompletableFuture<T>> call;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final AtomicReference<CompletableFuture<T>> inFlight = new AtomicReference<>();

        private final Scheduler scheduler;

        Attempts(Scheduler scheduler, Operation op, String key, Supplier<CompletableFuture<T>> call) {
            this.scheduler = scheduler;
            this.op = op;
            this.key = key;
            this.call = call;
        }

        CompletableFuture<T> start() {
            stopWhenGivenUp(result, inFlight);
            attempt(1);
            return result;
        }

        private void attempt(int n) {
            if (result.isDone()) {
                return; // cancelled while waiting
            }
            CompletableFuture<T> current;
            try {
                current = call.get();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            inFlight.set(current);
            if (result.isDone()) {
                current.cancel(true); // given up meanwhile
                return;
            }
            current.whenComplete((value, error) -> {
                if (error == null) {
                    result.complete(value);
                } else {
                    failed(n, Futures.unwrap(error));
                }
            });
        }

        private void failed(int n, Throwable error) {
            if (result.isDone() || error instanceof CancellationException
                    || !(error instanceof StorageException) || !((StorageException) error).isRetryable()) {
                result.completeExceptionally(error);
                return;
            }
            StorageException failure = (StorageException) error;
            if (n >= policy.maxAttempts()) {
                // Retrying was this layer's job: an outer layer must not retry again.
                result.completeExceptionally(givenUp(failure, n));
                return;
            }
            try {
                Duration delay = policy.delayAfter(n, random.getAsDouble());
                notifyRetry(op, key, n, delay, failure);
                scheduler.schedule(() -> attempt(n + 1), delay);
            } catch (RuntimeException e) {
                e.addSuppressed(failure);
                result.completeExceptionally(e);
            }
        }
    }
}
