package dev.stowage.layer;

import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.UploadOptions;
import dev.stowage.internal.Futures;
import dev.stowage.internal.IoExecutors;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a {@link StorageListener} when each upload, delete and stat starts and how it ended, with
 * its duration and size. Metrics bind here, so the core needs no metrics library. Placed outside
 * the {@link RetryLayer}, it sees one logical operation, retries included.
 *
 * <p>The size of an upload is the size of its source file once the upload is done, looked up on a
 * small pool of daemon threads named {@code stowage-listener-io}, so that neither the caller's
 * thread nor the backend's (an HTTP client's event loop, say) touches the disk for it.
 */
public final class ListenerLayer implements Layer {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerLayer.class);
    private static final Executor SIZE_LOOKUP = IoExecutors.newPool("stowage-listener-io", 2);
    private static final Executor SAME_THREAD = Runnable::run;

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
            return observe(Operation.UPLOAD, key, () -> delegate().uploadFile(source, key, options),
                    url -> fileSize(source), SIZE_LOOKUP);
        }

        @Override
        public CompletableFuture<Void> deleteFile(String key) {
            return observe(Operation.DELETE, key, () -> delegate().deleteFile(key), v -> -1, SAME_THREAD);
        }

        @Override
        public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
            return observe(Operation.STAT, key, () -> delegate().stat(key),
                    info -> info.map(ObjectInfo::sizeBytes).orElse(-1L), SAME_THREAD);
        }

        @Override
        public String toString() {
            return "ListenerLayer[" + listener + "](" + delegate() + ")";
        }
    }

    private <T> CompletableFuture<T> observe(Operation op, String key, Supplier<CompletableFuture<T>> call,
                                             ToLongFunction<T> bytes, Executor notifyOn) {
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
        future.whenCompleteAsync((value, error) -> {
            Duration elapsed = since(start);
            if (error == null) {
                safely(() -> listener.onSuccess(op, key, bytes.applyAsLong(value), elapsed));
                result.complete(value);
            } else {
                Throwable cause = Futures.unwrap(error);
                safely(() -> listener.onFailure(op, key, elapsed, cause));
                result.completeExceptionally(cause);
            }
        }, notifyOn);
        Futures.cancelWith(result, future);
        return result;
    }

    private Duration since(long start) {
        return Duration.ofNanos(nanoTime.getAsLong() - start);
    }

    private static long fileSize(Path source) {
        try {
            return Files.size(source);
        } catch (IOException e) {
            return -1;
        }
    }

    private void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("storage listener {} failed; ignoring it", listener, e);
        }
    }
}
