package dev.stowage.s3;

import dev.stowage.ObjectInfo;
import dev.stowage.spi.ListingPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The pages of one listing: {@code ListObjectsV2} requests, each fetched only when the subscriber
 * wants more, following the continuation token. Folder markers (keys ending in {@code /}) are
 * skipped; keys lose the {@code bucket_prefix}.
 */
final class Listing implements ListingPublisher.PageSource<ObjectInfo> {
    private final S3AsyncClient client;
    private final String bucket;
    private final String objectPrefix;
    private final int prefixLength;
    private final Function<Supplier<CompletableFuture<ListObjectsV2Response>>, CompletableFuture<ListObjectsV2Response>> call;
    private String continuation;

    /**
     * @param objectPrefix the full prefix in the bucket, {@code bucket_prefix} included
     * @param prefixLength the length of {@code bucket_prefix}, cut from each key
     * @param call         starts an SDK call once credentials allow it
     */
    Listing(S3AsyncClient client, String bucket, String objectPrefix, int prefixLength,
            Function<Supplier<CompletableFuture<ListObjectsV2Response>>, CompletableFuture<ListObjectsV2Response>> call) {
        this.client = client;
        this.bucket = bucket;
        this.objectPrefix = objectPrefix;
        this.prefixLength = prefixLength;
        this.call = call;
    }

    @Override
    public CompletableFuture<ListingPublisher.Page<ObjectInfo>> next() {
        String token = continuation;
        return call.apply(() -> client.listObjectsV2(r -> r.bucket(bucket).prefix(objectPrefix).continuationToken(token)))
                .thenApply(this::page);
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
