package dev.stowage.layer;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.internal.DeleteOneByOne;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A real backend that fails on purpose: each call first takes the next planned fault, if any. */
final class FaultyBackend extends ForwardingStorageBackend {
    private final Deque<Throwable> faults = new ArrayDeque<>();
    private final Deque<Throwable> lateFaults = new ArrayDeque<>();
    final AtomicInteger calls = new AtomicInteger();
    /** When set, calls return this never-completing future instead (a stalled server). */
    volatile CompletableFuture<?> stall;

    FaultyBackend(StorageBackend delegate) {
        super(delegate);
    }

    synchronized FaultyBackend failNext(int times, ErrorKind kind) {
        for (int i = 0; i < times; i++) {
            faults.add(StorageException.builder(kind, "injected " + kind).backend("faulty").build());
        }
        return this;
    }

    synchronized FaultyBackend failNextWith(Throwable error) {
        faults.add(error);
        return this;
    }

    /** The next calls do the real work, then report a failure anyway (as a lost response would). */
    synchronized FaultyBackend failAfterNext(int times, ErrorKind kind) {
        for (int i = 0; i < times; i++) {
            lateFaults.add(StorageException.builder(kind, "injected late " + kind).backend("faulty").build());
        }
        return this;
    }

    private synchronized Throwable nextFault() {
        return faults.poll();
    }

    private synchronized Throwable nextLateFault() {
        return lateFaults.poll();
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> maybeFail(Supplier<CompletableFuture<T>> real) {
        calls.incrementAndGet();
        if (stall != null) {
            return (CompletableFuture<T>) stall;
        }
        Throwable fault = nextFault();
        if (fault != null) {
            // Fail asynchronously, the way a real backend does.
            return CompletableFuture.supplyAsync(() -> null).thenCompose(x -> CompletableFuture.failedFuture(fault));
        }
        Throwable late = nextLateFault();
        if (late != null) {
            return real.get().thenCompose(x -> CompletableFuture.failedFuture(late));
        }
        return real.get();
    }

    @Override
    public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
        return maybeFail(() -> super.uploadFile(source, key, options));
    }

    @Override
    public CompletableFuture<Void> deleteFile(String key) {
        return maybeFail(() -> super.deleteFile(key));
    }

    /** One by one through {@link #deleteFile}, so that each key meets the planned faults. */
    @Override
    public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
        return DeleteOneByOne.run(this::deleteFile, keys);
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
        return maybeFail(() -> super.stat(key));
    }
}
