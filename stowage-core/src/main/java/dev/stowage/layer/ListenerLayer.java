package dev.stowage.layer;

import dev.stowage.DeleteResult;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.UploadOptions;
import dev.stowage.UploadProgress;
import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.internal.Futures;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a {@link StorageListener} when each upload, delete, stat and listing starts and how it
 * ended, with its duration and size (a listing's "size" is the number of objects it yielded; each
 * key of a batch delete counts as one delete). Metrics bind here, so the core needs no metrics library. Placed outside
 * the {@link RetryLayer}, it sees one logical operation, retries included.
 *
 * <p>The size of an upload is the one the backend reports through {@link UploadProgress} as the
 * upload begins (-1 for a backend that reports none); the listener hears that progress too
 * ({@link StorageListener#onProgress}), and so does the caller's own {@code UploadProgress}.
 */
public final class ListenerLayer implements Layer {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerLayer.class);

    private final StorageListener listener;
    private final LongSupplier nanoTime;

    public ListenerLayer(StorageListener listener) {
        this(listener, System::nanoTime);
    }

    ListenerLayer(StorageListener listener, LongSupplier nanoTime) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    @Override
    public StorageBackend wrap(StorageBackend backend) {
        return new Listened(backend);
    }

    private final class Listened extends ForwardingStorageBackend {
        Listened(StorageBackend delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(options, "options");
            // The backend tells the size as the upload begins: no need to look at the file here.
            AtomicLong size = new AtomicLong(-1);
            UploadProgress callers = options.progress();
            UploadOptions listened = options.toBuilder().progress((done, total) -> {
                size.set(total);
                safely(() -> listener.onProgress(Operation.UPLOAD, key, done, total));
                callers.update(done, total); // what it throws, the backend logs
            }).build();
            return observe(Operation.UPLOAD, key, () -> delegate().uploadFile(source, key, listened), url -> size.get());
        }

        @Override
        public CompletableFuture<Void> deleteFile(String key) {
            return observe(Operation.DELETE, key, () -> delegate().deleteFile(key), v -> -1);
        }

        @Override
        public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
            return observe(Operation.STAT, key, () -> delegate().stat(key),
                    info -> info.map(ObjectInfo::sizeBytes).orElse(-1L));
        }

        /** One start and one end for each distinct key, as if each were deleted on its own. */
        @Override
        public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
            List<String> distinct = DeleteOneByOne.distinct(keys);
            long start = nanoTime.getAsLong();
            distinct.forEach(key -> safely(() -> listener.onStart(Operation.DELETE, key)));
            CompletableFuture<DeleteResult> future;
            try {
                future = delegate().deleteFiles(distinct);
            } catch (RuntimeException e) {
                distinct.forEach(key -> safely(() -> listener.onFailure(Operation.DELETE, key, since(start), e)));
                throw e;
            }
            CompletableFuture<DeleteResult> result = new CompletableFuture<>();
            future.whenComplete((done, error) -> {
                Duration elapsed = since(start);
                if (error == null) {
                    done.deleted().forEach(key -> safely(() -> listener.onSuccess(Operation.DELETE, key, -1, elapsed)));
                    done.failed().forEach((key, e) -> safely(() -> listener.onFailure(Operation.DELETE, key, elapsed, e)));
                    result.complete(done);
                } else {
                    Throwable cause = Futures.unwrap(error);
                    distinct.forEach(key -> safely(() -> listener.onFailure(Operation.DELETE, key, elapsed, cause)));
                    result.completeExceptionally(cause);
                }
            });
            Futures.cancelWith(result, future);
            return result;
        }

        /**
         * One start per subscription, with the prefix as the key, and one end when the stream
         * ends: a success whose size is the number of objects listed, a failure, or a
         * {@link CancellationException} when the subscriber cancels.
         */
        @Override
        public Flow.Publisher<ObjectInfo> list(String prefix) {
            Flow.Publisher<ObjectInfo> listing = delegate().list(prefix);
            return subscriber -> {
                Objects.requireNonNull(subscriber, "subscriber");
                listing.subscribe(new ListenedListing(prefix, subscriber));
            };
        }

        @Override
        public String toString() {
            return "ListenerLayer[" + listener + "](" + delegate() + ")";
        }
    }

    private <T> CompletableFuture<T> observe(Operation op, String key, Supplier<CompletableFuture<T>> call,
                                             ToLongFunction<T> bytes) {
        Objects.requireNonNull(key, "key");
        long start = nanoTime.getAsLong();
        safely(() -> listener.onStart(op, key));
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            safely(() -> listener.onFailure(op, key, since(start), e));
            throw e;
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            Duration elapsed = since(start);
            if (error == null) {
                safely(() -> listener.onSuccess(op, key, bytes.applyAsLong(value), elapsed));
                result.complete(value);
            } else {
                Throwable cause = Futures.unwrap(error);
                safely(() -> listener.onFailure(op, key, elapsed, cause));
                result.completeExceptionally(cause);
            }
        });
        Futures.cancelWith(result, future);
        return result;
    }

    /** Passes a listing's signals on, and tells the listener how it began and ended. */
    private final class ListenedListing implements Flow.Subscriber<ObjectInfo> {
        private final String prefix;
        private final Flow.Subscriber<? super ObjectInfo> downstream;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final long start = nanoTime.getAsLong();
        private long count;

        ListenedListing(String prefix, Flow.Subscriber<? super ObjectInfo> downstream) {
            this.prefix = prefix;
            this.downstream = downstream;
            safely(() -> listener.onStart(Operation.LIST, prefix));
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            downstream.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    subscription.request(n);
                }

                @Override
                public void cancel() {
                    subscription.cancel();
                    end(new CancellationException("the subscriber cancelled the listing"));
                }
            });
        }

        @Override
        public void onNext(ObjectInfo item) {
            count++;
            try {
                downstream.onNext(item);
            } catch (RuntimeException | Error e) {
                end(e); // the publisher cancels a subscriber that throws: this is how the listing ends
                throw e;
            }
        }

        @Override
        public void onError(Throwable error) {
            end(error);
            downstream.onError(error);
        }

        @Override
        public void onComplete() {
            if (ended.compareAndSet(false, true)) {
                long listed = count;
                safely(() -> listener.onSuccess(Operation.LIST, prefix, listed, since(start)));
            }
            downstream.onComplete();
        }

        private void end(Throwable error) {
            if (ended.compareAndSet(false, true)) {
                safely(() -> listener.onFailure(Operation.LIST, prefix, since(start), error));
            }
        }
    }

    private Duration since(long start) {
        return Duration.ofNanos(nanoTime.getAsLong() - start);
    }

    private void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("storage listener {} failed; ignoring it", listener, e);
        }
    }
}
