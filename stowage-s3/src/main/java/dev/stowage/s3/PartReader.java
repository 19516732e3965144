package dev.stowage.s3;

import dev.stowage.internal.Digests;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * Reads the parts of a multipart upload's file in order, each once, and takes the SHA-256 of
 * everything read, so that the upload can check it against the one it was planned with before it
 * is completed. A part small enough is read into a buffer, whose MD5 is then taken and whose bytes
 * are sent: what the server checks is what was read. A larger part is hashed in place (SHA-256
 * and MD5) and sent from the file, whose bytes the server then checks against that MD5. Every part
 * but the last is {@code partSizeBytes} long. Not thread-safe: one part at a time, in order.
 */
final class PartReader {
    /** Parts up to this size are read into memory; larger ones (files over 625 GiB with 8 MiB parts) are hashed in place. */
    static final long MAX_BUFFERED_PART_BYTES = 64L << 20;
    private static final int CHUNK_BYTES = 1 << 20;

    private final Path source;
    private final long sizeBytes;
    private final long partSizeBytes;
    private final MessageDigest sha256 = Digests.sha256();
    private int next = 1;

    PartReader(Path source, long sizeBytes, long partSizeBytes) {
        this.source = source;
        this.sizeBytes = sizeBytes;
        this.partSizeBytes = partSizeBytes;
    }

    int partCount() {
        return (int) Math.max(1, (sizeBytes + partSizeBytes - 1) / partSizeBytes);
    }

    long offset(int number) {
        return (number - 1) * partSizeBytes;
    }

    long length(int number) {
        return Math.min(partSizeBytes, sizeBytes - offset(number));
    }

    /** Whether the parts are read into buffers ({@link #read}) rather than hashed in place ({@link #hashInPlace}). */
    boolean buffered() {
        return partSizeBytes <= MAX_BUFFERED_PART_BYTES;
    }

    /**
     * Reads the next part into {@code buffer} (of the part size, or larger), which it then holds
     * from its position 0 to its limit.
     *
     * @throws EOFException if the file ends before the part does: it shrank since it was planned
     */
    void read(int number, ByteBuffer buffer) throws IOException {
        requireNext(number);
        long offset = offset(number);
        buffer.clear().limit((int) length(number));
        try (FileChannel channel = FileChannel.open(source, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw shorter(offset + buffer.position(), offset + length(number));
                }
            }
        }
        buffer.flip();
        sha256.update(buffer.duplicate());
        next++;
    }

    /**
     * Hashes the next part where it is, for a part sent from the file.
     *
     * @return the part's MD5, base64
     * @throws EOFException if the file ends before the part does
     */
    String hashInPlace(int number) throws IOException {
        requireNext(number);
        MessageDigest md5 = Digests.md5();
        eachChunk(source, offset(number), length(number), chunk -> {
            sha256.update(chunk.duplicate());
            md5.update(chunk);
        });
        next++;
        return Base64.getEncoder().encodeToString(md5.digest());
    }

    /** Whether every part has been read or hashed. */
    boolean done() {
        return next > partCount();
    }

    /** The SHA-256 of every part, lower-case hex; once {@link #done()}. */
    String sha256() {
        if (!done()) {
            throw new IllegalStateException("part " + next + " of " + partCount() + " is still to read");
        }
        return Digests.hex(sha256.digest());
    }

    /** The MD5 of the buffer's remaining bytes, base64; the buffer is left as it was. */
    static String md5(ByteBuffer bytes) {
        MessageDigest md5 = Digests.md5();
        md5.update(bytes.duplicate());
        return Base64.getEncoder().encodeToString(md5.digest());
    }

    /**
     * The MD5 of a byte range of a file, base64.
     *
     * @throws EOFException if the file ends before the range does
     */
    static String md5(Path file, long offset, long length) throws IOException {
        MessageDigest md5 = Digests.md5();
        eachChunk(file, offset, length, md5::update);
        return Base64.getEncoder().encodeToString(md5.digest());
    }

    /** Reads a byte range of a file a chunk at a time, each chunk from its position to its limit. */
    private static void eachChunk(Path file, long offset, long length, Consumer<ByteBuffer> sink) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(1, length)));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long done = 0;
            while (done < length) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), length - done));
                int n = channel.read(chunk, offset + done);
                if (n < 0) {
                    throw shorter(offset + done, offset + length);
                }
                chunk.flip();
                sink.accept(chunk);
                done += n;
            }
        }
    }

    private void requireNext(int number) {
        if (number != next) {
            throw new IllegalStateException("part " + number + " read out of order: part " + next + " is next");
        }
    }

    private static EOFException shorter(long at, long expected) {
        return new EOFException("the file ends at byte " + at + ", not at byte " + expected + " or later as planned");
    }
}
