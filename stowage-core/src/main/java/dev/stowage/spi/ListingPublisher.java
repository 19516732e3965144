package dev.stowage.spi;

import dev.stowage.internal.Futures;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listing as a {@link Flow.Publisher}, for backend authors: each subscription opens a
 * {@link PageSource} and fetches its pages one at a time, only when every item fetched so far has
 * been delivered and the subscriber wants more, so memory stays bounded by one page. Items and
 * signals are delivered on the given executor, never on the thread that completed a page (an HTTP
 * client's I/O thread, say), one at a time, in order.
 *
 * <pre>{@code
 * return new ListingPublisher<>(executor, () -> new MyPages(prefix), e -> translate(e, Operation.LIST, prefix));
 * }</pre>
 *
 * <p>Thread-safe. Follows the Reactive Streams rules: a request of zero or fewer items ends the
 * stream with {@link IllegalArgumentException}; after {@code cancel} no more signals arrive (one
 * already under way may), and the page source is closed.
 *
 * @param <T> the type of the items
 */
public final class ListingPublisher<T> implements Flow.Publisher<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ListingPublisher.class);

    /**
     * One page of a listing.
     *
     * @param items the items, in order
     * @param last  whether no page follows
     */
    public record Page<T>(List<T> items, boolean last) {
        public Page {
            items = List.copyOf(items);
        }
    }

    /** The pages of one subscription, in order. Not shared between subscriptions. */
    public interface PageSource<T> extends AutoCloseable {
        /**
         * Starts fetching the next page. Called again only after the future it returned last has
         * completed, and never after a page that was {@link Page#last() last}.
         */
        CompletableFuture<Page<T>> next();

        /**
         * Releases what the source holds (open folders, say). Called once, when the listing ends;
         * when it was cancelled, possibly while a {@link #next()} still runs (whose future is
         * cancelled first): the two must not wait on each other.
         */
        @Override
        default void close() {
        }
    }

    private final Executor executor;
    private final Callable<PageSource<T>> open;
    private final Function<Throwable, ? extends Throwable> translate;

    /**
     * @param executor  where items are delivered; when it refuses work (shut down), the listing ends
     *                  with the translated {@link RejectedExecutionException}, delivered on the
     *                  thread that met the refusal
     * @param open      opens the page source of a new subscription; should do no I/O. What it
     *                  throws ends that subscription's stream at once
     * @param translate turns what a page fetch or {@code open} failed with into the error the subscriber gets
     */
    public ListingPublisher(Executor executor, Callable<PageSource<T>> open, Function<Throwable, ? extends Throwable> translate) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.open = Objects.requireNonNull(open, "open");
        this.translate = Objects.requireNonNull(translate, "translate");
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        new Subscription(subscriber).start();
    }

    /**
     * Subscribes to a publisher and calls {@code action} for each item, asking for every item at
     * once (a {@code ListingPublisher} still fetches one page at a time).
     *
     * @return a future of how many items there were; it fails with the stream's error, or with what
     *         the action threw, which cancels the stream
     */
    public static <T> CompletableFuture<Long> forEach(Flow.Publisher<T> publisher, Consumer<? super T> action) {
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(action, "action");
        CompletableFuture<Long> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<T>() {
            private Flow.Subscription subscription;
            private long count;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                done.whenComplete((n, e) -> {
                    if (e != null) {
                        s.cancel(); // the caller gave up (cancel, orTimeout): stop fetching
                    }
                });
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(T item) {
                if (done.isDone()) {
                    return;
                }
                try {
                    action.accept(item);
                    count++;
                } catch (Throwable e) { // an AssertionError of a test too: the future must end
                    subscription.cancel();
                    done.completeExceptionally(e);
                }
            }

            @Override
            public void onError(Throwable e) {
                done.completeExceptionally(e);
            }

            @Override
            public void onComplete() {
                done.complete(count);
            }
        });
        return done;
    }

    /**
     * Counts the items of a publisher up to {@code most}, then cancels it: a listing fetches no
     * more pages than those items need (one page for a few). Tells whether a listing can be read
     * at all, and how many items its first page holds.
     *
     * @return a future of how many items there were, at most {@code most}; it fails with the
     *         stream's error
     * @throws IllegalArgumentException if most is less than 1
     */
    public static <T> CompletableFuture<Long> count(Flow.Publisher<T> publisher, long most) {
        Objects.requireNonNull(publisher, "publisher");
        if (most < 1) {
            throw new IllegalArgumentException("most must be 1 or more: " + most);
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<T>() {
            private Flow.Subscription subscription;
            private long count;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(most);
            }

            @Override
            public void onNext(T item) {
                if (++count == most) {
                    subscription.cancel();
                    done.complete(count);
                }
            }

            @Override
            public void onError(Throwable e) {
                done.completeExceptionally(e);
            }

            @Override
            public void onComplete() {
                done.complete(count);
            }
        });
        return done;
    }

    /** One subscriber's listing. Its state is touched only inside {@link #drain}, one thread at a time. */
    private final class Subscription implements Flow.Subscription, Runnable {
        private final Flow.Subscriber<? super T> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger work = new AtomicInteger();
        private final ArrayDeque<T> buffer = new ArrayDeque<>();
        private volatile Page<T> arrived;
        private volatile Throwable failure;
        private volatile boolean cancelled;
        private PageSource<T> source;
        private boolean fetching;
        private CompletableFuture<Page<T>> inFlight;
        private boolean last;
        private boolean done;

        Subscription(Flow.Subscriber<? super T> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            try {
                source = open.call();
            } catch (Throwable e) {
                failure = translated(e);
            }
            // onSubscribe comes first, on the subscriber's thread as the rules allow; every later
            // signal comes from drain. Holding a unit of work meanwhile keeps a request made inside
            // onSubscribe from starting a drain before it returns.
            work.incrementAndGet();
            subscriber.onSubscribe(this);
            if (failure != null || !work.compareAndSet(1, 0)) {
                dispatch();
            }
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                failure = new IllegalArgumentException("a subscriber must request at least one item (rule 3.9): " + n);
            } else {
                demand.getAndAccumulate(n, (now, more) -> now + more < 0 ? Long.MAX_VALUE : now + more);
            }
            schedule();
        }

        @Override
        public void cancel() {
            cancelled = true;
            schedule();
        }

        private void schedule() {
            if (work.getAndIncrement() == 0) {
                dispatch();
            } // else a drain is running or scheduled, and will see the change
        }

        /** Runs a drain on the executor; the caller holds at least one unit of work. */
        private void dispatch() {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                if (failure == null) {
                    failure = translated(e);
                }
                run();
            }
        }

        @Override
        public void run() {
            int missed = 1;
            while (true) {
                if (!done) {
                    try {
                        drain();
                    } catch (Throwable e) {
                        // A subscriber that throws breaks rule 2.13: treat its subscription as
                        // cancelled, and keep the count of work right so that nothing hangs.
                        LOG.warn("a listing subscriber threw; cancelling its listing", e);
                        end();
                    }
                }
                missed = work.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        private void drain() {
            if (cancelled) {
                end();
                return;
            }
            Page<T> page = arrived;
            if (page != null) {
                arrived = null;
                fetching = false;
                buffer.addAll(page.items());
                last = page.last();
            }
            Throwable error = failure;
            if (error != null) {
                end();
                subscriber.onError(error);
                return;
            }
            while (!buffer.isEmpty() && demand.get() > 0) {
                if (cancelled) {
                    end();
                    return;
                }
                if (demand.get() != Long.MAX_VALUE) {
                    demand.decrementAndGet();
                }
                subscriber.onNext(buffer.poll());
            }
            if (!buffer.isEmpty() || fetching) {
                return;
            }
            if (last) {
                end();
                subscriber.onComplete();
            } else if (demand.get() > 0) {
                fetch();
            }
        }

        private void fetch() {
            fetching = true;
            CompletableFuture<Page<T>> next;
            try {
                next = source.next();
            } catch (Throwable e) {
                next = CompletableFuture.failedFuture(e);
            }
            inFlight = next;
            next.whenComplete((page, error) -> {
                if (error != null) {
                    failure = translated(Futures.unwrap(error));
                } else {
                    arrived = page != null ? page : new Page<>(List.of(), true);
                }
                schedule();
            });
        }

        private void end() {
            done = true;
            buffer.clear();
            CompletableFuture<Page<T>> fetch = inFlight;
            if (fetch != null && !fetch.isDone()) {
                fetch.cancel(true); // stops a blocking step at its next check
            }
            if (source != null) {
                try {
                    source.close();
                } catch (Exception e) {
                    LOG.debug("closing a listing's page source failed", e);
                }
            }
        }

        private Throwable translated(Throwable e) {
            try {
                return translate.apply(e);
            } catch (RuntimeException t) {
                t.addSuppressed(e);
                return t;
            }
        }
    }
}
