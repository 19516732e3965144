package dev.stowage.s3;

import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The objects under a prefix as a {@link Flow.Publisher}: each subscription runs its own
 * {@code ListObjectsV2} pages, fetched only as the subscriber asks for more.
 */
final class Listing implements Flow.Publisher<ObjectInfo> {
    /** The subscription of a listing that fails before it starts. */
    private static final Flow.Subscription NO_DEMAND = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    private final S3Backend backend;
    private final S3AsyncClient client;
    private final S3Config config;
    private final String prefix;

    Listing(S3Backend backend, S3AsyncClient client, S3Config config, String prefix) {
        this.backend = backend;
        this.client = client;
        this.config = config;
        this.prefix = prefix;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ObjectInfo> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        String objectPrefix;
        try {
            backend.requireOpen(Operation.LIST, prefix);
            objectPrefix = backend.objectPrefixFor(prefix);
        } catch (StorageException e) {
            subscriber.onSubscribe(NO_DEMAND);
            subscriber.onError(e);
            return;
        }
        backend.afterCredentials(() -> {
            client.listObjectsV2Paginator(r -> r.bucket(config.bucketName()).prefix(objectPrefix)).contents()
                    .subscribe(new Subscriber<S3Object>() {
                        private Subscription upstream;

                        @Override
                        public void onSubscribe(Subscription s) {
                            upstream = s;
                            subscriber.onSubscribe(new Flow.Subscription() {
                                @Override
                                public void request(long n) {
                                    s.request(n);
                                }

                                @Override
                                public void cancel() {
                                    s.cancel();
                                }
                            });
                        }

                        @Override
                        public void onNext(S3Object o) {
                            if (o.key().endsWith("/")) {
                                // A folder marker (consoles make them; some stores list folders so), not an object.
                                upstream.request(1);
                                return;
                            }
                            subscriber.onNext(new ObjectInfo(backend.keyOf(o.key()), o.size() != null ? o.size() : 0L,
                                    o.lastModified() != null ? o.lastModified() : Instant.EPOCH,
                                    Optional.ofNullable(o.eTag()), Optional.empty(), Optional.empty()));
                        }

                        @Override
                        public void onError(Throwable t) {
                            subscriber.onError(backend.failure(t, Operation.LIST, prefix));
                        }

                        @Override
                        public void onComplete() {
                            subscriber.onComplete();
                        }
                    });
            return CompletableFuture.completedFuture(null);
        }).whenComplete((ok, error) -> {
            if (error != null) { // the listing could not even start: the backend was closed meanwhile
                subscriber.onSubscribe(NO_DEMAND);
                subscriber.onError(backend.failure(error, Operation.LIST, prefix));
            }
        });
    }

    /** Subscribes to a listing and calls {@code action} for each object; the future says how many there were. */
    static CompletableFuture<Long> forEach(Flow.Publisher<ObjectInfo> publisher, Consumer<ObjectInfo> action) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        AtomicLong count = new AtomicLong();
        publisher.subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ObjectInfo item) {
                try {
                    action.accept(item);
                    count.incrementAndGet();
                } catch (RuntimeException e) {
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
                done.complete(count.get());
            }
        });
        return done;
    }
}
