package dev.stowage.testfs;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The default file system seen through a wrapper that runs a test's action just before a chosen
 * call reaches the disk: the way to make a race happen at one exact step, without sleeps, or to
 * make one call fail as a real disk would, where the test cannot arrange it (as root, {@code chmod}
 * makes nothing unreadable).
 *
 * <pre>{@code
 * HookedFileSystem hooked = new HookedFileSystem();
 * Path root = hooked.wrap(tempDir);
 * hooked.failing(Call.READ_FILE, "secret.txt"::equals, AccessDeniedException::new);
 * hooked.before(Call.DELETE, "a.txt"::equals, () -> Files.writeString(tempDir.resolve("a.txt"), "again"));
 * }</pre>
 *
 * <p>Every call is passed on to the default file system unchanged, and a directory stream that is
 * secure there ({@link SecureDirectoryStream}) is secure here too, so code under test takes the same
 * paths as on the bare default file system; or, made {@link #withoutSecureStreams()}, it is not,
 * as on a platform that offers none. An action that throws fails the call with what it threw, and
 * the call never reaches the disk. An action should change the disk through the default file
 * system's paths, so that it does not run hooks itself.
 *
 * <p>Thread-safe: hooks may be added while other threads make calls. An action runs on the thread
 * that made the call; a hook that runs on every call may run on several threads at once.
 */
public final class HookedFileSystem extends FileSystem {
    /** The calls an action can run before. */
    public enum Call {
        /** Opening a folder: {@code newDirectoryStream}, by path or relative to an open folder. */
        OPEN_FOLDER,
        /** Making a folder by path. */
        MAKE_FOLDER,
        /** Opening a file with {@code CREATE} or {@code CREATE_NEW}. */
        CREATE_FILE,
        /**
         * Opening a file to read it only, without {@code WRITE}, {@code APPEND}, {@code CREATE} or
         * {@code CREATE_NEW}: {@code newByteChannel}, {@code newFileChannel} or {@code newInputStream},
         * by path or relative to an open folder.
         */
        READ_FILE,
        /**
         * Reading a file's or a folder's attributes by path: {@code readAttributes}, by class or by
         * name, which {@code Files.isDirectory}, {@code Files.size} and the like call, and
         * {@code readAttributes} of a view an open folder gives for one of its entries. Attributes
         * read through a {@link FileAttributeView} of a path are not hooked.
         */
        STAT,
        /** Deleting a file or a folder. */
        DELETE,
        /** Moving or renaming; the name matched is the source's. */
        MOVE
    }

    /** What a test does at the chosen moment; what it throws, the call fails with. */
    @FunctionalInterface
    public interface Action {
        void run() throws IOException;
    }

    /** What an action does, given the path as the call named it. */
    @FunctionalInterface
    private interface Step {
        void run(String file) throws IOException;
    }

    /** An action waiting for its calls: the first one only, or every one until {@link #remove() removed}. */
    public final class Hook {
        private final Call call;
        private final Predicate<String> name;
        private final Step step;
        private final boolean once;
        private final AtomicInteger runs = new AtomicInteger();

        private Hook(Call call, Predicate<String> name, Step step, boolean once) {
            this.call = call;
            this.name = name;
            this.step = step;
            this.once = once;
        }

        /** Whether the call came and the action ran, at least once. */
        public boolean ran() {
            return runs.get() > 0;
        }

        /** How many times the action ran (or failed the call). */
        public int runs() {
            return runs.get();
        }

        /** Stops the hook: no later call runs its action. */
        public void remove() {
            hooks.remove(this);
        }

        /** Claims this call for the action: always, or for a hook that runs once, only the first time. */
        private boolean claim() {
            if (!once) {
                runs.incrementAndGet();
                return true;
            }
            if (runs.compareAndSet(0, 1)) {
                remove();
                return true;
            }
            return false;
        }
    }

    private final FileSystem real = FileSystems.getDefault();
    private final Provider provider = new Provider();
    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private final boolean secureStreams;

    /** The default file system, its secure directory streams included. */
    public HookedFileSystem() {
        this(true);
    }

    private HookedFileSystem(boolean secureStreams) {
        this.secureStreams = secureStreams;
    }

    /** The default file system with plain directory streams only, as where {@link SecureDirectoryStream} is not offered. */
    public static HookedFileSystem withoutSecureStreams() {
        return new HookedFileSystem(false);
    }

    /** The same file on this file system. */
    public Path wrap(Path path) {
        if (path.getFileSystem() != real) {
            throw new ProviderMismatchException("not a path of the default file system: " + path);
        }
        return new HookedPath(path);
    }

    /** Runs the action once, just before the first such call on a file whose last name matches. */
    public Hook before(Call call, Predicate<String> name, Action action) {
        return add(new Hook(call, name, file -> action.run(), true));
    }

    /** Runs the action just before every such call on a file whose last name matches, until the hook is removed. */
    public Hook beforeEach(Call call, Predicate<String> name, Action action) {
        return add(new Hook(call, name, file -> action.run(), false));
    }

    /**
     * Fails every such call on a file whose last name matches, until the hook is removed, with the
     * exception {@code failure} makes of the path as the call named it, as the default file system
     * would: {@code AccessDeniedException::new}, {@code NoSuchFileException::new}.
     */
    public Hook failing(Call call, Predicate<String> name, Function<String, ? extends IOException> failure) {
        return add(new Hook(call, name, file -> {
            throw failure.apply(file);
        }, false));
    }

    private Hook add(Hook hook) {
        hooks.add(hook);
        return hook;
    }

    private void fire(Call call, Path file) throws IOException {
        Path last = file.getFileName();
        if (last != null && last.toString().equals(".") && file.getParent() != null) {
            last = file.getParent().getFileName(); // "a/." opens the folder a
        }
        String name = last == null ? "" : last.toString();
        for (Hook hook : hooks) {
            if (hook.call == call && hook.name.test(name) && hook.claim()) {
                hook.step.run(file.toString());
            }
        }
    }

    /** Runs the hooks of opening a file with {@code options}: creating it, or reading it only. */
    private void fireOpen(Path file, Set<? extends OpenOption> options) throws IOException {
        if (options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW)) {
            fire(Call.CREATE_FILE, file);
        } else if (!options.contains(StandardOpenOption.WRITE) && !options.contains(StandardOpenOption.APPEND)) {
            fire(Call.READ_FILE, file);
        }
    }

    private Path wrapOrNull(Path path) {
        return path == null ? null : new HookedPath(path);
    }

    private static Path unwrap(Path path) {
        if (!(path instanceof HookedPath)) {
            throw new ProviderMismatchException("not a path of the hooked file system: " + path);
        }
        return ((HookedPath) path).real;
    }

    private DirectoryStream<Path> wrap(DirectoryStream<Path> stream) {
        return secureStreams && stream instanceof SecureDirectoryStream
                ? new HookedSecureStream((SecureDirectoryStream<Path>) stream)
                : new HookedStream(stream);
    }

    // ---------------------------------------------------------------- FileSystem

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return real.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return StreamSupport.stream(real.getRootDirectories().spliterator(), false).map(this::wrap).collect(Collectors.toList());
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return real.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return real.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return new HookedPath(real.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher matcher = real.getPathMatcher(syntaxAndPattern);
        return path -> matcher.matches(unwrap(path));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return real.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException();
    }

    // ---------------------------------------------------------------- Path

    private final class HookedPath implements Path {
        private final Path real;

        HookedPath(Path real) {
            this.real = Objects.requireNonNull(real);
        }

        @Override
        public FileSystem getFileSystem() {
            return HookedFileSystem.this;
        }

        @Override
        public boolean isAbsolute() {
            return real.isAbsolute();
        }

        @Override
        public Path getRoot() {
            return wrapOrNull(real.getRoot());
        }

        @Override
        public Path getFileName() {
            return wrapOrNull(real.getFileName());
        }

        @Override
        public Path getParent() {
            return wrapOrNull(real.getParent());
        }

        @Override
        public int getNameCount() {
            return real.getNameCount();
        }

        @Override
        public Path getName(int index) {
            return new HookedPath(real.getName(index));
        }

        @Override
        public Path subpath(int beginIndex, int endIndex) {
            return new HookedPath(real.subpath(beginIndex, endIndex));
        }

        @Override
        public boolean startsWith(Path other) {
            return other instanceof HookedPath && real.startsWith(((HookedPath) other).real);
        }

        @Override
        public boolean endsWith(Path other) {
            return other instanceof HookedPath && real.endsWith(((HookedPath) other).real);
        }

        @Override
        public Path normalize() {
            return new HookedPath(real.normalize());
        }

        @Override
        public Path resolve(Path other) {
            return new HookedPath(real.resolve(unwrap(other)));
        }

        @Override
        public Path relativize(Path other) {
            return new HookedPath(real.relativize(unwrap(other)));
        }

        @Override
        public URI toUri() {
            return real.toUri();
        }

        @Override
        public Path toAbsolutePath() {
            return new HookedPath(real.toAbsolutePath());
        }

        @Override
        public Path toRealPath(LinkOption... options) throws IOException {
            return new HookedPath(real.toRealPath(options));
        }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int compareTo(Path other) {
            return real.compareTo(unwrap(other));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof HookedPath && real.equals(((HookedPath) other).real);
        }

        @Override
        public int hashCode() {
            return real.hashCode();
        }

        @Override
        public String toString() {
            return real.toString();
        }
    }

    // ---------------------------------------------------------------- directory streams

    private class HookedStream implements DirectoryStream<Path> {
        private final DirectoryStream<Path> real;

        HookedStream(DirectoryStream<Path> real) {
            this.real = real;
        }

        @Override
        public Iterator<Path> iterator() {
            Iterator<Path> names = real.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return names.hasNext();
                }

                @Override
                public Path next() {
                    return new HookedPath(names.next());
                }
            };
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }

    private final class HookedSecureStream extends HookedStream implements SecureDirectoryStream<Path> {
        private final SecureDirectoryStream<Path> real;

        HookedSecureStream(SecureDirectoryStream<Path> real) {
            super(real);
            this.real = real;
        }

        @Override
        public SecureDirectoryStream<Path> newDirectoryStream(Path name, LinkOption... options) throws IOException {
            fire(Call.OPEN_FOLDER, name);
            return new HookedSecureStream(real.newDirectoryStream(unwrap(name), options));
        }

        @Override
        public SeekableByteChannel newByteChannel(Path name, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            fireOpen(name, options);
            return real.newByteChannel(unwrap(name), options, attrs);
        }

        @Override
        public void deleteFile(Path name) throws IOException {
            fire(Call.DELETE, name);
            real.deleteFile(unwrap(name));
        }

        @Override
        public void deleteDirectory(Path name) throws IOException {
            fire(Call.DELETE, name);
            real.deleteDirectory(unwrap(name));
        }

        @Override
        public void move(Path source, SecureDirectoryStream<Path> targetFolder, Path target) throws IOException {
            fire(Call.MOVE, source);
            if (!(targetFolder instanceof HookedSecureStream)) {
                throw new ProviderMismatchException();
            }
            real.move(unwrap(source), ((HookedSecureStream) targetFolder).real, unwrap(target));
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Class<V> type) {
            return real.getFileAttributeView(type);
        }

        /** A view whose {@code readAttributes} is a {@link Call#STAT} of the name, as reading them by path is. */
        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path name, Class<V> type, LinkOption... options) {
            V view = real.getFileAttributeView(unwrap(name), type, options);
            if (view == null || !type.isInterface()) {
                return view;
            }
            return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (proxy, method, args) -> {
                        if (method.getName().equals("readAttributes")) {
                            fire(Call.STAT, name);
                        }
                        try {
                            return method.invoke(view, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }));
        }
    }

    // ---------------------------------------------------------------- provider

    private final class Provider extends FileSystemProvider {
        private FileSystemProvider real() {
            return real.provider();
        }

        @Override
        public String getScheme() {
            return "hooked";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path getPath(URI uri) {
            throw new UnsupportedOperationException();
        }

        // newInputStream and newOutputStream are not overridden: the inherited ones open through
        // Files.newByteChannel, so they come here, and run their hooks once.
        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            fireOpen(path, options);
            return real().newByteChannel(unwrap(path), options, attrs);
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            fireOpen(path, options);
            return real().newFileChannel(unwrap(path), options, attrs);
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
            fire(Call.OPEN_FOLDER, dir);
            return wrap(real().newDirectoryStream(unwrap(dir), path -> filter.accept(new HookedPath(path))));
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            fire(Call.MAKE_FOLDER, dir);
            real().createDirectory(unwrap(dir), attrs);
        }

        @Override
        public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
            real().createSymbolicLink(unwrap(link), unwrap(target), attrs);
        }

        @Override
        public Path readSymbolicLink(Path link) throws IOException {
            return new HookedPath(real().readSymbolicLink(unwrap(link)));
        }

        @Override
        public void delete(Path path) throws IOException {
            fire(Call.DELETE, path);
            real().delete(unwrap(path));
        }

        @Override
        public boolean deleteIfExists(Path path) throws IOException {
            fire(Call.DELETE, path);
            return real().deleteIfExists(unwrap(path));
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            real().copy(unwrap(source), unwrap(target), options);
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            fire(Call.MOVE, source);
            real().move(unwrap(source), unwrap(target), options);
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            return path2 instanceof HookedPath && real().isSameFile(unwrap(path), unwrap(path2));
        }

        @Override
        public boolean isHidden(Path path) throws IOException {
            return real().isHidden(unwrap(path));
        }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            return real().getFileStore(unwrap(path));
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            real().checkAccess(unwrap(path), modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return real().getFileAttributeView(unwrap(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
                throws IOException {
            fire(Call.STAT, path);
            return real().readAttributes(unwrap(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
            fire(Call.STAT, path);
            return real().readAttributes(unwrap(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
            real().setAttribute(unwrap(path), attribute, value, options);
        }
    }
}
