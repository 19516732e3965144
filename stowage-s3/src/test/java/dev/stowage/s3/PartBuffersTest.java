package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PartBuffersTest {
    private final PartBuffers buffers = new PartBuffers(100);

    @Test
    void take_withinTheBudget_isAtOnce_andBeyondIt_waitsForBuffersToComeBack() {
        ByteBuffer first = buffers.take(60).join();
        CompletableFuture<ByteBuffer> second = buffers.take(60);

        assertThat(first.isDirect()).isTrue();
        assertThat(first.remaining()).isEqualTo(60);
        assertThat(second).as("60 + 60 is over the budget of 100").isNotDone();
        assertThat(buffers.outBytes()).isEqualTo(60);

        buffers.giveBack(first);
        assertThat(second).isDone();
        assertThat(second.join()).as("the buffer given back, taken again").isSameAs(first);
        assertThat(buffers.outBytes()).isEqualTo(60);
    }

    @Test
    void waiters_areServedFirstComeFirstServed_evenWhenALaterOneWouldFit() {
        ByteBuffer held = buffers.take(50).join();
        CompletableFuture<ByteBuffer> large = buffers.take(80);
        CompletableFuture<ByteBuffer> small = buffers.take(10);

        assertThat(small).as("behind the larger part that came first").isNotDone();
        buffers.giveBack(held);
        assertThat(large).isDone();
        assertThat(small).as("80 + 10 fits the budget").isDone();
        assertThat(buffers.outBytes()).isEqualTo(90);
    }

    @Test
    void partLargerThanTheWholeBudget_getsItsBufferOnceNothingElseIsOut() {
        ByteBuffer held = buffers.take(10).join();
        CompletableFuture<ByteBuffer> huge = buffers.take(300);
        assertThat(huge).isNotDone();

        buffers.giveBack(held);
        assertThat(huge).isDone();
        assertThat(huge.join().remaining()).isEqualTo(300);
        assertThat(buffers.take(1)).as("nothing more while it is out").isNotDone();
    }

    @Test
    void buffersKept_stayWithinTheBudget_andAreClearedForTheNextPart() {
        ByteBuffer a = buffers.take(40).join();
        ByteBuffer b = buffers.take(40).join();
        a.put((byte) 7).flip();
        buffers.giveBack(a);
        buffers.giveBack(b);

        ByteBuffer other = buffers.take(70).join(); // of another size: made anew, the two kept must go
        assertThat(other).isNotSameAs(a).isNotSameAs(b);
        ByteBuffer again = buffers.take(30).join();
        assertThat(again.remaining()).isEqualTo(30);
        assertThat(buffers.outBytes()).isEqualTo(100);
    }

    @Test
    void withdrawn_requestFailsCancelled_andThoseBehindItAreServed() {
        ByteBuffer held = buffers.take(50).join();
        CompletableFuture<ByteBuffer> large = buffers.take(80);
        CompletableFuture<ByteBuffer> small = buffers.take(40);

        assertThat(buffers.withdraw(large)).isTrue();
        assertThat(large).isCompletedExceptionally();
        assertThatThrownBy(large::join).isInstanceOf(java.util.concurrent.CancellationException.class)
                .hasMessageContaining("waited for memory");
        assertThat(small).as("50 + 40 fits, with the 80 gone from the queue").isDone();
        assertThat(buffers.withdraw(small)).as("given already: it must come back instead").isFalse();
        buffers.giveBack(held);
        buffers.giveBack(small.join());
        assertThat(buffers.outBytes()).isZero();
    }

    @Test
    void budget_mustBePositive() {
        assertThatThrownBy(() -> new PartBuffers(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budgetBytes");
    }
}
