package dev.stowage.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An open folder, and what {@link LocalBackend} does to the names in it. Where the platform offers
 * a {@link SecureDirectoryStream} (Linux), the folder is held by a descriptor and every call is
 * made relative to it, following no symbolic link: a folder on the way that is swapped for a link
 * afterwards changes nothing. Elsewhere the calls go by path: the caller's checks still run, but a
 * swap between a check and a call is not seen.
 *
 * <p>Not thread-safe: a folder belongs to one operation, which closes it.
 */
interface Folder extends AutoCloseable {
    /**
     * Opens a folder known by its path, such as {@code base_path}'s: a link at its last name, or
     * anything but a folder, fails.
     *
     * @throws FileSystemException if it is missing, a link or not a folder
     */
    static Folder openRoot(Path folder) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(folder);
        if (!(stream instanceof SecureDirectoryStream)) {
            stream.close();
            return ByPath.open(folder);
        }
        Folder open = new Secure((SecureDirectoryStream<Path>) stream, folder);
        try {
            // Opening by path follows a link at the last name; only the same folder, looked at
            // without following, shows that none was there. (Opening it from its parent would
            // need the right to read the parent, which the server may not have.)
            BasicFileAttributes attrs = Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory() || !Objects.equals(attrs.fileKey(), open.fileKey())) {
                throw new NotDirectoryException(folder.toString());
            }
            return open;
        } catch (IOException | RuntimeException e) {
            open.close();
            throw e;
        }
    }

    /** The folder's path as it was reached, for messages and for what only a path can do. */
    Path path();

    /** The attributes of an entry, a link's own if it is one; {@code null} if there is none. */
    BasicFileAttributes attributes(String name) throws IOException;

    /**
     * Opens the folder {@code name} in this one, following no link.
     *
     * @throws FileSystemException if it is missing, a link or not a folder
     */
    Folder open(String name) throws IOException;

    /** The names of the entries, in no order. */
    List<String> names() throws IOException;

    /** Creates a new file for writing; fails if the name is taken, by a link too. */
    FileChannel newFile(String name) throws IOException;

    /** Renames an entry of this folder to {@code targetName} in {@code target}, atomically, replacing what is there. */
    void move(String name, Folder target, String targetName) throws IOException;

    /**
     * Tells this folder that it was renamed to {@code name} in {@code parent}. A folder held by a
     * descriptor follows by itself; one known by its path learns its new path.
     */
    void movedInto(Folder parent, String name);

    /** Deletes a file, or a link itself. */
    void delete(String name) throws IOException;

    /** Deletes an empty folder; fails on a link or a folder that is not empty. */
    void deleteFolder(String name) throws IOException;

    /** What tells this folder from any other on disk ({@link BasicFileAttributes#fileKey()}), or {@code null} if the platform has nothing. */
    Object fileKey() throws IOException;

    /** Whether both are the same folder on disk, wherever it has moved. */
    default boolean isSame(Folder other) throws IOException {
        Object key = fileKey();
        return key != null ? key.equals(other.fileKey()) : path().equals(other.path());
    }

    /** Flushes the folder's entries to disk, so a rename in it survives a crash; where a folder cannot be synced, does nothing. */
    void sync();

    /** Closes the folder; never fails. */
    @Override
    void close();

    private static List<String> namesIn(DirectoryStream<Path> entries) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return names;
    }

    /** A folder held by a descriptor: every call is relative to it and follows no link. */
    final class Secure implements Folder {
        private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

        private final SecureDirectoryStream<Path> stream;
        private final Path path;

        private Secure(SecureDirectoryStream<Path> stream, Path path) {
            this.stream = stream;
            this.path = path;
        }

        private Path name(String name) {
            return path.getFileSystem().getPath(name);
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public BasicFileAttributes attributes(String name) throws IOException {
            try {
                return stream.getFileAttributeView(name(name), BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        /**
         * Opens {@code name/.}, not {@code name}: the JDK opens without O_DIRECTORY, so opening a
         * name swapped for a FIFO would block for ever, where {@code name/.} fails at once
         * (ENOTDIR). The last step of that path is {@code .}, so the name itself could be followed
         * were it swapped for a link: the opened folder must be the very one looked at first.
         */
        @Override
        public Folder open(String name) throws IOException {
            BasicFileAttributes looked = attributes(name);
            if (looked == null) {
                throw new NoSuchFileException(path.resolve(name).toString());
            }
            if (!looked.isDirectory()) {
                throw new NotDirectoryException(path.resolve(name).toString());
            }
            Secure opened = new Secure(stream.newDirectoryStream(name(name).resolve("."), NO_FOLLOW), path.resolve(name));
            try {
                if (looked.fileKey() == null || !looked.fileKey().equals(opened.fileKey())) {
                    throw new FileSystemException(path.resolve(name).toString(), null, "the folder changed while it was opened");
                }
                return opened;
            } catch (IOException | RuntimeException e) {
                opened.close();
                throw e;
            }
        }

        @Override
        public List<String> names() throws IOException {
            return namesIn(stream);
        }

        @Override
        public FileChannel newFile(String name) throws IOException {
            return fileChannel(stream.newByteChannel(name(name),
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)));
        }

        @Override
        public void move(String name, Folder target, String targetName) throws IOException {
            stream.move(name(name), ((Secure) target).stream, name(targetName));
        }

        @Override
        public void movedInto(Folder parent, String name) {
            // The descriptor is the folder itself, wherever it is.
        }

        @Override
        public void delete(String name) throws IOException {
            stream.deleteFile(name(name));
        }

        @Override
        public void deleteFolder(String name) throws IOException {
            stream.deleteDirectory(name(name));
        }

        @Override
        public Object fileKey() throws IOException {
            return stream.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
        }

        @Override
        public void sync() {
            // "." opened through the descriptor is this very folder, wherever it has moved.
            try (FileChannel self = fileChannel(stream.newByteChannel(name("."),
                    Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))) {
                self.force(true);
            } catch (IOException e) {
                // Some platforms cannot open or sync a folder; the file itself is already on disk.
            }
        }

        @Override
        public void close() {
            try {
                stream.close();
            } catch (IOException e) {
                // Nothing was written through it; a failed close loses nothing.
            }
        }

        private static FileChannel fileChannel(SeekableByteChannel channel) throws IOException {
            if (channel instanceof FileChannel) {
                return (FileChannel) channel;
            }
            channel.close();
            throw new IOException("this file system's files cannot be flushed to disk: " + channel.getClass().getName());
        }
    }

    /** A folder known by its path, where no {@link SecureDirectoryStream} is offered. */
    final class ByPath implements Folder {
        private final Path openedAt;
        private Folder movedInto; // once renamed: the folder it is in now, as movedAs, so that a later
        private String movedAs;   // rename of that folder carries it along

        private ByPath(Path openedAt) {
            this.openedAt = openedAt;
        }

        static Folder open(Path path) throws IOException {
            if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isDirectory()) {
                throw new NotDirectoryException(path.toString());
            }
            return new ByPath(path);
        }

        @Override
        public Path path() {
            return movedInto == null ? openedAt : movedInto.path().resolve(movedAs);
        }

        @Override
        public void movedInto(Folder parent, String name) {
            movedInto = parent;
            movedAs = name;
        }

        @Override
        public BasicFileAttributes attributes(String name) throws IOException {
            try {
                return Files.readAttributes(path().resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        @Override
        public Folder open(String name) throws IOException {
            return open(path().resolve(name));
        }

        @Override
        public List<String> names() throws IOException {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path())) {
                return namesIn(entries);
            }
        }

        @Override
        public FileChannel newFile(String name) throws IOException {
            return FileChannel.open(path().resolve(name),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        public void move(String name, Folder target, String targetName) throws IOException {
            Files.move(path().resolve(name), target.path().resolve(targetName),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public void delete(String name) throws IOException {
            Files.delete(path().resolve(name));
        }

        @Override
        public void deleteFolder(String name) throws IOException {
            Path folder = path().resolve(name);
            if (Files.isSymbolicLink(folder)) {
                throw new NotDirectoryException(folder.toString()); // deleting would remove the link, not an empty folder
            }
            Files.delete(folder);
        }

        @Override
        public Object fileKey() throws IOException {
            return Files.readAttributes(path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        }

        @Override
        public void sync() {
            try (FileChannel channel = FileChannel.open(path(), StandardOpenOption.READ)) {
                channel.force(true);
            } catch (IOException e) {
                // Some platforms cannot open or sync a folder; the file itself is already on disk.
            }
        }

        @Override
        public void close() {
            // Nothing is held.
        }
    }
}
