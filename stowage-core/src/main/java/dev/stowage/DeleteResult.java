package dev.stowage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a batch delete did, key by key: partial failure is data, not an exception. Immutable.
 *
 * @param deleted the keys now holding nothing (including keys that held nothing before), in the order given
 * @param failed  the keys that could not be deleted, each with why, in the order given
 */
public record DeleteResult(List<String> deleted, Map<String, StorageException> failed) {
    public DeleteResult {
        deleted = List.copyOf(deleted);
        failed = Collections.unmodifiableMap(new LinkedHashMap<>(failed));
    }

    /**
     * The result for keys of which those in {@code failures} failed and the rest were deleted.
     *
     * @param keys     every key tried, without repeats, in order
     * @param failures the failed keys, in any order
     */
    public static DeleteResult of(List<String> keys, Map<String, StorageException> failures) {
        List<String> deleted = new ArrayList<>();
        Map<String, StorageException> failed = new LinkedHashMap<>();
        for (String key : keys) {
            StorageException e = failures.get(key);
            if (e == null) {
                deleted.add(key);
            } else {
                failed.put(key, e);
            }
        }
        return new DeleteResult(deleted, failed);
    }

    /** Whether every key was deleted. */
    public boolean isComplete() {
        return failed.isEmpty();
    }
}
