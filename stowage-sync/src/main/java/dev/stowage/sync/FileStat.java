package dev.stowage.sync;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one {@code stat} of a path says: its type, and for a regular file the fields that tell
 * whether it changed. Inode and ctime are read where the platform has them ({@code unix} view),
 * in the same system call as size and mtime; elsewhere they are -1.
 *
 * <p>The {@code unix} view answers with a map, which it builds from the names asked for at every
 * call: for a walk of many small files that costs about as much as the system call. When
 * {@code java.base} opens {@code sun.nio.fs} to Stowage (the {@code stowage} jar's manifest does:
 * {@code Add-Opens}), the same attributes are read from the JDK's own object instead; the
 * figures are the same.
 */
record FileStat(Type type, long size, long mtimeNanos, long inode, long ctimeNanos) {

    enum Type { FILE, DIRECTORY, LINK, OTHER }

    private static final String UNIX_ATTRIBUTES =
            "unix:size,lastModifiedTime,ino,ctime,isRegularFile,isDirectory,isSymbolicLink";

    private static final LinkOption[] FOLLOW = new LinkOption[0];
    private static final LinkOption[] NOFOLLOW = new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    /** The JDK's POSIX attributes and their inode and ctime accessors, when they may be called; else null. */
    private static final UnixAccessors UNIX = UnixAccessors.find();

    /** Reads {@code path}'s attributes, following a final link only when {@code follow}. */
    static FileStat of(Path path, boolean follow) throws IOException {
        LinkOption[] options = follow ? FOLLOW : NOFOLLOW;
        if (UNIX != null && path.getFileSystem() == FileSystems.getDefault()) {
            PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, options);
            if (UNIX.type.isInstance(a)) {
                return fromJdk(a);
            }
        }
        return viaUnixView(path, options);
    }

    /**
     * The same for an entry of an open folder, read relative to it where the JDK's own attributes
     * are readable ({@code fstatat}: the kernel resolves one name, not the whole path).
     */
    static FileStat in(SecureDirectoryStream<Path> folder, Path entry, boolean follow) throws IOException {
        if (UNIX != null) {
            PosixFileAttributeView view = folder.getFileAttributeView(entry.getFileName(), PosixFileAttributeView.class,
                    follow ? FOLLOW : NOFOLLOW);
            if (view != null) {
                PosixFileAttributes a = view.readAttributes();
                if (UNIX.type.isInstance(a)) {
                    return fromJdk(a);
                }
            }
        }
        return of(entry, follow);
    }

    /** The same, read through the {@code unix} view's map where there is one. */
    static FileStat viaUnixView(Path path, LinkOption... options) throws IOException {
        if (hasUnixView(path.getFileSystem())) {
            Map<String, Object> a = Files.readAttributes(path, UNIX_ATTRIBUTES, options);
            Type type = (Boolean) a.get("isRegularFile") ? Type.FILE
                    : (Boolean) a.get("isDirectory") ? Type.DIRECTORY
                    : (Boolean) a.get("isSymbolicLink") ? Type.LINK : Type.OTHER;
            return new FileStat(type, (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
                    ((Number) a.get("ino")).longValue(), nanos((FileTime) a.get("ctime")));
        }
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, options);
        return new FileStat(type(a), a.size(), nanos(a.lastModifiedTime()), -1, -1);
    }

    private static FileStat fromJdk(PosixFileAttributes a) {
        return new FileStat(type(a), a.size(), nanos(a.lastModifiedTime()), UNIX.inode(a), nanos(UNIX.ctime(a)));
    }

    /** Whether inode and ctime are read from the JDK's own attributes (see the class comment). */
    static boolean readsJdkAttributes() {
        return UNIX != null;
    }

    private static Type type(BasicFileAttributes a) {
        return a.isRegularFile() ? Type.FILE : a.isDirectory() ? Type.DIRECTORY : a.isSymbolicLink() ? Type.LINK : Type.OTHER;
    }

    /** True when both stats describe the same, unchanged content. */
    boolean sameAs(FileStat other) {
        return type == other.type && size == other.size && mtimeNanos == other.mtimeNanos
                && inode == other.inode && ctimeNanos == other.ctimeNanos;
    }

    private static boolean hasUnixView(FileSystem fs) {
        return fs.supportedFileAttributeViews().contains("unix");
    }

    private static long nanos(FileTime time) {
        return time.to(TimeUnit.NANOSECONDS);
    }

    /** {@code sun.nio.fs.UnixFileAttributes}, with its {@code ino()} and {@code ctime()}. */
    private static final class UnixAccessors {
        final Class<?> type;
        private final MethodHandle ino;
        private final MethodHandle ctime;

        private UnixAccessors(Class<?> type, MethodHandle ino, MethodHandle ctime) {
            this.type = type;
            this.ino = ino;
            this.ctime = ctime;
        }

        /** The accessors, or null where the class is missing or not opened to this module. */
        static UnixAccessors find() {
            try {
                Class<?> type = Class.forName("sun.nio.fs.UnixFileAttributes");
                Method ino = type.getDeclaredMethod("ino");
                Method ctime = type.getDeclaredMethod("ctime");
                if (ino.getReturnType() != long.class || ctime.getReturnType() != FileTime.class
                        || !ino.trySetAccessible() || !ctime.trySetAccessible()) {
                    return null;
                }
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                return new UnixAccessors(type, lookup.unreflect(ino).asType(MethodType.methodType(long.class, Object.class)),
                        lookup.unreflect(ctime).asType(MethodType.methodType(FileTime.class, Object.class)));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }

        long inode(Object attributes) {
            try {
                return (long) ino.invokeExact(attributes);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot read the inode from " + type.getName(), e);
            }
        }

        FileTime ctime(Object attributes) {
            try {
                return (FileTime) ctime.invokeExact(attributes);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot read the ctime from " + type.getName(), e);
            }
        }
    }
}
