package dev.stowage.sync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What separates the last scan from what the target holds: files added (never published),
 * modified (published with other content) and removed (published, no longer in the folder).
 * Read from the state as it is walked, a page at a time, so a diff of any size fits in little
 * memory; the counts are taken when the diff is made.
 *
 * <p>Thread-safe as its {@link StateStore} is; a walk sees changes recorded while it runs.
 */
public final class FileDiff {
    private final StateStore state;
    private final long added;
    private final long modified;
    private final long uploadBytes;
    private final long removed;

    FileDiff(StateStore state) {
        this(state, state.diffCounts());
    }

    private FileDiff(StateStore state, long[] counts) {
        this.state = state;
        this.added = counts[0];
        this.modified = counts[1];
        this.uploadBytes = counts[2];
        this.removed = counts[3];
    }

    /** A diff known to be empty, without asking the state. */
    static FileDiff empty(StateStore state) {
        return new FileDiff(state, new long[4]);
    }

    /** Files in the folder the target does not hold. */
    public long added() {
        return added;
    }

    /** Files the target holds with other content. */
    public long modified() {
        return modified;
    }

    /** Bytes of the added and modified files. */
    public long uploadBytes() {
        return uploadBytes;
    }

    /** Files the target holds that are gone from the folder. */
    public long removed() {
        return removed;
    }

    /** True when the target holds exactly the folder's content. */
    public boolean isEmpty() {
        return added == 0 && modified == 0 && removed == 0;
    }

    /**
     * Calls {@code action} with every file to upload, in key order. A diff that counted none reads
     * no row: a run with nothing to upload does not go through the state's files again.
     */
    public void forEachUpload(Consumer<Change> action) {
        if (added + modified == 0) {
            return;
        }
        String after = "";
        for (List<Change> page; !(page = state.changesAfter(after, StateStore.PAGE)).isEmpty(); ) {
            page.forEach(action);
            after = page.get(page.size() - 1).key();
        }
    }

    /**
     * Calls {@code action} with every file to upload, a page of {@value StateStore#PAGE} keys at a
     * time, the keys of a page dealt out across their folders in turn: uploads that run at once
     * then land in many folders (prefixes) rather than one. A store that keeps folders as
     * directories (S3Proxy's and MinIO's file stores) creates the files of one directory one at
     * a time, and S3 scales its request rates by prefix.
     */
    void forEachUploadSpread(Consumer<Change> action) {
        if (added + modified == 0) {
            return;
        }
        String after = "";
        for (List<Change> page; !(page = state.changesAfter(after, StateStore.PAGE)).isEmpty(); ) {
            spread(page).forEach(action);
            after = page.get(page.size() - 1).key();
        }
    }

    /** The changes dealt out across their folders: the first of each folder, then the second of each, and so on. */
    static List<Change> spread(List<Change> changes) {
        Map<String, ArrayDeque<Change>> byFolder = new LinkedHashMap<>();
        for (Change c : changes) {
            int slash = c.key().lastIndexOf('/');
            byFolder.computeIfAbsent(slash < 0 ? "" : c.key().substring(0, slash), f -> new ArrayDeque<>()).add(c);
        }
        List<Change> dealt = new ArrayList<>(changes.size());
        while (dealt.size() < changes.size()) {
            for (ArrayDeque<Change> folder : byFolder.values()) {
                Change next = folder.poll();
                if (next != null) {
                    dealt.add(next);
                }
            }
        }
        return dealt;
    }

    /** Calls {@code action} with every key to delete, in key order. */
    public void forEachRemoved(Consumer<String> action) {
        String after = "";
        for (List<String> page; !(page = state.removedAfter(after, StateStore.PAGE)).isEmpty(); ) {
            page.forEach(action);
            after = page.get(page.size() - 1);
        }
    }

    @Override
    public String toString() {
        return "FileDiff[added=" + added + ", modified=" + modified + ", removed=" + removed
                + ", uploadBytes=" + uploadBytes + "]";
    }
}
