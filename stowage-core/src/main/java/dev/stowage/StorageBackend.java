package dev.stowage;

import dev.stowage.layer.Layer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

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

    /**
     * What the backend knows of the object under a key, or empty if there is none.
     *
     * @return a future that fails with {@code INVALID_KEY} or the backend's kinds of failure
     */
    CompletableFuture<Optional<ObjectInfo>> stat(String key);

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
