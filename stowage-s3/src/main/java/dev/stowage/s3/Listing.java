package dev.stowage.s3;

import dev.stowage.ObjectInfo;
import dev.stowage.spi.ListingPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The pages of one listing: {@code ListObjectsV2} requests, each fetched only when the subscriber
 * wants more, following the continuation token. Folder markers (keys ending in {@code /}) are
 * skipped; keys lose the {@code bucket_prefix}.
 */
final class Listing implements ListingPublisher.PageSource<ObjectInfo> {
    private final S3Core core;
    private final String prefix;
    /** The length of {@code bucket_prefix}, cut from each key. */
    private final int prefixLength;
    private String continuation;

    /** @param prefix the prefix of the keys to list, checked already */
    Listing(S3Core core, String prefix) {
        this.core = core;
        this.prefix = prefix;
        this.prefixLength = core.config().bucketPrefix().length();
    }

    @Override
    public CompletableFuture<ListingPublisher.Page<ObjectInfo>> next() {
        return core.listObjects(prefix, continuation).thenApply(this::page);
    }

    private ListingPublisher.Page<ObjectInfo> page(ListObjectsV2Response response) {
        List<ObjectInfo> items = new ArrayList<>(response.contents().size());
        for (S3Object o : response.contents()) {
            if (o.key().endsWith("/")) {
                continue; // a folder marker (consoles make them; some stores list folders so), not an object
            }
            items.add(new ObjectInfo(o.key().substring(prefixLength), o.size() != null ? o.size() : 0L,
                    o.lastModified() != null ? o.lastModified() : Instant.EPOCH,
                    Optional.ofNullable(o.eTag()), Optional.empty(), Optional.empty()));
        }
        boolean last = !Boolean.TRUE.equals(response.isTruncated()) || response.nextContinuationToken() == null;
        continuation = response.nextContinuationToken();
        return new ListingPublisher.Page<>(items, last);
    }
}
