package dev.stowage.s3;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.internal.Futures;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One {@link S3Backend#deleteFiles} call: batches of 1000 keys through {@code DeleteObjects}, one
 * batch at a time, or single deletes {@value DeleteOneByOne#AT_ONCE} at once when batches are off or the server refuses
 * them. Every key ends up deleted or failed with its own reason.
 */
final class BatchDelete {
    /** S3's most keys in one DeleteObjects request. */
    static final int BATCH_KEYS = 1000;

    private final S3Core core;
    private final List<String> keys;
    private final Map<String, StorageException> failed = new ConcurrentHashMap<>();
    private volatile boolean batchesRefused;

    BatchDelete(S3Core core, Collection<String> keys) {
        this.core = core;
        this.keys = List.copyOf(new LinkedHashSet<>(keys));
    }

    CompletableFuture<DeleteResult> run() {
        Map<String, String> objectKeys = new LinkedHashMap<>();
        for (String key : keys) {
            try {
                objectKeys.put(key, core.objectKey(key, Operation.DELETE));
            } catch (StorageException e) {
                failed.put(key, e);
            }
        }
        List<String> valid = new ArrayList<>(objectKeys.keySet());
        CompletableFuture<Void> done;
        if (!core.config().batchDelete()) {
            done = oneByOne(valid);
        } else {
            done = CompletableFuture.completedFuture(null);
            for (int from = 0; from < valid.size(); from += BATCH_KEYS) {
                List<String> batch = valid.subList(from, Math.min(valid.size(), from + BATCH_KEYS));
                done = done.thenCompose(v -> batchesRefused ? oneByOne(batch) : batch(batch, objectKeys));
            }
        }
        return done.thenApply(v -> result());
    }

    private CompletableFuture<Void> batch(List<String> batch, Map<String, String> objectKeys) {
        List<ObjectIdentifier> ids = batch.stream()
                .map(k -> ObjectIdentifier.builder().key(objectKeys.get(k)).build()).collect(Collectors.toList());
        return core.deleteObjects(ids)
                .handle((response, error) -> {
                    if (error == null) {
                        account(batch, objectKeys, response);
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    if (refusesBatches(Futures.unwrap(error))) {
                        batchesRefused = true;
                        return oneByOne(batch);
                    }
                    for (String key : batch) {
                        failed.put(key, core.failure(error, Operation.DELETE, key));
                    }
                    return CompletableFuture.<Void>completedFuture(null);
                })
                .thenCompose(f -> f);
    }

    /** Records the keys the server reports as failed, and those it does not mention at all. */
    private void account(List<String> batch, Map<String, String> objectKeys, DeleteObjectsResponse response) {
        Set<String> deleted = response.deleted().stream().map(DeletedObject::key).collect(Collectors.toSet());
        Map<String, S3Error> errors = response.errors().stream()
                .collect(Collectors.toMap(S3Error::key, e -> e, (first, second) -> first));
        for (String key : batch) {
            String objectKey = objectKeys.get(key);
            S3Error e = errors.get(objectKey);
            if (e != null) {
                failed.put(key, core.failure(e.code(), e.message(), Operation.DELETE, key));
            } else if (!deleted.contains(objectKey)) {
                // A whole answer names every key: this one was cut short. Deleting again is harmless.
                failed.put(key, core.error(ErrorKind.UNAVAILABLE, "the server's DeleteObjects answer does not mention "
                        + "this key: it was cut short", Operation.DELETE, key).toBuilder().retryable(true).build());
            }
        }
    }

    /** Servers that do not implement DeleteObjects, or not with the checksum the SDK sends. */
    private static boolean refusesBatches(Throwable e) {
        if (!(e instanceof S3Exception)) {
            return false;
        }
        S3Exception s3 = (S3Exception) e;
        String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : "";
        return s3.statusCode() == 501 || s3.statusCode() == 405
                || "NotImplemented".equals(code) || "MissingContentMD5".equals(code) || "InvalidDigest".equals(code);
    }

    private CompletableFuture<Void> oneByOne(List<String> batch) {
        return DeleteOneByOne.failures(this::deleteOne, batch).thenAccept(failed::putAll);
    }

    private CompletableFuture<Void> deleteOne(String key) {
        return core.delete(key).handle((ok, error) -> {
            if (error != null) {
                throw new CompletionException(core.failure(error, Operation.DELETE, key));
            }
            return null;
        });
    }

    private DeleteResult result() {
        return DeleteResult.of(keys, failed);
    }
}
