package dev.stowage.local;

import dev.stowage.Capabilities;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.UploadProgress;
import dev.stowage.Urls;
import dev.stowage.internal.FileErrors;
import dev.stowage.internal.IoExecutors;
import dev.stowage.internal.Progress;
import dev.stowage.spi.AbstractStorageBackend;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;

/**
 * Files on the local disk under {@code base_path}, served by an HTTP server at {@code base_url}.
 *
 * <pre>{@code
 * StorageBackend local = LocalBackend.builder()
 *         .basePath(Path.of("/srv/files"))
 *         .baseUrl("http://localhost:8080/files")
 *         .build();
 * URI url = local.uploadFile(Path.of("/srv/files/a.png"), "a.png").join(); // already in place: no copy
 * }</pre>
 *
 * <ul>
 *   <li>Uploading the file that already is at {@code base_path/key} returns its URL without copying.
 *       A file from elsewhere is copied to a temporary file in the target folder, flushed to disk,
 *       then moved into place atomically, so a reader sees the old file or the new one, never part
 *       of one. Temporary files start with {@value #TEMP_PREFIX}.</li>
 *   <li>By default the files belong to whoever put them there (the scanner), and delete is a no-op.
 *       Built with {@link Builder#ownsFiles(boolean) ownsFiles(true)}, delete removes the file and
 *       then any folders it leaves empty.</li>
 *   <li>A listing yields the regular files under {@code base_path}. It follows no symbolic link and
 *       leaves out temporary files and names that are not valid keys.</li>
 *   <li>A key never resolves outside {@code base_path}: a key that would reach outside through a
 *       symbolic link fails with {@link ErrorKind#ACCESS_DENIED}.</li>
 * </ul>
 *
 * <p>Thread-safe. Blocking file work runs on a bounded pool of daemon threads named
 * {@code stowage-local-io-N}, or on an executor given to the builder.
 */
public final class LocalBackend extends AbstractStorageBackend {
    /** The name prefix of the temporary files of uploads in progress; scanners skip them. */
    public static final String TEMP_PREFIX = ".stowage-";

    private static final long COPY_CHUNK_BYTES = 8L << 20;
    private static final int CREATE_ATTEMPTS = 3;

    private final Path root;
    private final URI baseUrl;
    private final boolean ownsFiles;

    private LocalBackend(Path root, URI baseUrl, boolean ownsFiles, Executor executor, ExecutorService owned) {
        super("local:" + root, executor, owned);
        this.root = root;
        this.baseUrl = baseUrl;
        this.ownsFiles = ownsFiles;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The folder the files live in, with symbolic links resolved. */
    public Path basePath() {
        return root;
    }

    /** The URL the folder is served at, ending with {@code /}. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** Whether delete removes files. */
    public boolean ownsFiles() {
        return ownsFiles;
    }

    @Override
    public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(options, "options");
        return runUpload(source, key, stop -> upload(source, key, options.progress(), stop));
    }

    @Override
    public CompletableFuture<Void> deleteFile(String key) {
        Objects.requireNonNull(key, "key");
        return run(Operation.DELETE, key, stop -> {
            if (ownsFiles) {
                delete(key);
            }
            return null;
        });
    }

    @Override
    public URI getUrl(String key) {
        return urlOf(baseUrl, key);
    }

    @Override
    public boolean isRemote() {
        return false;
    }

    /** Deletes only when it owns the files; keeps no checksum or headers: the file is all there is. */
    @Override
    public Capabilities capabilities() {
        return Capabilities.none().withDeletes(ownsFiles);
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
        Objects.requireNonNull(key, "key");
        return run(Operation.STAT, key, stop -> {
            Path target = resolve(key, Operation.STAT);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(target, BasicFileAttributes.class);
            } catch (FileSystemException e) {
                if (FileErrors.isMissing(e)) {
                    return Optional.empty();
                }
                throw e;
            }
            if (!attrs.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(ObjectInfo.of(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Lists the regular files under {@code base_path}; see the class comment for what is left
     * out. Entries have size and modification time; the SHA-256 is not known without reading the
     * file. Holds one folder's entries at a time for each level of depth.
     */
    @Override
    public Flow.Publisher<ObjectInfo> list(String prefix) {
        return listing(prefix, () -> new LocalListing(root, prefix, step -> runListingStep(prefix, step)));
    }

    private URI upload(Path source, String key, UploadProgress progress, BooleanSupplier cancelled) throws IOException {
        long size = requireSourceFile(source, key).size();
        Progress.report(progress, 0, size);
        Path target = resolve(key, Operation.UPLOAD);
        if (Files.exists(target) && Files.isSameFile(source, target)) {
            Progress.report(progress, size, size);
            return Urls.join(baseUrl, key); // already in place: the zero-copy path
        }
        if (Files.isDirectory(target)) {
            throw error(ErrorKind.CONFLICT, "a folder already exists where the file should go: " + target,
                    Operation.UPLOAD, key, null);
        }
        Path temp = createTemp(target, key);
        try {
            copy(source, temp, progress, cancelled);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            if (source.toString().equals(e.getFile())) {
                throw sourceMissing(source, key, e); // removed after it was checked
            }
            throw e;
        } finally {
            deleteQuietly(temp);
        }
        syncFolder(target.getParent());
        return Urls.join(baseUrl, key);
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // Leave it: the name marks it as a temporary file, and the operation's own error matters more.
        }
    }

    /** Makes the rename durable: on Linux a folder's entries reach the disk only when the folder is synced. */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open or sync a folder; the file itself is already on disk.
        }
    }

    /** Creates the target's folders and an empty temporary file beside the target. */
    private Path createTemp(Path target, String key) throws IOException {
        Path parent = target.getParent();
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(parent);
            } catch (FileAlreadyExistsException e) {
                throw error(ErrorKind.CONFLICT, "a file stands where a folder of the key is needed: " + e.getFile(),
                        Operation.UPLOAD, key, e);
            }
            resolve(key, Operation.UPLOAD); // the folders may have been swapped for links meanwhile
            Path temp = parent.resolve(TEMP_PREFIX + UUID.randomUUID() + ".tmp");
            try {
                return Files.createFile(temp);
            } catch (NoSuchFileException e) {
                // A concurrent delete pruned the folder we just made: make it again.
                if (attempt == CREATE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static void copy(Path source, Path temp, UploadProgress progress, BooleanSupplier cancelled) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            long size = in.size();
            long position = 0;
            while (position < size) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("upload cancelled");
                }
                long copied = in.transferTo(position, Math.min(COPY_CHUNK_BYTES, size - position), out);
                if (copied == 0 && in.size() < size) {
                    throw new IOException("source file shrank while it was being copied: " + source);
                }
                position += copied;
                Progress.report(progress, position, size);
            }
            out.force(true);
        }
    }

    private void delete(String key) throws IOException {
        Path target = resolve(key, Operation.DELETE);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            return; // a folder is not an object: nothing is stored under this key
        }
        try {
            if (!Files.deleteIfExists(target)) {
                return;
            }
        } catch (FileSystemException e) {
            if (FileErrors.isMissing(e)) {
                return; // a file stands where a folder of the key would be: nothing under this key
            }
            throw e;
        }
        for (Path folder = target.getParent(); !folder.equals(root); folder = folder.getParent()) {
            if (Files.isSymbolicLink(folder)) {
                return; // deleting would remove the link, not an empty folder
            }
            try {
                Files.delete(folder);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            }
        }
    }

    /**
     * The path of a key. It is inside the root by the key rules; this also checks that no symbolic
     * link on the way leads outside it.
     */
    private Path resolve(String key, Operation op) throws IOException {
        Path path;
        try {
            path = root.resolve(key);
        } catch (InvalidPathException e) {
            throw error(ErrorKind.INVALID_KEY, "this file system cannot name the key: " + e.getReason(), op, key, e);
        }
        if (!path.normalize().startsWith(root)) {
            // The key rules make this impossible on POSIX; it guards file systems with other rules (drive letters).
            throw error(ErrorKind.INVALID_KEY, "the key names a path outside base_path on this file system", op, key, null);
        }
        for (Path existing = path; existing != null; existing = existing.getParent()) {
            Path real;
            try {
                real = existing.toRealPath();
            } catch (FileSystemException e) {
                if (FileErrors.isMissing(e)) {
                    continue; // not there yet, a dangling link, or below a file: look at its parent
                }
                throw e;
            }
            if (!real.startsWith(root)) {
                throw error(ErrorKind.ACCESS_DENIED,
                        "the key leads outside base_path through a symbolic link: " + existing, op, key, null);
            }
            break;
        }
        return path;
    }

    @Override
    protected StorageException translate(Throwable e, Operation op, String key) {
        if (e instanceof FileSystemException) {
            FileSystemException fse = (FileSystemException) e;
            if (String.valueOf(fse.getReason()).contains("File name too long")) {
                return error(ErrorKind.INVALID_KEY, "a key segment is too long for this file system", op, key, e);
            }
            if (e instanceof FileAlreadyExistsException || FileErrors.isNotDirectory(fse)) {
                return error(ErrorKind.CONFLICT, "a file stands where a folder of the key is needed: " + fse.getFile(), op, key, e);
            }
        }
        return super.translate(e, op, key);
    }

    @Override
    public String toString() {
        return "LocalBackend[basePath=" + root + ", baseUrl=" + baseUrl + ", ownsFiles=" + ownsFiles + "]";
    }

    /** Builds a {@link LocalBackend}; not thread-safe. */
    public static final class Builder {
        private Path basePath;
        private String baseUrl;
        private boolean ownsFiles;
        private Executor executor;
        private int ioThreads = IoExecutors.defaultThreads();

        private Builder() {
        }

        /** The folder the files live in ({@code base_path}); created if missing. Required. */
        public Builder basePath(Path basePath) {
            this.basePath = basePath;
            return this;
        }

        /** The URL that serves {@code base_path} ({@code base_url}). Required. */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** Whether delete removes files; {@code false} (the default) leaves them to their owner. */
        public Builder ownsFiles(boolean ownsFiles) {
            this.ownsFiles = ownsFiles;
            return this;
        }

        /** Runs blocking file work on this executor, which the caller keeps and shuts down. */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** The size of the backend's own I/O pool when no executor is given. */
        public Builder ioThreads(int ioThreads) {
            if (ioThreads < 1) {
                throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
            }
            this.ioThreads = ioThreads;
            return this;
        }

        /**
         * @throws StorageException of kind {@code INVALID_CONFIG} naming the missing or wrong setting
         */
        public LocalBackend build() {
            if (basePath == null) {
                throw StorageException.invalidConfig("base_path is required: the folder the files live in");
            }
            if (baseUrl == null) {
                throw StorageException.invalidConfig("base_url is required: the URL that serves base_path");
            }
            URI url = Urls.baseUrl(baseUrl, "base_url");
            Path root;
            try {
                Files.createDirectories(basePath);
                root = basePath.toRealPath();
            } catch (FileAlreadyExistsException e) {
                throw StorageException.invalidConfig("base_path is a file, not a folder: " + basePath);
            } catch (IOException e) {
                throw StorageException.builder(ErrorKind.INVALID_CONFIG, "base_path cannot be used: " + basePath + " (" + e + ")")
                        .operation(Operation.OPEN).cause(e).build();
            }
            if (!Files.isDirectory(root)) {
                throw StorageException.invalidConfig("base_path is a file, not a folder: " + basePath);
            }
            if (executor != null) {
                return new LocalBackend(root, url, ownsFiles, executor, null);
            }
            ExecutorService pool = IoExecutors.newPool("stowage-local-io", ioThreads);
            return new LocalBackend(root, url, ownsFiles, pool, pool);
        }

    }
}
