package dev.stowage.layer;

import dev.stowage.Capabilities;
import dev.stowage.DeleteResult;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import dev.stowage.UploadOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A backend that passes every call to another. Layers extend it and override only what they change.
 * Thread-safe if the delegate is.
 */
public abstract class ForwardingStorageBackend implements StorageBackend {
    private final StorageBackend delegate;

    protected ForwardingStorageBackend(StorageBackend delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The backend this one wraps. */
    protected final StorageBackend delegate() {
        return delegate;
    }

    @Override
    public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
        return delegate.uploadFile(source, key, options);
    }

    @Override
    public CompletableFuture<Void> deleteFile(String key) {
        return delegate.deleteFile(key);
    }

    @Override
    public URI getUrl(String key) {
        return delegate.getUrl(key);
    }

    @Override
    public boolean isRemote() {
        return delegate.isRemote();
    }

    @Override
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public Flow.Publisher<ObjectInfo> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
        return delegate.deleteFiles(keys);
    }

    @Override
    public CompletableFuture<Long> abortStaleUploads(java.time.Duration olderThan, dev.stowage.ResumeJournal keep) {
        return delegate.abortStaleUploads(olderThan, keep);
    }

    /** This layer if it is of the type, else what the wrapped backend finds. */
    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return type.isInstance(this) ? Optional.of(type.cast(this)) : delegate.unwrap(type);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + delegate + ")";
    }
}
