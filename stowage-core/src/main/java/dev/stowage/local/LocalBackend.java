package dev.stowage.local;

import dev.stowage.Capabilities;
import dev.stowage.ErrorKind;
import dev.stowage.Keys;
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
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 *   <li>Uploading the file that already is at {@code base_path/key} returns its URL without copying;
 *       so does a file under {@code base_path} whose path in Unicode NFC is the key (a name written in
 *       NFD, as macOS writes it): a server of the folder must then map the key to that name.
 *       A file from elsewhere is copied to a temporary file in the target folder, flushed to disk,
 *       then moved into place atomically, so a reader sees the old file or the new one, never part
 *       of one. Temporary files and folders start with {@value #TEMP_PREFIX}.</li>
 *   <li>By default the files belong to whoever put them there (the scanner), and delete is a no-op.
 *       Built with {@link Builder#ownsFiles(boolean) ownsFiles(true)}, delete removes the file and
 *       then any folders it leaves empty.</li>
 *   <li>A listing yields the regular files under {@code base_path}, each under its key: its path
 *       with every name in Unicode NFC, once even when two names on disk share that form. It follows no symbolic link and
 *       leaves out temporary files and names that are not valid keys.</li>
 *   <li>A key never resolves outside {@code base_path}: a key that would reach outside through a
 *       symbolic link fails with {@link ErrorKind#ACCESS_DENIED}. A link that stays inside is
 *       followed: on the way, to the folder it leads to (delete then keeps the link and prunes no
 *       folder above it); as the key's last name, stat describes what it leads to, while upload
 *       replaces the link itself and delete removes the link itself.</li>
 *   <li>Links are followed only by finding where they lead, checking it, and walking there from
 *       {@code base_path}'s folder, one folder at a time, each opened from the one before without
 *       following a link; the write, rename or delete is then done through the key's opened folder,
 *       and a missing folder is made in {@code base_path}'s own folder and renamed into place through
 *       it. So a folder swapped for a link while an operation runs cannot send it outside: an
 *       upload walks again before its final rename and fails ({@code ACCESS_DENIED} if the key now
 *       leads outside, else a retryable {@code CONFLICT}); a delete removes the file from the folder
 *       it opened, wherever that folder was moved. This needs {@link java.nio.file.SecureDirectoryStream}
 *       (Linux and other systems with {@code openat}); elsewhere the same checks run by path, and a
 *       swap between a check and the write is not seen. Where a mount point lies between
 *       {@code base_path} and the key's folder, missing folders are made by the path of that folder
 *       and then checked through it.</li>
 *   <li>If the folder {@code base_path} is deleted, or replaced by a link or a file, after the
 *       backend was built, every operation fails {@link ErrorKind#UNAVAILABLE}, not retryable,
 *       saying that {@code base_path} is gone.</li>
 * </ul>
 *
 * <p>Thread-safe. Blocking file work runs on a bounded pool of daemon threads named
 * {@code stowage-local-io-N}, or on an executor given to the builder.
 */
public final class LocalBackend extends AbstractStorageBackend {
    /** The name prefix of the temporary files and folders of uploads in progress; scanners skip them. */
    public static final String TEMP_PREFIX = ".stowage-";

    private static final long COPY_CHUNK_BYTES = 8L << 20;
    /** The walks an upload may make beyond one per folder of its key, while other calls make or prune its folders. */
    private static final int CREATE_ATTEMPTS = 3;

    private final Path root;
    private final FolderWalk walk;
    private final URI baseUrl;
    private final boolean ownsFiles;

    private LocalBackend(Path root, URI baseUrl, boolean ownsFiles, Executor executor, ExecutorService owned) {
        super("local:" + root, executor, owned);
        this.root = root;
        this.walk = new FolderWalk(root);
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

    /**
     * Removes the temporary files and folders ({@value #TEMP_PREFIX}{@code *.tmp}) that copies
     * interrupted by a crash left under {@code base_path}, once older than {@code olderThan}; a
     * copy in progress is younger. Links are not followed. Nothing here is in a journal, so
     * {@code keep} is not consulted.
     *
     * @return how many temporary files and folders were removed
     */
    @Override
    public CompletableFuture<Long> abortStaleUploads(java.time.Duration olderThan, dev.stowage.ResumeJournal keep) {
        Objects.requireNonNull(olderThan, "olderThan");
        Objects.requireNonNull(keep, "keep");
        return runOnPrefix(Operation.DELETE, "", stop -> StaleTemps.sweep(root, java.time.Instant.now().minus(olderThan)));
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
        return run(Operation.STAT, key, stop -> lookUp(key));
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
        return listing(prefix, () -> new LocalListing(walk, prefix, step -> runListingStep(prefix, step)));
    }

    private URI upload(Path source, String key, UploadProgress progress, BooleanSupplier cancelled) throws IOException {
        BasicFileAttributes sourceAttrs = requireSourceFile(source, key);
        long size = sourceAttrs.size();
        Progress.report(progress, 0, size);
        List<String> names = names(key, Operation.UPLOAD);
        if (alreadyAt(key, sourceAttrs) || inPlaceUnderAnotherForm(source, key)) {
            Progress.report(progress, size, size);
            return Urls.join(baseUrl, key); // already in place: the zero-copy path, found without opening a folder
        }
        for (int attempt = 1; ; attempt++) {
            try (FolderWalk.Place place = walk.locate(names)) {
                if (isInPlace(place, source, sourceAttrs, key)) {
                    Progress.report(progress, size, size);
                    return Urls.join(baseUrl, key); // already in place: the zero-copy path
                }
                Temp temp;
                try {
                    temp = stage(place);
                } catch (FileSystemException e) {
                    if (!changedMeanwhile(e) || attempt >= names.size() + CREATE_ATTEMPTS) {
                        throw e;
                    }
                    continue; // another call made or pruned a folder of the key since the walk: walk again
                }
                try (temp) {
                    copy(source, temp.channel, progress, cancelled);
                    moveIntoPlace(temp, names, key);
                }
                return Urls.join(baseUrl, key);
            }
        }
    }

    /**
     * Whether the source already is the file at the key. Fails if a folder stands there, or if the
     * key's last name is a link that leads outside {@code base_path}; any other link is replaced
     * by the upload, not written through.
     */
    private boolean isInPlace(FolderWalk.Place place, Path source, BasicFileAttributes sourceAttrs, String key) throws IOException {
        if (!place.isComplete()) {
            return false;
        }
        Path target = place.folder().path().resolve(place.name());
        BasicFileAttributes attrs = place.folder().attributes(place.name());
        if (attrs != null && attrs.isSymbolicLink()) {
            Path real = walk.linkTarget(place.folder(), place.name());
            attrs = real == null ? null : readAttributesIfExists(real);
        }
        if (attrs == null) {
            return false;
        }
        if (attrs.isDirectory()) {
            throw error(ErrorKind.CONFLICT, "a folder already exists where the file should go: " + target,
                    Operation.UPLOAD, key, null);
        }
        Object sourceKey = sourceAttrs.fileKey();
        return sourceKey != null && attrs.fileKey() != null ? sourceKey.equals(attrs.fileKey()) : Files.isSameFile(source, target);
    }

    /**
     * Whether the source is the very file the key names, found by path: the cheap check for the
     * common case of a scanner publishing files already in place. Nothing is written on this path,
     * so a link swapped meanwhile cannot redirect anything; when in doubt it answers {@code false}
     * and the upload walks the folders.
     */
    private boolean alreadyAt(String key, BasicFileAttributes sourceAttrs) {
        Object sourceKey = sourceAttrs.fileKey();
        if (sourceKey == null) {
            return false;
        }
        return isAt(key, sourceKey);
    }

    /**
     * True when {@code source} lies under {@code base_path} at a path whose NFC form is {@code key}:
     * a name written in another normal form (NFD, as macOS writes it) is in place under its NFC key,
     * not copied to a twin that nothing would remove.
     */
    private boolean inPlaceUnderAnotherForm(Path source, String key) {
        try {
            Path real = source.toRealPath();
            return real.startsWith(root) && !real.equals(root) && Keys.ofFile(root, real).equals(key)
                    && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private boolean isAt(String key, Object sourceKey) {
        try {
            Path real = root.resolve(key).toRealPath();
            if (!real.startsWith(root)) {
                return false;
            }
            BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.isRegularFile() && sourceKey.equals(attrs.fileKey());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static BasicFileAttributes readAttributesIfExists(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (FileSystemException e) {
            if (FileErrors.isMissing(e)) {
                return null;
            }
            throw e;
        }
    }

    /** Whether a failure to make the temporary file says the folders changed since the walk, so another walk may succeed. */
    private static boolean changedMeanwhile(FileSystemException e) {
        return e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException
                || e instanceof DirectoryNotEmptyException || FileErrors.isNotDirectory(e)
                || "Directory not empty".equals(e.getReason());
    }

    /**
     * Creates the upload's temporary file in the key's folder, making the missing folders first.
     * They are made bottom-up, each a temporary folder in {@code base_path}'s own folder, the
     * deepest holding the temporary file, and go into place with one rename through the deepest
     * existing folder: no step goes by a path that a link could redirect, and a new folder is never
     * seen empty, so a concurrent upload's rename cannot replace it (it fails, and walks again).
     */
    private Temp stage(FolderWalk.Place place) throws IOException {
        String tempName = FolderWalk.temporaryName();
        if (place.isComplete()) {
            return new Temp(place.folder(), tempName, place.folder().newFile(tempName), List.of());
        }
        try {
            return stageInNewFolders(place, place.root(), tempName);
        } catch (AtomicMoveNotSupportedException e) {
            // A mount point lies between base_path and the key's folder: make them in that folder,
            // by its path. A folder on the way swapped at that moment fails the opening of the new one.
            return stageInNewFolders(place, place.folder(), tempName);
        }
    }

    private Temp stageInNewFolders(FolderWalk.Place place, Folder home, String tempName) throws IOException {
        List<String> missing = place.missing();
        int count = missing.size();
        List<Folder> made = new ArrayList<>(count); // made[j] becomes missing[count - 1 - j]
        List<String> namesInHome = new ArrayList<>(count);
        int nested = 0; // made[0 .. nested-1] are inside the next one already
        FileChannel channel = null;
        try {
            for (int j = 0; j < count; j++) {
                String name = FolderWalk.temporaryName();
                made.add(walk.makeFolder(home, name));
                namesInHome.add(name);
                if (j == 0) {
                    channel = made.get(0).newFile(tempName);
                } else {
                    home.move(namesInHome.get(j - 1), made.get(j), missing.get(count - j));
                    made.get(j - 1).movedInto(made.get(j), missing.get(count - j));
                    nested = j;
                }
            }
            home.move(namesInHome.get(count - 1), place.folder(), missing.get(0));
            made.get(count - 1).movedInto(place.folder(), missing.get(0));
            return new Temp(made.get(0), tempName, channel, made);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                FileChannel open = channel;
                quietly(open::close);
                quietly(() -> made.get(0).delete(tempName));
            }
            for (int j = 0; j < made.size(); j++) {
                Folder holder = j < nested ? made.get(j + 1) : home;
                String name = j < nested ? missing.get(count - 1 - j) : namesInHome.get(j);
                quietly(() -> holder.deleteFolder(name));
            }
            made.forEach(Folder::close);
            throw e;
        }
    }

    /**
     * Renames the temporary file over the key's file, once a new walk shows that the key still
     * leads to the folder the file is in: if a folder of the key was swapped during the copy, the
     * upload fails instead of reporting a URL its file is not at.
     */
    private void moveIntoPlace(Temp temp, List<String> names, String key) throws IOException {
        try (FolderWalk.Place now = walk.locate(names)) {
            if (!now.isComplete() || !now.folder().isSame(temp.folder)) {
                throw error(ErrorKind.CONFLICT, "a folder of the key was moved or replaced during the upload",
                        Operation.UPLOAD, key, null).toBuilder().retryable(true).build();
            }
        }
        temp.folder.move(temp.name, temp.folder, names.get(names.size() - 1));
        temp.placed = true;
        temp.folder.sync(); // the rename survives a crash only once the folder is synced
    }

    /** An upload's temporary file, open for writing, and the folders made for it. Closing removes the file unless it was moved into place. */
    private static final class Temp implements AutoCloseable {
        private final Folder folder;
        private final String name;
        private final FileChannel channel;
        private final List<Folder> made;
        private boolean placed;

        Temp(Folder folder, String name, FileChannel channel, List<Folder> made) {
            this.folder = folder;
            this.name = name;
            this.channel = channel;
            this.made = made;
        }

        @Override
        public void close() {
            quietly(channel::close);
            if (!placed) {
                quietly(() -> folder.delete(name));
            }
            made.forEach(Folder::close);
        }
    }

    /** A step whose failure is ignored. */
    @FunctionalInterface
    private interface CleanUp {
        void run() throws IOException;
    }

    private static void quietly(CleanUp step) {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            // Leave it: its name marks it as temporary, and the operation's own outcome matters more.
        }
    }

    private static void copy(Path source, FileChannel out, UploadProgress progress, BooleanSupplier cancelled) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
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
        try (FolderWalk.Place place = walk.locate(names(key, Operation.DELETE))) {
            if (!place.isComplete()) {
                return; // a folder of the key does not exist: nothing is stored under it
            }
            BasicFileAttributes attrs = place.folder().attributes(place.name());
            if (attrs == null || attrs.isDirectory()) {
                return; // a folder is not an object: nothing is stored under this key
            }
            if (attrs.isSymbolicLink()) {
                walk.linkTarget(place.folder(), place.name()); // fails if it leads outside; else the link itself goes
            }
            try {
                place.folder().delete(place.name());
            } catch (NoSuchFileException e) {
                return;
            }
            place.pruneEmptyFolders();
        } catch (NotDirectoryException e) {
            // A file stands where a folder of the key would be: nothing is stored under this key.
        }
    }

    private Optional<ObjectInfo> lookUp(String key) throws IOException {
        List<String> names = names(key, Operation.STAT);
        for (int links = 0; ; links++) {
            try (FolderWalk.Place place = walk.locate(names)) {
                BasicFileAttributes attrs = place.isComplete() ? place.folder().attributes(place.name()) : null;
                if (attrs == null) {
                    return Optional.empty();
                }
                if (attrs.isSymbolicLink()) {
                    Path real = walk.linkTarget(place.folder(), place.name());
                    if (real == null || real.equals(root)) {
                        return Optional.empty();
                    }
                    if (links == FolderWalk.MAX_LINKS) {
                        throw new FileSystemException(place.folder().path().resolve(place.name()).toString(), null,
                                "too many symbolic links on the way");
                    }
                    names = walk.namesOf(real); // walk again to where it leads, following nothing
                    continue;
                }
                if (!attrs.isRegularFile()) {
                    return Optional.empty();
                }
                return Optional.of(ObjectInfo.of(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
            } catch (NotDirectoryException e) {
                return Optional.empty(); // a file stands where a folder of the key would be
            }
        }
    }

    /** The names of a key under the root, checked to name a path inside it on this file system. */
    private List<String> names(String key, Operation op) {
        Path path;
        try {
            path = root.resolve(key);
        } catch (InvalidPathException e) {
            throw error(ErrorKind.INVALID_KEY, "this file system cannot name the key: " + e.getReason(), op, key, e);
        }
        if (!path.normalize().startsWith(root) || path.normalize().equals(root)) {
            // The key rules make this impossible on POSIX; it guards file systems with other rules (drive letters).
            throw error(ErrorKind.INVALID_KEY, "the key names a path outside base_path on this file system", op, key, null);
        }
        return walk.namesOf(path);
    }

    @Override
    protected StorageException translate(Throwable e, Operation op, String key) {
        if (e instanceof FolderWalk.LeadsOutside) {
            return error(ErrorKind.ACCESS_DENIED, "the key leads outside base_path through a symbolic link: "
                    + ((FileSystemException) e).getFile(), op, key, e);
        }
        if (e instanceof FolderWalk.BasePathGone) {
            // Nothing under base_path can be reached until someone makes the folder again: another attempt would fail the same.
            FileSystemException gone = (FileSystemException) e;
            return error(ErrorKind.UNAVAILABLE, "base_path is gone: " + gone.getFile() + " " + gone.getReason(), op, key, e)
                    .toBuilder().retryable(false).build();
        }
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

    /**
     * Builds a {@link LocalBackend}; not thread-safe. What it builds has no layer: add a
     * {@link dev.stowage.layer.RetryLayer} or a {@link dev.stowage.layer.LoggingLayer} with
     * {@link dev.stowage.StorageBackend#with} (a backend opened from a {@code file:} URI has the
     * retry layer already).
     */
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
