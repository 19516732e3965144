package dev.stowage.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.internal.IoExecutors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ListingPublisher: pages on demand, delivery on its executor, every way a stream ends. */
class ListingPublisherTest {
    private final ExecutorService executor = IoExecutors.newPool("listing-test", 2);
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    /** Completes page fetches from a thread of its own, as an HTTP client's I/O thread would. */
    private final ExecutorService client = IoExecutors.newPool("fake-client-io", 1);

    @AfterEach
    void tearDown() {
        executor.shutdown();
        client.shutdown();
    }

    /** Pages of three numbers each, from 0 to count - 1; the fetch of page {@code failAt} fails. */
    private ListingPublisher<Integer> numbers(int count, int failAt) {
        return new ListingPublisher<>(executor, () -> new ListingPublisher.PageSource<>() {
            private int next;

            @Override
            public CompletableFuture<ListingPublisher.Page<Integer>> next() {
                int page = fetches.getAndIncrement();
                return CompletableFuture.supplyAsync(() -> {
                    if (page == failAt) {
                        throw new IllegalStateException("page " + page + " failed");
                    }
                    List<Integer> items = new ArrayList<>();
                    while (items.size() < 3 && next < count) {
                        items.add(next++);
                    }
                    return new ListingPublisher.Page<>(items, next >= count);
                }, client);
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        }, e -> new RuntimeException("translated: " + e.getMessage(), e));
    }

    @Test
    void forEach_allPages_inOrder_onTheExecutor_oneFetchAtATime() {
        List<String> seen = new ArrayList<>();

        long count = ListingPublisher.forEach(numbers(10, -1), n -> seen.add(n + "@" + Thread.currentThread().getName())).join();

        assertThat(count).isEqualTo(10);
        assertThat(seen).hasSize(10).allSatisfy(s -> assertThat(s).contains("@listing-test-"));
        assertThat(seen.stream().map(s -> Integer.parseInt(s.substring(0, s.indexOf('@'))))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(fetches).hasValue(4);
        assertThat(closes).hasValue(1);
    }

    @Test
    void demand_fetchesOnlyThePagesNeeded() throws Exception {
        BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        numbers(100, -1).subscribe(recorder(signals, subscription, 4));

        for (int i = 0; i < 4; i++) {
            assertThat(signals.poll(10, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(signals.poll(100, TimeUnit.MILLISECONDS)).as("an item beyond the demand").isNull();
        assertThat(fetches).as("two pages hold the four items asked for").hasValue(2);

        subscription.get().cancel();
        subscription.get().request(10);
        assertThat(signals.poll(100, TimeUnit.MILLISECONDS)).as("a signal after cancel").isNull();
        assertThat(closes).hasValue(1);
    }

    @Test
    void failedFetch_endsTheStreamAfterTheItemsBefore_withTheTranslatedError() throws Exception {
        BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
        numbers(10, 1).subscribe(recorder(signals, new AtomicReference<>(), Long.MAX_VALUE));

        assertThat(List.of(signals.take(), signals.take(), signals.take())).containsExactly(0, 1, 2);
        assertThat(signals.take()).isInstanceOfSatisfying(RuntimeException.class,
                e -> assertThat(e).hasMessageContaining("translated: ").hasMessageContaining("page 1 failed"));
        assertThat(closes).hasValue(1);
    }

    @Test
    void openThatThrows_endsTheStreamAtOnceWithTheTranslatedError() throws Exception {
        BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
        new ListingPublisher<Integer>(executor, () -> {
            throw new IllegalArgumentException("bad prefix");
        }, e -> new RuntimeException("translated: " + e.getMessage())).subscribe(recorder(signals, new AtomicReference<>(), 1));

        assertThat(signals.poll(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(RuntimeException.class,
                e -> assertThat(e).hasMessage("translated: bad prefix"));
    }

    @Test
    void emptyListing_completesWithoutItems() {
        assertThat(ListingPublisher.forEach(numbers(0, -1), n -> { }).join()).isZero();
    }

    @Test
    void forEach_actionThrowsAnError_failsWithItAndClosesTheSource() {
        AssertionError boom = new AssertionError("boom");

        CompletableFuture<Long> done = ListingPublisher.forEach(numbers(10, -1), n -> {
            throw boom;
        });

        assertThat(done).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCause(boom);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (closes.get() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the source is closed as the drain in progress ends
        }
        assertThat(closes).hasValue(1);
    }

    private static Flow.Subscriber<Integer> recorder(BlockingQueue<Object> signals, AtomicReference<Flow.Subscription> subscription,
                                                     long initialDemand) {
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription.set(s);
                s.request(initialDemand);
            }

            @Override
            public void onNext(Integer item) {
                signals.add(item);
            }

            @Override
            public void onError(Throwable e) {
                signals.add(e);
            }

            @Override
            public void onComplete() {
                signals.add("complete");
            }
        };
    }

    @Test
    void count_stopsAtMost_fetchingOnlyThePagesItNeeds() {
        assertThat(ListingPublisher.count(numbers(100, -1), 4).join()).isEqualTo(4);
        assertThat(fetches).as("two pages of three hold four items").hasValue(2);
    }

    @Test
    void count_ofFewerItemsThanMost_isAllOfThem() {
        assertThat(ListingPublisher.count(numbers(2, -1), 1000).join()).isEqualTo(2);
        assertThat(ListingPublisher.count(numbers(0, -1), 1).join()).isZero();
    }

    @Test
    void count_ofAListingThatFails_failsWithItsError() {
        assertThatThrownBy(() -> ListingPublisher.count(numbers(10, 0), 1).join())
                .hasCauseInstanceOf(RuntimeException.class).hasMessageContaining("translated: page 0 failed");
        assertThatThrownBy(() -> ListingPublisher.count(numbers(10, -1), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
