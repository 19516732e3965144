package dev.stowage.sync;

import dev.stowage.Capabilities;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import dev.stowage.layer.ForwardingStorageBackend;
import java.util.concurrent.Flow;

/**
 * A backend whose listings carry no SHA-256, as S3's do: it keeps digests and {@code stat}
 * reports them, but its listing gives only key, size and time.
 */
class ListingWithoutDigests extends ForwardingStorageBackend {

    ListingWithoutDigests(StorageBackend backend) {
        super(backend);
    }

    @Override
    public Capabilities capabilities() {
        return super.capabilities().withListsSha256(false);
    }

    @Override
    public Flow.Publisher<ObjectInfo> list(String prefix) {
        Flow.Publisher<ObjectInfo> listing = super.list(prefix);
        return subscriber -> listing.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscriber.onSubscribe(s);
            }

            @Override
            public void onNext(ObjectInfo o) {
                subscriber.onNext(ObjectInfo.of(o.key(), o.sizeBytes(), o.lastModified()));
            }

            @Override
            public void onError(Throwable e) {
                subscriber.onError(e);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
    }
}
