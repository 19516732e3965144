package dev.stowage.app.http;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.DateGenerator;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;

/**
 * The bytes of small files already sent, to be sent again without opening and reading the file.
 * An entry serves only while the file has the size, modification time, identity (device and
 * inode) and permission bits it was read with, as the lookup of the request gives them: a file
 * replaced (the publisher renames a new one in place) or rewritten is read again, and one whose
 * permissions changed is checked again for reading. A file modified in the last
 * {@link #RACY} before it was read is not kept: a write under way may leave its final size and
 * time before its last bytes, within one tick of the file system's clock, so what was read may be
 * neither the old content nor the new (git's "racy" files). Bounded in bytes: once full, new files
 * are not kept until entries go (their file changed), so that direct memory is not taken anew at
 * each miss and left for a collection to free. Entries are direct buffers, written to the socket
 * without a copy, with their ETag, Last-Modified and Content-Length headers encoded once. Thread-safe.
 */
final class SmallFileCache {
    /** The bytes of all entries together, at most. */
    static final long MAX_BYTES = 64L << 20;
    /** How long a file must have been left unmodified, when it is read, to be kept. */
    static final Duration RACY = Duration.ofSeconds(2);

    /**
     * A file kept: its bytes, and the headers that describe them, encoded once (the content type
     * is not among them: it follows the key asked for, and links may give one file several).
     */
    record Kept(ByteBuffer bytes, HttpField etag, HttpField lastModified, HttpField contentLength) {
    }

    private record Entry(long size, FileTime modified, Object fileKey, Set<PosixFilePermission> permissions, ByteBuffer bytes,
                         Kept headers) {
        boolean describes(BasicFileAttributes attributes) {
            return size == attributes.size() && modified.equals(attributes.lastModifiedTime())
                    && fileKey != null && fileKey.equals(attributes.fileKey())
                    && Objects.equals(permissions, permissionsOf(attributes));
        }
    }

    /** The permission bits, where the attributes have them; null elsewhere. */
    private static Set<PosixFilePermission> permissionsOf(BasicFileAttributes attributes) {
        return attributes instanceof PosixFileAttributes posix ? posix.permissions() : null;
    }

    private final Map<Path, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final long maxBytes;

    SmallFileCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * The file's bytes, ready to write, and its headers, if kept and the file is still as it was
     * read; else null, and an entry of the file as it was goes, making room.
     */
    Kept get(Path path, BasicFileAttributes now) {
        Entry entry = entries.get(path);
        if (entry == null) {
            return null;
        }
        if (entry.describes(now)) {
            Kept kept = entry.headers();
            return new Kept(entry.bytes().duplicate(), kept.etag(), kept.lastModified(), kept.contentLength());
        }
        if (entries.remove(path, entry)) {
            bytes.addAndGet(-entry.bytes().capacity());
        }
        return null;
    }

    /**
     * Keeps the bytes of a file read, with the attributes taken before it was read, if there is room
     * and the file was not modified lately. A file whose platform gives no identity (no
     * {@code fileKey}) is not kept: its replacement could not be told.
     *
     * @param now when the file was read
     * @return the bytes to write: a copy in direct memory if kept, else those given
     */
    ByteBuffer put(Path path, BasicFileAttributes before, ByteBuffer read, Instant now) {
        int size = read.remaining();
        if (before.fileKey() == null || size != before.size()
                || before.lastModifiedTime().toInstant().isAfter(now.minus(RACY))) {
            return read;
        }
        if (bytes.addAndGet(size) > maxBytes) { // room taken first, so that puts at once cannot pass the bound
            bytes.addAndGet(-size);
            return read; // full: what is kept stays until its file changes
        }
        ByteBuffer kept = ByteBuffer.allocateDirect(size).put(read.duplicate()).flip().asReadOnlyBuffer();
        Kept headers = new Kept(null, new PreEncodedHttpField(HttpHeader.ETAG, FileContent.strongEtag(before)),
                new PreEncodedHttpField(HttpHeader.LAST_MODIFIED, DateGenerator.formatDate(before.lastModifiedTime().toInstant())),
                new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, Long.toString(size)));
        Entry entry = new Entry(before.size(), before.lastModifiedTime(), before.fileKey(), permissionsOf(before), kept, headers);
        Entry replaced = entries.put(path, entry);
        if (replaced != null) {
            bytes.addAndGet(-replaced.bytes().capacity());
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
