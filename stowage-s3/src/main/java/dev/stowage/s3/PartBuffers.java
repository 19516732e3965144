package dev.stowage.s3;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    /** A buffer of {@code size} bytes (its limit), at once or once enough memory has come back. */
    CompletableFuture<ByteBuffer> take(int size) {
        CompletableFuture<ByteBuffer> buffer = new CompletableFuture<>();
        ByteBuffer now;
        synchronized (this) {
            if (!waiting.isEmpty() || !fits(size)) {
                waiting.add(new Waiter(size, buffer));
                return buffer;
            }
            now = giveOut(size);
        }
        buffer.complete(now);
        return buffer;
    }

    /** Takes back a buffer {@link #take} gave; the parts waiting that now fit get theirs. */
    void giveBack(ByteBuffer buffer) {
        List<Waiter> served = new ArrayList<>();
        List<ByteBuffer> given = new ArrayList<>();
        synchronized (this) {
            outBytes -= buffer.capacity();
            if (outBytes + keptBytes + buffer.capacity() <= budgetBytes) {
                kept.push(buffer);
                keptBytes += buffer.capacity();
            }
            while (!waiting.isEmpty() && fits(waiting.peek().size())) {
                Waiter next = waiting.poll();
                served.add(next);
                given.add(giveOut(next.size()));
            }
        }
        for (int i = 0; i < served.size(); i++) {
            served.get(i).buffer().complete(given.get(i));
        }
    }

    /** Bytes given out now: for tests. */
    synchronized long outBytes() {
        return outBytes;
    }

    private boolean fits(int size) {
        return outBytes == 0 || outBytes + size <= budgetBytes;
    }

    /** Guarded by this. */
    private ByteBuffer giveOut(int size) {
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
        return ByteBuffer.allocateDirect(size);
    }
}
