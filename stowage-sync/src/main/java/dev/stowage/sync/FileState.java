package dev.stowage.sync;

import java.util.Objects;

/**
 * One regular file as a scan saw it: its key, the stat fields that tell whether it changed, and
 * the SHA-256 of its content.
 *
 * @param key        the file's key: its path under the root, {@code /}-separated, Unicode NFC
 * @param size       size in bytes
 * @param mtimeNanos last modification time, nanoseconds since the epoch
 * @param inode      the file's inode number, or -1 where the platform has none
 * @param ctimeNanos the inode change time in nanoseconds, or -1 where the platform has none
 * @param sha256     SHA-256 of the content, 64 lower-case hex digits
 */
public record FileState(String key, long size, long mtimeNanos, long inode, long ctimeNanos, String sha256) {

    public FileState {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sha256, "sha256");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
    }

    /** True when {@code stat} shows the same file unchanged: same size, mtime, inode and ctime. */
    boolean sameStat(FileStat stat) {
        return size == stat.size() && mtimeNanos == stat.mtimeNanos()
                && inode == stat.inode() && ctimeNanos == stat.ctimeNanos();
    }
}
