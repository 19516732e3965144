package dev.stowage.s3;

import dev.stowage.internal.Digests;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * What one read of a file yields before it is sent: its size, its SHA-256 (stored with the
 * object) and the MD5 of each part the upload will send (for {@code Content-MD5}, which the server
 * checks). The upload then sends exactly {@link #sizeBytes()} bytes, so what the server verifies is
 * what was hashed.
 *
 * <p>The file is read once, and both digests see the very same bytes. A large file's chunks go to
 * SHA-256 on the reading thread and to MD5 on a second thread, so hashing takes the time of the
 * slower digest, not of both; a small file is not worth a second thread. A small file's bytes
 * are kept, read in one go into a buffer of its size, so that they are sent without reading the
 * file again.
 *
 * @param sizeBytes the bytes read
 * @param sha256    the SHA-256 of the whole file, lower-case hex
 * @param partMd5s  the base64 MD5 of each part of {@code partSizeBytes}, in order (one part for a single PUT);
 *                  none when only the SHA-256 was asked for
 * @param content   the bytes read, when the file fitted in one buffer: the first {@code sizeBytes}
 *                  of the array; null for a larger file, which is read again to be sent
 */
record FileDigest(long sizeBytes, String sha256, List<String> partMd5s, byte[] content) {
    /** What a file is read in; a file of up to this size is kept ({@code content}). */
    static final int BUFFER_BYTES = 1 << 20;
    private static final int BUFFERS = 3;

    FileDigest {
        partMd5s = List.copyOf(partMd5s);
    }

    /** Equal when they describe the same bytes: the content kept, if any, is those bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof FileDigest that && sizeBytes == that.sizeBytes && sha256.equals(that.sha256)
                && partMd5s.equals(that.partMd5s);
    }

    @Override
    public int hashCode() {
        return sha256.hashCode();
    }

    @Override
    public String toString() {
        return "FileDigest[sizeBytes=" + sizeBytes + ", sha256=" + sha256 + ", partMd5s=" + partMd5s
                + ", contentKept=" + (content != null) + "]";
    }

    /** The bytes read, when they were kept: see {@code content}. */
    Optional<ByteBuffer> contentRead() {
        return content == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(content, 0, (int) sizeBytes).asReadOnlyBuffer());
    }

    /**
     * Reads the whole file once, computing both digests on the calling thread.
     *
     * @param partSizeBytes where a new MD5 starts; {@link Long#MAX_VALUE} for one MD5 of the whole file
     * @param stop          polled between reads; when true the read stops with a {@link CancellationException}
     */
    static FileDigest of(Path file, long partSizeBytes, BooleanSupplier stop) throws IOException {
        return read(file, partSizeBytes, stop, SameThread::new);
    }

    /**
     * Reads the whole file once, computing MD5s on {@code md5Threads} beside the SHA-256 on the
     * calling thread, unless the file fits in one buffer. The calling thread waits for that MD5
     * work: it must never be a thread of {@code md5Threads}, or of a bounded pool whose threads
     * could all be waiting so.
     *
     * @param partSizeBytes where a new MD5 starts; {@link Long#MAX_VALUE} for one MD5 of the whole file
     * @param stop          polled between reads; when true the read stops with a {@link CancellationException}
     */
    static FileDigest of(Path file, long partSizeBytes, BooleanSupplier stop, Executor md5Threads) throws IOException {
        return read(file, partSizeBytes, stop, size -> size <= BUFFER_BYTES ? new SameThread(size) : new OtherThread(md5Threads, stop));
    }

    /** Reads the whole file once for its SHA-256 alone, on the calling thread: {@code partMd5s} is empty. */
    static FileDigest sha256Only(Path file, BooleanSupplier stop) throws IOException {
        return read(file, Long.MAX_VALUE, stop, NoMd5::new);
    }

    /** @param md5Side where the MD5s of a file of the size given are computed */
    private static FileDigest read(Path file, long partSizeBytes, BooleanSupplier stop, LongFunction<Md5Side> md5Side)
            throws IOException {
        MessageDigest sha256 = Digests.sha256();
        long total = 0;
        int chunks = 0;
        Md5Side md5 = null;
        boolean finished = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            md5 = md5Side.apply(channel.size());
            long inPart = 0;
            while (true) {
                if (stop.getAsBoolean()) {
                    throw new CancellationException("the upload was cancelled while its file was hashed");
                }
                byte[] buffer = md5.freeBuffer();
                // Never read across a part boundary, so each part's MD5 covers exactly its bytes.
                int n = channel.read(ByteBuffer.wrap(buffer, 0, (int) Math.min(buffer.length, partSizeBytes - inPart)));
                if (n < 0) {
                    break;
                }
                sha256.update(buffer, 0, n);
                total += n;
                chunks += n > 0 ? 1 : 0;
                inPart += n;
                boolean endsPart = inPart == partSizeBytes;
                if (endsPart) {
                    inPart = 0;
                }
                md5.add(buffer, n, endsPart);
            }
            List<String> partMd5s = md5.finish();
            finished = true;
            byte[] content = chunks <= 1 ? md5.keptBuffer() : null;
            return new FileDigest(total, Digests.hex(sha256.digest()), partMd5s, content);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while the file was hashed");
        } finally {
            if (!finished && md5 != null) {
                md5.abandon();
            }
        }
    }

    /** The MD5s of consecutive parts, fed chunk by chunk. Not thread-safe. */
    private static final class PartMd5s {
        private final MessageDigest md5 = Digests.md5();
        private final List<String> parts = new ArrayList<>();
        private boolean pending;

        void update(byte[] data, int length, boolean endsPart) {
            md5.update(data, 0, length);
            pending = true;
            if (endsPart) {
                parts.add(Base64.getEncoder().encodeToString(md5.digest()));
                pending = false;
            }
        }

        /** Every part's MD5, the last one's included; one MD5 of nothing for an empty file. */
        List<String> finish() {
            if (pending || parts.isEmpty()) {
                parts.add(Base64.getEncoder().encodeToString(md5.digest()));
            }
            return parts;
        }
    }

    /** Where the chunks read go for their MD5s; the reader takes its buffers from here. */
    private interface Md5Side {
        byte[] freeBuffer() throws InterruptedException;

        void add(byte[] buffer, int length, boolean endsPart) throws InterruptedException;

        List<String> finish() throws InterruptedException;

        /** The reading stopped early: let go of whatever waits for more chunks. */
        default void abandon() {
        }

        /** The one buffer that holds the whole file when it was read in one chunk, if this side keeps it; else null. */
        default byte[] keptBuffer() {
            return null;
        }
    }

    /**
     * MD5 on the reading thread, after each chunk's SHA-256: one buffer, a byte larger than the
     * file was when opened (so that its end is seen without another buffer), at most {@link #BUFFER_BYTES}.
     */
    private static final class SameThread implements Md5Side {
        private final byte[] buffer;
        private final PartMd5s md5s = new PartMd5s();

        SameThread(long sizeBytes) {
            buffer = new byte[(int) Math.min(BUFFER_BYTES, sizeBytes + 1)];
        }

        @Override
        public byte[] keptBuffer() {
            return buffer;
        }

        @Override
        public byte[] freeBuffer() {
            return buffer;
        }

        @Override
        public void add(byte[] data, int length, boolean endsPart) {
            md5s.update(data, length, endsPart);
        }

        @Override
        public List<String> finish() {
            return md5s.finish();
        }
    }

    /** No MD5 at all: one buffer, as {@link SameThread}'s. */
    private static final class NoMd5 implements Md5Side {
        private final byte[] buffer;

        NoMd5(long sizeBytes) {
            buffer = new byte[(int) Math.min(BUFFER_BYTES, sizeBytes + 1)];
        }

        @Override
        public byte[] freeBuffer() {
            return buffer;
        }

        @Override
        public void add(byte[] data, int length, boolean endsPart) {
        }

        @Override
        public List<String> finish() {
            return List.of();
        }
    }

    /** MD5 on another thread: chunks travel to it in a few buffers, which come back once digested. */
    private static final class OtherThread implements Md5Side {
        /** A chunk read from the file: {@code length} bytes of {@code data}; the last of a part if {@code endsPart}. */
        private record Chunk(byte[] data, int length, boolean endsPart) {
            static final Chunk END = new Chunk(new byte[0], 0, false);
        }

        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
        private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(BUFFERS + 1);
        private final AtomicBoolean abandoned = new AtomicBoolean();
        private final BooleanSupplier stop;
        private final CompletableFuture<List<String>> md5s;

        OtherThread(Executor md5Threads, BooleanSupplier stop) {
            this.stop = stop;
            for (int i = 0; i < BUFFERS; i++) {
                free.add(new byte[BUFFER_BYTES]);
            }
            this.md5s = CompletableFuture.supplyAsync(this::digestChunks, md5Threads);
        }

        /** The MD5 side: digests the chunks in order until {@link Chunk#END}. */
        private List<String> digestChunks() {
            PartMd5s parts = new PartMd5s();
            try {
                while (true) {
                    Chunk chunk = filled.poll(100, TimeUnit.MILLISECONDS);
                    if (chunk == null) {
                        if (abandoned.get()) {
                            throw new CancellationException("the file's reading stopped");
                        }
                        continue;
                    }
                    if (chunk == Chunk.END) {
                        return parts.finish();
                    }
                    parts.update(chunk.data(), chunk.length(), chunk.endsPart());
                    free.put(chunk.data());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while the file was hashed");
            }
        }

        /** A free buffer; fails if the MD5 side ended early instead of handing buffers back. */
        @Override
        public byte[] freeBuffer() throws InterruptedException {
            while (true) {
                byte[] buffer = free.poll(100, TimeUnit.MILLISECONDS);
                if (buffer != null) {
                    return buffer;
                }
                if (stop.getAsBoolean()) {
                    throw new CancellationException("the upload was cancelled while its file was hashed");
                }
                if (md5s.isDone()) {
                    md5s.join(); // throws what ended it
                    throw new CompletionException(new IllegalStateException("the MD5 thread ended before the file was read"));
                }
            }
        }

        @Override
        public void add(byte[] buffer, int length, boolean endsPart) throws InterruptedException {
            filled.put(new Chunk(buffer, length, endsPart));
        }

        @Override
        public List<String> finish() throws InterruptedException {
            filled.put(Chunk.END);
            return md5s.join();
        }

        /** The MD5 thread polls for this, so it never waits for chunks that will not come. */
        @Override
        public void abandon() {
            abandoned.set(true);
        }
    }
}
