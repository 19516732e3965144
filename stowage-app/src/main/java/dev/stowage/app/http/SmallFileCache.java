package dev.stowage.app.http;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of small files already sent, to be sent again without opening and reading the file.
 * An entry serves only while the file has the size, modification time and identity (device and
 * inode) it was read with, as the lookup's {@code lstat} of this request gives them: a file
 * replaced (the publisher renames a new one in place) or rewritten is read again. The attributes
 * are those taken before the read, so bytes that changed between the two never match a later
 * request. Bounded in bytes; when a new entry would pass the bound, others go, in no particular
 * order. Entries are direct buffers, written to the socket without a copy. Thread-safe.
 */
final class SmallFileCache {
    /** The bytes of all entries together, at most. */
    static final long MAX_BYTES = 64L << 20;

    private record Entry(long size, FileTime modified, Object fileKey, ByteBuffer bytes) {
        boolean describes(BasicFileAttributes attributes) {
            return size == attributes.size() && modified.equals(attributes.lastModifiedTime())
                    && fileKey != null && fileKey.equals(attributes.fileKey());
        }
    }

    private final Map<Path, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final long maxBytes;

    SmallFileCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The file's bytes, ready to write, if kept and the file is still as it was read; else null. */
    ByteBuffer get(Path path, BasicFileAttributes now) {
        Entry entry = entries.get(path);
        return entry != null && entry.describes(now) ? entry.bytes().duplicate() : null;
    }

    /** Whether the file's bytes are kept and it is still as it was read. */
    boolean has(Path path, BasicFileAttributes now) {
        Entry entry = entries.get(path);
        return entry != null && entry.describes(now);
    }

    /**
     * Keeps the bytes of a file read, with the attributes taken before it was read. A file whose
     * platform gives no identity (no {@code fileKey}) is not kept: its replacement could not be told.
     *
     * @return the bytes to write: a copy in direct memory if kept, else those given
     */
    ByteBuffer put(Path path, BasicFileAttributes before, ByteBuffer read) {
        int size = read.remaining();
        if (before.fileKey() == null || size != before.size() || size > maxBytes) {
            return read;
        }
        ByteBuffer kept = ByteBuffer.allocateDirect(size).put(read.duplicate()).flip().asReadOnlyBuffer();
        Entry entry = new Entry(before.size(), before.lastModifiedTime(), before.fileKey(), kept);
        Entry old = entries.put(path, entry);
        long total = bytes.addAndGet(size - (old == null ? 0 : old.bytes().capacity()));
        for (Iterator<Map.Entry<Path, Entry>> it = entries.entrySet().iterator(); total > maxBytes && it.hasNext(); ) {
            Map.Entry<Path, Entry> other = it.next();
            if (other.getValue() != entry && entries.remove(other.getKey(), other.getValue())) {
                total = bytes.addAndGet(-other.getValue().bytes().capacity());
            }
        }
        return kept.duplicate();
    }

    /** The bytes kept now: for tests. */
    long bytes() {
        return bytes.get();
    }

    /** Whether the path has an entry, current or not: for tests. */
    boolean holds(Path path) {
        return entries.containsKey(Objects.requireNonNull(path));
    }
}
