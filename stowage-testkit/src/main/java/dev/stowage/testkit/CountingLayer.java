package dev.stowage.testkit;

import dev.stowage.DeleteResult;
import dev.stowage.ObjectInfo;
import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.UploadOptions;
import dev.stowage.layer.ForwardingStorageBackend;
import dev.stowage.layer.Layer;
import dev.stowage.spi.ListingPublisher;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Counts the requests the backend it wraps receives, for tests that check how much work the code
 * driving a backend does (a sync engine that should not upload an unchanged file twice, say).
 *
 * <pre>{@code
 * CountingLayer counting = new CountingLayer();
 * StorageBackend backend = MemoryBackend.create().with(counting);
 * engine.sync(folder, backend);
 * assertThat(counting.count(Operation.UPLOAD)).isEqualTo(3);
 * assertThat(counting.log()).contains("UPLOAD a.txt");
 * }</pre>
 *
 * <ul>
 *   <li>{@link Operation#UPLOAD}, {@link Operation#DELETE} and {@link Operation#STAT} count the calls
 *       of {@code uploadFile}, {@code deleteFile} and {@code stat}; {@link Operation#LIST} counts the
 *       subscriptions to listings, since a listing does nothing until subscribed. {@code forEach}
 *       subscribes once through this layer's {@code list}, so it counts as one listing.</li>
 *   <li>A batch delete is one request: {@link #deleteBatches()} counts the calls of
 *       {@code deleteFiles} and {@link #batchDeletedKeys()} the distinct keys given to them. They are
 *       not part of {@code count(Operation.DELETE)}: the wrapped backend received one request, whatever
 *       it does with it.</li>
 *   <li>{@link Operation#URL} counts the calls of {@code getUrl}, which are computed without I/O and are
 *       therefore not {@link #requests() requests}; {@code isRemote} and {@code capabilities} are not
 *       counted.</li>
 *   <li>A call is counted as it reaches this layer, whether it then succeeds or fails; a call that
 *       throws {@link NullPointerException} for a null argument is not.</li>
 * </ul>
 *
 * <p>Every backend this layer wraps adds to the same counts. Thread-safe: calls may come from any
 * number of threads while a test reads or resets the counts.
 */
public final class CountingLayer implements Layer {
    private final Object lock = new Object();
    /** Guarded by {@code lock}, as are the fields below. */
    private final Map<Operation, Long> counts = new EnumMap<>(Operation.class);
    private long deleteBatches;
    private long batchDeletedKeys;
    private final List<String> log = new ArrayList<>();

    /** A layer with every count at zero. */
    public CountingLayer() {
    }

    @Override
    public StorageBackend wrap(StorageBackend backend) {
        return new Counted(backend);
    }

    /**
     * The number of calls of an operation so far: {@code UPLOAD}, {@code DELETE} (single deletes
     * only), {@code STAT}, {@code LIST} (subscriptions) or {@code URL} ({@code getUrl}); zero for the
     * others.
     */
    public long count(Operation operation) {
        Objects.requireNonNull(operation, "operation");
        synchronized (lock) {
            return counts.getOrDefault(operation, 0L);
        }
    }

    /** The number of {@code deleteFiles} calls so far. */
    public long deleteBatches() {
        synchronized (lock) {
            return deleteBatches;
        }
    }

    /** The number of keys given to {@code deleteFiles} so far, each call's repeated keys counted once. */
    public long batchDeletedKeys() {
        synchronized (lock) {
            return batchDeletedKeys;
        }
    }

    /**
     * The number of requests the wrapped backend received so far: uploads, single deletes, stats,
     * listing subscriptions and batch deletes (one each), but not {@code getUrl} calls.
     */
    public long requests() {
        synchronized (lock) {
            return counts.getOrDefault(Operation.UPLOAD, 0L) + counts.getOrDefault(Operation.DELETE, 0L)
                    + counts.getOrDefault(Operation.STAT, 0L) + counts.getOrDefault(Operation.LIST, 0L) + deleteBatches;
        }
    }

    /**
     * The requests received so far, in the order they arrived, one line each: {@code UPLOAD key},
     * {@code DELETE key}, {@code STAT key}, {@code LIST prefix} (so {@code "LIST "} for every key)
     * or {@code DELETE_BATCH n} with the number of distinct keys. A copy: later requests do not
     * change it.
     */
    public List<String> log() {
        synchronized (lock) {
            return List.copyOf(log);
        }
    }

    /** Sets every count back to zero and empties the log, in one step. */
    public void reset() {
        synchronized (lock) {
            counts.clear();
            deleteBatches = 0;
            batchDeletedKeys = 0;
            log.clear();
        }
    }

    private void record(Operation operation, String line) {
        synchronized (lock) {
            counts.merge(operation, 1L, Long::sum);
            if (line != null) {
                log.add(line);
            }
        }
    }

    private void recordBatch(int keys) {
        synchronized (lock) {
            deleteBatches++;
            batchDeletedKeys += keys;
            log.add("DELETE_BATCH " + keys);
        }
    }

    private final class Counted extends ForwardingStorageBackend {
        Counted(StorageBackend delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(options, "options");
            record(Operation.UPLOAD, "UPLOAD " + key);
            return delegate().uploadFile(source, key, options);
        }

        @Override
        public CompletableFuture<Void> deleteFile(String key) {
            Objects.requireNonNull(key, "key");
            record(Operation.DELETE, "DELETE " + key);
            return delegate().deleteFile(key);
        }

        @Override
        public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
            Objects.requireNonNull(key, "key");
            record(Operation.STAT, "STAT " + key);
            return delegate().stat(key);
        }

        @Override
        public URI getUrl(String key) {
            Objects.requireNonNull(key, "key");
            record(Operation.URL, null);
            return delegate().getUrl(key);
        }

        /** Counted at each subscription: a listing nobody subscribes to sends no request. */
        @Override
        public Flow.Publisher<ObjectInfo> list(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            Flow.Publisher<ObjectInfo> listing = delegate().list(prefix);
            return subscriber -> {
                Objects.requireNonNull(subscriber, "subscriber");
                record(Operation.LIST, "LIST " + prefix);
                listing.subscribe(subscriber);
            };
        }

        /**
         * One subscription to this layer's own {@link #list}, so one listing counted, whatever the
         * wrapped backend's {@code forEach} would do.
         */
        @Override
        public CompletableFuture<Long> forEach(String prefix, Consumer<? super ObjectInfo> action) {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(action, "action");
            return ListingPublisher.forEach(list(prefix), action);
        }

        /** One batch request, passed on as it is; its distinct keys are counted. */
        @Override
        public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
            recordBatch(DeleteOneByOne.distinct(keys).size());
            return delegate().deleteFiles(keys);
        }

        @Override
        public String toString() {
            return "CountingLayer(" + delegate() + ")";
        }
    }
}
