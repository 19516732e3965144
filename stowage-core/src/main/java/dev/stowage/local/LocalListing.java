package dev.stowage.local;

import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.spi.BlockingCall;
import dev.stowage.spi.ListingPublisher;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The files under a prefix of a {@link LocalBackend}, walked depth first in {@link Keys#ORDER}: a
 * folder {@code a} sorts as {@code a/}, so the walk yields keys in the same order as an object
 * store. One folder's entries are held at a time for each level of depth, and the folder itself
 * stays open ({@link Folder}) until its entries are done: each folder is opened from its parent
 * without following a link, so a folder swapped for a link meanwhile is not entered. Symbolic links
 * are not followed, and neither listed; nor are temporary files of uploads in progress, nor names
 * that are not valid keys (a backslash or a control character in them).
 */
final class LocalListing implements ListingPublisher.PageSource<ObjectInfo> {
    private static final int PAGE_KEYS = 1000;
    private static final Comparator<Entry> BY_NAME = Comparator.comparing(Entry::name, Keys.ORDER);

    /**
     * A folder entry: its name on disk, and its name in the key (in Unicode NFC, as keys are),
     * followed by {@code /} for a folder.
     */
    private record Entry(String raw, String name, long sizeBytes, Instant lastModified) {
        boolean isFolder() {
            return name.endsWith("/");
        }
    }

    /** A folder being walked: its key ({@code ""} or ending with {@code /}), the open folder and its entries left. */
    private static final class Level {
        private final String key;
        private final Folder folder;
        private final Iterator<Entry> entries;
        /** The key of the entry last taken: of two names with one NFC form, the second is skipped. */
        private String lastKey;

        Level(String key, Folder folder, Iterator<Entry> entries) {
            this.key = key;
            this.folder = folder;
            this.entries = entries;
        }

        String key() {
            return key;
        }

        Folder folder() {
            return folder;
        }

        Iterator<Entry> entries() {
            return entries;
        }
    }

    private final FolderWalk walk;
    private final String prefix;
    private final Function<BlockingCall<ListingPublisher.Page<ObjectInfo>>, CompletableFuture<ListingPublisher.Page<ObjectInfo>>> run;
    private final Deque<Level> levels = new ArrayDeque<>();
    private boolean started;
    private boolean closed;
    private boolean stepping;

    /**
     * @param run runs a blocking step on the backend's I/O pool
     */
    LocalListing(FolderWalk walk, String prefix,
                 Function<BlockingCall<ListingPublisher.Page<ObjectInfo>>, CompletableFuture<ListingPublisher.Page<ObjectInfo>>> run) {
        this.walk = walk;
        this.prefix = prefix;
        this.run = run;
    }

    @Override
    public CompletableFuture<ListingPublisher.Page<ObjectInfo>> next() {
        return run.apply(this::page);
    }

    /**
     * Closes the open folders, or, when a step is under way (a cancelled listing's), leaves that
     * to the step as it ends: closing never waits for I/O.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (stepping) {
                return;
            }
        }
        closeFolders();
    }

    private void closeFolders() {
        levels.forEach(level -> level.folder().close());
        levels.clear();
    }

    private ListingPublisher.Page<ObjectInfo> page(BooleanSupplier stop) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new CancellationException("listing closed");
            }
            stepping = true;
        }
        try {
            return step(stop);
        } finally {
            boolean closeNow;
            synchronized (this) {
                stepping = false;
                closeNow = closed;
            }
            if (closeNow) {
                closeFolders();
            }
        }
    }

    private ListingPublisher.Page<ObjectInfo> step(BooleanSupplier stop) throws IOException {
        if (!started) {
            started = true;
            String folder = prefix.substring(0, prefix.lastIndexOf('/') + 1);
            Folder start = openPrefixFolder(folder);
            if (start != null) {
                enter(folder, start, stop);
            }
        }
        List<ObjectInfo> items = new ArrayList<>();
        while (!levels.isEmpty() && items.size() < PAGE_KEYS) {
            if (stop.getAsBoolean()) {
                throw new CancellationException("listing cancelled");
            }
            Level top = levels.peek();
            if (!top.entries().hasNext()) {
                levels.pop().folder().close();
                continue;
            }
            Entry entry = top.entries().next();
            String key = top.key() + entry.name();
            if (key.equals(top.lastKey)) {
                continue; // two names on disk with one NFC form: the key is listed once
            }
            top.lastKey = key;
            if (entry.isFolder()) {
                if (key.startsWith(prefix) || prefix.startsWith(key)) {
                    Folder child = openChild(top.folder(), entry.raw());
                    if (child != null) {
                        enter(key, child, stop);
                    }
                }
            } else if (key.startsWith(prefix) && Keys.isValid(key)) {
                items.add(ObjectInfo.of(key, entry.sizeBytes(), entry.lastModified()));
            }
        }
        return new ListingPublisher.Page<>(items, levels.isEmpty());
    }

    /**
     * The folder part of the prefix ({@code ""} or ending with {@code /}), opened from the root
     * folder by folder; {@code null} if it does not exist or leads through a link, which the walk
     * would not follow either.
     */
    private Folder openPrefixFolder(String folder) throws IOException {
        Folder here = walk.openRoot();
        for (String name : folder.split("/")) {
            if (name.isEmpty()) {
                continue;
            }
            Folder next;
            try {
                next = openChild(here, name);
            } finally {
                here.close();
            }
            if (next == null) {
                return null;
            }
            here = next;
        }
        return here;
    }

    /** The folder {@code name} in {@code parent}, or {@code null} if it is not a folder (any more), a link included. */
    private static Folder openChild(Folder parent, String name) throws IOException {
        try {
            return parent.open(name);
        } catch (FileSystemException e) {
            if (e instanceof AccessDeniedException) {
                throw e;
            }
            BasicFileAttributes attrs = parent.attributes(name);
            if (attrs == null || !attrs.isDirectory()) {
                return null; // deleted since its parent was read, or a link or a file now
            }
            throw e;
        }
    }

    /** Reads a folder's entries, sorted, and makes it the one being walked. */
    private void enter(String key, Folder folder, BooleanSupplier stop) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try {
            for (String name : folder.names()) {
                if (stop.getAsBoolean()) {
                    throw new CancellationException("listing cancelled");
                }
                if (StaleTemps.isTemp(name)) {
                    continue; // an upload in progress, or left by a crash
                }
                BasicFileAttributes attrs = folder.attributes(name);
                if (attrs == null) {
                    continue; // deleted since the folder was read
                }
                String nfc = nfc(name);
                if (attrs.isDirectory()) {
                    entries.add(new Entry(name, nfc + "/", 0, Instant.EPOCH));
                } else if (attrs.isRegularFile()) {
                    entries.add(new Entry(name, nfc, attrs.size(), attrs.lastModifiedTime().toInstant()));
                }
            }
        } catch (IOException | RuntimeException e) {
            folder.close();
            throw e;
        }
        entries.sort(BY_NAME);
        levels.push(new Level(key, folder, entries.iterator()));
    }

    /** {@code name} in Unicode NFC; an ASCII name is NFC as it is. */
    private static String nfc(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFC);
            }
        }
        return name;
    }
}
