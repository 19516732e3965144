package dev.stowage.sync;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one {@code stat} of a path says: its type, and for a regular file the fields that tell
 * whether it changed. Inode and ctime are read where the platform has them ({@code unix} view),
 * in the same system call as size and mtime; elsewhere they are -1.
 */
record FileStat(Type type, long size, long mtimeNanos, long inode, long ctimeNanos) {

    enum Type { FILE, DIRECTORY, LINK, OTHER }

    private static final String UNIX_ATTRIBUTES =
            "unix:size,lastModifiedTime,ino,ctime,isRegularFile,isDirectory,isSymbolicLink";

    /** Reads {@code path}'s attributes, following a final link only when {@code follow}. */
    static FileStat of(Path path, boolean follow) throws IOException {
        LinkOption[] options = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        if (hasUnixView(path.getFileSystem())) {
            Map<String, Object> a = Files.readAttributes(path, UNIX_ATTRIBUTES, options);
            Type type = (Boolean) a.get("isRegularFile") ? Type.FILE
                    : (Boolean) a.get("isDirectory") ? Type.DIRECTORY
                    : (Boolean) a.get("isSymbolicLink") ? Type.LINK : Type.OTHER;
            return new FileStat(type, (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
                    ((Number) a.get("ino")).longValue(), nanos((FileTime) a.get("ctime")));
        }
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, options);
        Type type = a.isRegularFile() ? Type.FILE : a.isDirectory() ? Type.DIRECTORY
                : a.isSymbolicLink() ? Type.LINK : Type.OTHER;
        return new FileStat(type, a.size(), nanos(a.lastModifiedTime()), -1, -1);
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
}
