package dev.stowage.s3;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The memory the multipart uploads of one backend read their parts into, so that each part is
 * read from the file once: at most {@code budgetBytes} given out at once, across all uploads. A
 * part waits for its buffer until enough has come back, first come first served; a part larger
 * than the whole budget gets one when nothing else is out. Buffers that come back are kept, within
 * the budget, for the next part of the same size. Direct memory: a part goes from the file to the
 * socket without a copy on the Java heap. Thread-safe.
 */
final class PartBuffers {
    /** A part waiting for a buffer of {@code size} bytes. */
    private record Waiter(int size, CompletableFuture<ByteBuffer> buffer) {
    }

    private final long budgetBytes;
    private final ArrayDeque<ByteBuffer> kept = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    /** Bytes given out and not back yet; guarded by this. */
    private long outBytes;
    /** Bytes of the buffers in {@link #kept}; guarded by this. */
    private long keptBytes;

    PartBuffers(long budgetBytes) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("budgetBytes must be positive, not " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /**
     * A buffer of {@code size} bytes (its limit), at once or once enough memory has come back. The
     * future fails if the direct memory cannot be had (an {@link OutOfMemoryError} of the JVM's
     * limit), or with a {@link CancellationException} once {@link #withdraw withdrawn}.
     */
    CompletableFuture<ByteBuffer> take(int size) {
        CompletableFuture<ByteBuffer> buffer = new CompletableFuture<>();
        ByteBuffer kept;
        synchronized (this) {
            if (!waiting.isEmpty() || !fits(size)) {
                waiting.add(new Waiter(size, buffer));
                return buffer;
            }
            kept = reserve(size);
        }
        hand(buffer, kept, size);
        return buffer;
    }

    /**
     * Takes a part's request for a buffer out of the queue, failing its future with a
     * {@link CancellationException}: the part's upload has stopped.
     *
     * @return false if the buffer was given already (it must then come back by {@link #giveBack})
     */
    boolean withdraw(CompletableFuture<ByteBuffer> buffer) {
        boolean removed;
        synchronized (this) {
            removed = waiting.removeIf(w -> w.buffer() == buffer);
        }
        if (removed) {
            buffer.completeExceptionally(new CancellationException("the upload stopped while its part waited for memory"));
            serveWaiting(); // those behind it may fit now
        }
        return removed;
    }

    /** Takes back a buffer {@link #take} gave; the parts waiting that now fit get theirs. */
    void giveBack(ByteBuffer buffer) {
        synchronized (this) {
            outBytes -= buffer.capacity();
            if (outBytes + keptBytes + buffer.capacity() <= budgetBytes) {
                kept.push(buffer);
                keptBytes += buffer.capacity();
            }
        }
        serveWaiting();
    }

    /** Gives the parts at the head of the queue their buffers, as long as they fit. */
    private void serveWaiting() {
        List<Waiter> served = new ArrayList<>();
        List<ByteBuffer> given = new ArrayList<>();
        synchronized (this) {
            while (!waiting.isEmpty() && fits(waiting.peek().size())) {
                Waiter next = waiting.poll();
                served.add(next);
                given.add(reserve(next.size()));
            }
        }
        for (int i = 0; i < served.size(); i++) {
            hand(served.get(i).buffer(), given.get(i), served.get(i).size());
        }
    }

    /**
     * Completes a request with the kept buffer reserved for it, or with one allocated now, outside
     * the lock; when the allocation fails, its budget comes back and the request fails.
     */
    private void hand(CompletableFuture<ByteBuffer> request, ByteBuffer kept, int size) {
        if (kept != null) {
            request.complete(kept);
            return;
        }
        ByteBuffer made;
        try {
            made = ByteBuffer.allocateDirect(size);
        } catch (OutOfMemoryError e) {
            synchronized (this) {
                outBytes -= size;
            }
            request.completeExceptionally(e);
            serveWaiting();
            return;
        }
        request.complete(made);
    }

    /** Parts waiting for a buffer now: for tests. */
    synchronized int waiting() {
        return waiting.size();
    }

    /** Bytes given out now: for tests. */
    synchronized long outBytes() {
        return outBytes;
    }

    private boolean fits(int size) {
        return outBytes == 0 || outBytes + size <= budgetBytes;
    }

    /**
     * Counts {@code size} bytes out, and returns a kept buffer of that size, or null when one must
     * be allocated. Guarded by this.
     */
    private ByteBuffer reserve(int size) {
        outBytes += size;
        for (Iterator<ByteBuffer> it = kept.iterator(); it.hasNext(); ) {
            ByteBuffer buffer = it.next();
            if (buffer.capacity() == size) {
                it.remove();
                keptBytes -= size;
                return buffer.clear();
            }
        }
        // Buffers of other sizes go first, so that what is out and what is kept stay within the budget.
        while (outBytes + keptBytes > budgetBytes && !kept.isEmpty()) {
            keptBytes -= kept.removeLast().capacity();
        }
        return null;
    }
}
