package dev.stowage;

import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.layer.Layer;
import dev.stowage.spi.ListingPublisher;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * One interface for publishing files, on the local disk or in an object store. Business code calls
 * {@code uploadFile}, {@code deleteFile} and {@code getUrl} and never learns which backend it has.
 *
 * <pre>{@code
 * try (StorageBackend storage = StorageBackends.open("file:///srv/files?base_url=https://files.example.com")) {
 *     URI url = storage.uploadFile(Path.of("report.pdf"), "reports/2026/report.pdf").join();
 * }
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Implementations are thread-safe. No I/O happens on the caller's thread: every I/O method
 *       returns a future at once.</li>
 *   <li>A {@code null} argument throws {@link NullPointerException} at once. Every other failure
 *       completes the future exceptionally with a {@link StorageException}, never wrapped in a
 *       {@code CompletionException}; its {@link StorageException#kind() kind} says what went wrong.</li>
 *   <li>Keys follow {@link Keys}: a key that breaks a rule fails with
 *       {@link ErrorKind#INVALID_KEY} and touches nothing.</li>
 *   <li>An upload is all or nothing: no reader ever sees a partly written object.</li>
 *   <li>Callbacks (a listing's subscriber, the stages a caller chains on a returned future when it
 *       is already complete aside) run on the backend's own threads, never on an HTTP client's
 *       I/O threads: a slow callback cannot stall the network.</li>
 * </ul>
 */
public interface StorageBackend extends AutoCloseable {

    /**
     * Stores a file under a key and returns its public URL, with default {@link UploadOptions}.
     * An existing object under the key is replaced.
     *
     * @return a future of the URL; fails with {@code NOT_FOUND} if the source file does not exist,
     *         {@code INVALID_KEY}, or the backend's kinds of failure
     */
    default CompletableFuture<URI> uploadFile(Path source, String key) {
        return uploadFile(source, key, UploadOptions.defaults());
    }

    /**
     * Stores a file under a key with the given options and returns its public URL.
     *
     * @see #uploadFile(Path, String)
     */
    CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options);

    /**
     * Deletes the object under a key. Deleting a key that holds nothing succeeds.
     *
     * @return a future that fails with {@code INVALID_KEY} or the backend's kinds of failure
     */
    CompletableFuture<Void> deleteFile(String key);

    /**
     * The public URL of a key, computed without I/O. Each key segment is percent-encoded, so the
     * decoded path of the URL names exactly the key.
     *
     * @throws StorageException of kind {@code INVALID_KEY} if the key breaks a rule
     */
    URI getUrl(String key);

    /** Whether files travel over the network to reach this backend. */
    boolean isRemote();

    /** What this backend does beyond the contract: deletes, checksums, stored headers. Does no I/O. */
    Capabilities capabilities();

    /**
     * What the backend knows of the object under a key, or empty if there is none.
     *
     * @return a future that fails with {@code INVALID_KEY} or the backend's kinds of failure
     */
    CompletableFuture<Optional<ObjectInfo>> stat(String key);

    /**
     * The objects whose keys start with a prefix, in {@link Keys#ORDER}, as a stream that fetches
     * a page at a time as the subscriber asks for more: memory stays bounded whatever the number of
     * keys. Each entry has the key, size and modification time, and the SHA-256 where the backend
     * knows it without reading the object. Items are delivered on the backend's threads. A failure
     * ends the stream with a {@link StorageException} of operation {@link Operation#LIST}; a bad
     * prefix fails it with {@code INVALID_KEY}.
     *
     * <pre>{@code
     * backend.forEach("img/", info -> System.out.println(info.key() + " " + info.sizeBytes())).join();
     * }</pre>
     *
     * @param prefix empty for every key, or a key or a key followed by {@code /} (see {@link Keys#checkPrefix})
     */
    Flow.Publisher<ObjectInfo> list(String prefix);

    /**
     * Calls {@code action} for each object of {@link #list(String) list(prefix)}, one at a time, on
     * the backend's threads. An exception from the action stops the listing and fails the future
     * with it.
     *
     * @return a future of the number of objects seen
     */
    default CompletableFuture<Long> forEach(String prefix, Consumer<? super ObjectInfo> action) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(action, "action");
        return ListingPublisher.forEach(list(prefix), action);
    }

    /**
     * Deletes many keys and says what became of each: partial failure is data, not an exception.
     * A key given twice counts once; a key that held nothing counts as deleted, and an invalid key
     * as failed with {@code INVALID_KEY}. By default the keys are deleted one by one, a few at a
     * time; object stores delete in batches.
     *
     * @return a future of each key's outcome; it fails only when no key could be tried at all
     *         (the backend is closed)
     * @throws NullPointerException at once if {@code keys} or a key in it is null
     */
    default CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
        return DeleteOneByOne.run(this::deleteFile, keys);
    }

    /**
     * This backend, or one it wraps, as the given type: the way to reach a backend's own features
     * (such as S3's presigned URLs) through layers, as JDBC's {@code unwrap} does.
     *
     * <pre>{@code
     * backend.unwrap(S3Backend.class).ifPresent(s3 -> s3.presignGet("a.pdf", Duration.ofHours(1)));
     * }</pre>
     *
     * @return the outermost backend of that type in the stack, or empty if there is none
     */
    /**
     * Aborts the uploads in parts left unfinished under this backend's prefix that began more than
     * {@code olderThan} ago and that {@code keep} does not hold, so that no orphan parts stay
     * stored (and billed). A backend without uploads in parts has none and answers 0 at once.
     *
     * @return how many uploads were aborted
     */
    default CompletableFuture<Long> abortStaleUploads(java.time.Duration olderThan, ResumeJournal keep) {
        Objects.requireNonNull(olderThan, "olderThan");
        Objects.requireNonNull(keep, "keep");
        return CompletableFuture.completedFuture(0L);
    }

    default <T> Optional<T> unwrap(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /**
     * Releases the backend's threads and connections. Operations started afterwards fail with
     * {@link ErrorKind#CLOSED}. Idempotent.
     */
    @Override
    void close();

    /**
     * This backend wrapped in a layer, such as retry or logging. Layers compose: the last one
     * added is the outermost.
     */
    default StorageBackend with(Layer layer) {
        return Objects.requireNonNull(layer, "layer").wrap(this);
    }
}
