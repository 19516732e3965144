package dev.stowage.layer;

import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.internal.Futures;
import dev.stowage.internal.NamedThreadFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
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
 * Retries uploads, deletes and stats that fail with a retryable {@link StorageException}, with
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
 *   <li>Cancelling the returned future cancels the attempt in flight and schedules no other.</li>
 *   <li>Waiting never blocks a thread: the next attempt is started by a timer thread named
 *       {@code stowage-retry}.</li>
 *   <li>Give it a {@link LoggingListener} to log each retry.</li>
 * </ul>
 */
public final class RetryLayer implements Layer {
    /** Runs a task after a delay without blocking the caller. */
    @FunctionalInterface
    interface Scheduler {
        void schedule(Runnable task, Duration delay);
    }

    /**
     * One daemon thread for all retry layers: it waits out the delays and starts the next attempts,
     * which return futures at once by the backend contract. Kept apart from the JDK's shared delay
     * thread, so a slow backend cannot hold up every timer in the process.
     */
    private static final ScheduledExecutorService TIMER_THREAD = timerThread();
    private static final Scheduler TIMER = (task, delay) -> TIMER_THREAD.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    private static final Logger LOG = LoggerFactory.getLogger(RetryLayer.class);

    private final RetryPolicy policy;
    private final StorageListener listener;
    private final Scheduler scheduler;
    private final DoubleSupplier random;

    public RetryLayer(RetryPolicy policy) {
        this(policy, StorageListener.NONE);
    }

    /** A retry layer that tells the listener of each retry ({@link StorageListener#onRetry}). */
    public RetryLayer(RetryPolicy policy, StorageListener listener) {
        this(policy, listener, TIMER, () -> ThreadLocalRandom.current().nextDouble());
    }

    RetryLayer(RetryPolicy policy, StorageListener listener, Scheduler scheduler, DoubleSupplier random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = Objects.requireNonNull(random, "random");
    }

    private static ScheduledExecutorService timerThread() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("stowage-retry"));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    @Override
    public StorageBackend wrap(StorageBackend backend) {
        return new Retrying(backend);
    }

    private final class Retrying extends ForwardingStorageBackend {
        Retrying(StorageBackend delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(options, "options");
            return new Attempts<>(Operation.UPLOAD, key, () -> delegate().uploadFile(source, key, options)).start();
        }

        @Override
        public CompletableFuture<Void> deleteFile(String key) {
            Objects.requireNonNull(key, "key");
            return new Attempts<>(Operation.DELETE, key, () -> delegate().deleteFile(key)).start();
        }

        @Override
        public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
            Objects.requireNonNull(key, "key");
            return new Attempts<>(Operation.STAT, key, () -> delegate().stat(key)).start();
        }

        @Override
        public String toString() {
            return "RetryLayer[" + policy + "](" + delegate() + ")";
        }
    }

    /** The attempts of one operation. */
    private final class Attempts<T> {
        private final Operation op;
        private final String key;
        private final Supplier<CompletableFuture<T>> call;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final AtomicReference<CompletableFuture<T>> inFlight = new AtomicReference<>();

        Attempts(Operation op, String key, Supplier<CompletableFuture<T>> call) {
            this.op = op;
            this.key = key;
            this.call = call;
        }

        CompletableFuture<T> start() {
            result.whenComplete((value, error) -> {
                CompletableFuture<T> current = inFlight.get();
                if (result.isCancelled() && current != null) {
                    current.cancel(true);
                }
            });
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
            if (result.isCancelled()) {
                current.cancel(true);
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
                result.completeExceptionally(failure.toBuilder()
                        .retryable(false)
                        .detail(n == 1 ? failure.detail() : failure.detail() + " (gave up after " + n + " attempts)")
                        .build());
                return;
            }
            Duration delay = policy.delayAfter(n, random.getAsDouble());
            try {
                listener.onRetry(op, key, n, delay, failure);
            } catch (RuntimeException e) {
                LOG.warn("storage listener {} failed; ignoring it", listener, e);
            }
            try {
                scheduler.schedule(() -> attempt(n + 1), delay);
            } catch (RuntimeException e) {
                e.addSuppressed(failure);
                result.completeExceptionally(e);
            }
        }
    }
}
