package dev.stowage.s3;

import dev.stowage.internal.Digests;
import dev.stowage.internal.IoExecutors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * What one read of a file yields before it is sent: its size, its SHA-256 (stored with the
 * object) and the MD5 of each part the upload will send (for {@code Content-MD5}, which the server
 * checks). The upload then sends exactly {@link #sizeBytes()} bytes, so what the server verifies is
 * what was hashed.
 *
 * <p>The file is read once. Each chunk goes to SHA-256 on the reading thread and to MD5 on a
 * second thread, so both digests see the very same bytes and take the time of the slower one, not
 * of both.
 *
 * @param sizeBytes the bytes read
 * @param sha256    the SHA-256 of the whole file, lower-case hex
 * @param partMd5s  the base64 MD5 of each part of {@code partSizeBytes}, in order (one part for a single PUT)
 */
record FileDigest(long sizeBytes, String sha256, List<String> partMd5s) {
    private static final int BUFFER_BYTES = 1 << 20;
    private static final int BUFFERS = 3;
    /** Threads that compute MD5s, shared by every backend; they hold nothing while idle. */
    private static final ExecutorService MD5_THREADS =
            IoExecutors.newPool("stowage-s3-md5", Math.max(2, Runtime.getRuntime().availableProcessors()));

    FileDigest {
        partMd5s = List.copyOf(partMd5s);
    }

    /** A chunk read from the file: {@code length} bytes of {@code data}; the last of a part if {@code endsPart}. */
    private record Chunk(byte[] data, int length, boolean endsPart) {
        static final Chunk END = new Chunk(new byte[0], 0, false);
    }

    /**
     * Reads the whole file once.
     *
     * @param partSizeBytes where a new MD5 starts; {@link Long#MAX_VALUE} for one MD5 of the whole file
     * @param stop          polled between reads; when true the read stops with a {@link CancellationException}
     */
    static FileDigest of(Path file, long partSizeBytes, BooleanSupplier stop) throws IOException {
        MessageDigest sha256 = Digests.sha256();
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[BUFFER_BYTES]);
        }
        BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(BUFFERS + 1);
        AtomicBoolean abandoned = new AtomicBoolean();
        CompletableFuture<List<String>> md5s = CompletableFuture.supplyAsync(() -> md5s(filled, free, abandoned), MD5_THREADS);
        long total = 0;
        boolean finished = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long inPart = 0;
            while (true) {
                if (stop.getAsBoolean()) {
                    throw new CancellationException("the upload was cancelled while its file was hashed");
                }
                byte[] buffer = take(free, md5s, stop);
                // Never read across a part boundary, so each part's MD5 covers exactly its bytes.
                int n = channel.read(ByteBuffer.wrap(buffer, 0, (int) Math.min(BUFFER_BYTES, partSizeBytes - inPart)));
                if (n < 0) {
                    break;
                }
                sha256.update(buffer, 0, n);
                total += n;
                inPart += n;
                boolean endsPart = inPart == partSizeBytes;
                if (endsPart) {
                    inPart = 0;
                }
                filled.put(new Chunk(buffer, n, endsPart));
            }
            filled.put(Chunk.END);
            finished = true;
            return new FileDigest(total, Digests.hex(sha256.digest()), md5s.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while the file was hashed");
        } finally {
            if (!finished) {
                abandoned.set(true); // the MD5 thread polls for this, so it never waits for chunks that will not come
            }
        }
    }

    /** The MD5 side: digests the chunks in order, one MD5 per part, until {@link Chunk#END}. */
    private static List<String> md5s(BlockingQueue<Chunk> filled, BlockingQueue<byte[]> free, AtomicBoolean abandoned) {
        MessageDigest md5 = Digests.md5();
        List<String> parts = new ArrayList<>();
        boolean pending = false;
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
                    break;
                }
                md5.update(chunk.data(), 0, chunk.length());
                pending = true;
                if (chunk.endsPart()) {
                    parts.add(Base64.getEncoder().encodeToString(md5.digest()));
                    pending = false;
                }
                free.put(chunk.data());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while the file was hashed");
        }
        if (pending || parts.isEmpty()) {
            parts.add(Base64.getEncoder().encodeToString(md5.digest()));
        }
        return parts;
    }

    /** A free buffer; fails if the MD5 side ended early instead of handing buffers back. */
    private static byte[] take(BlockingQueue<byte[]> free, CompletableFuture<?> md5s, BooleanSupplier stop)
            throws InterruptedException {
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
}
