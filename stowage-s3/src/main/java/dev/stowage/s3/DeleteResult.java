package dev.stowage.s3;

import dev.stowage.StorageException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a batch delete did, key by key: partial failure is data, not an exception.
 *
 * @param deleted the keys now holding nothing (including keys that held nothing before), in the order given
 * @param failed  the keys that could not be deleted, each with why, in the order given
 */
public record DeleteResult(List<String> deleted, Map<String, StorageException> failed) {
    public DeleteResult {
        deleted = List.copyOf(deleted);
        failed = Collections.unmodifiableMap(new LinkedHashMap<>(failed));
    }

    /** Whether every key was deleted. */
    public boolean isComplete() {
        return failed.isEmpty();
    }
}
