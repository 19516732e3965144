package dev.stowage.local;

import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.internal.FileErrors;
import dev.stowage.spi.BlockingCall;
import dev.stowage.spi.ListingPublisher;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
 * store. One folder's entries are held at a time for each level of depth. Symbolic links are not
 * followed, and neither listed; nor are temporary files of uploads in progress, nor names that are
 * not valid keys (a backslash or a control character in them).
 */
final class LocalListing implements ListingPublisher.PageSource<ObjectInfo> {
    private static final int PAGE_KEYS = 1000;
    private static final Comparator<Entry> BY_NAME = Comparator.comparing(Entry::name, Keys.ORDER);

    /** A folder entry: a file's name, or a folder's name followed by {@code /}. */
    private record Entry(String name, long sizeBytes, Instant lastModified) {
        boolean isFolder() {
            return name.endsWith("/");
        }
    }

    /** A folder being walked: its key ({@code ""} or ending with {@code /}), path and entries left. */
    private record Folder(String key, Path path, Iterator<Entry> entries) {
    }

    private final Path root;
    private final String prefix;
    private final Function<BlockingCall<ListingPublisher.Page<ObjectInfo>>, CompletableFuture<ListingPublisher.Page<ObjectInfo>>> run;
    private final Deque<Folder> folders = new ArrayDeque<>();
    private boolean started;

    /**
     * @param run runs a blocking step on the backend's I/O pool
     */
    LocalListing(Path root, String prefix,
                 Function<BlockingCall<ListingPublisher.Page<ObjectInfo>>, CompletableFuture<ListingPublisher.Page<ObjectInfo>>> run) {
        this.root = root;
        this.prefix = prefix;
        this.run = run;
    }

    @Override
    public CompletableFuture<ListingPublisher.Page<ObjectInfo>> next() {
        return run.apply(this::page);
    }

    private ListingPublisher.Page<ObjectInfo> page(BooleanSupplier stop) throws IOException {
        if (!started) {
            started = true;
            String folder = prefix.substring(0, prefix.lastIndexOf('/') + 1);
            Path path = folder.isEmpty() ? root : root.resolve(folder);
            if (isPlainFolder(path)) {
                enter(folder, path);
            }
        }
        List<ObjectInfo> items = new ArrayList<>();
        while (!folders.isEmpty() && items.size() < PAGE_KEYS) {
            if (stop.getAsBoolean()) {
                throw new CancellationException("listing cancelled");
            }
            Folder top = folders.peek();
            if (!top.entries().hasNext()) {
                folders.pop();
                continue;
            }
            Entry entry = top.entries().next();
            String key = top.key() + entry.name();
            if (entry.isFolder()) {
                if (key.startsWith(prefix) || prefix.startsWith(key)) {
                    enter(key, top.path().resolve(entry.name().substring(0, entry.name().length() - 1)));
                }
            } else if (key.startsWith(prefix) && Keys.isValid(key)) {
                items.add(ObjectInfo.of(key, entry.sizeBytes(), entry.lastModified()));
            }
        }
        return new ListingPublisher.Page<>(items, folders.isEmpty());
    }

    /**
     * Whether the path is a folder reached from the root through no symbolic link: the walk follows
     * none, so a prefix must not lead through one either.
     */
    private boolean isPlainFolder(Path path) throws IOException {
        try {
            Path real = path.toRealPath();
            return real.equals(path.normalize()) && Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            if (FileErrors.isMissing(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Reads a folder's entries, sorted, and makes it the one being walked. */
    private void enter(String key, Path path) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(path)) {
            for (Path child : stream) {
                String name = child.getFileName().toString();
                if (name.startsWith(LocalBackend.TEMP_PREFIX) && name.endsWith(".tmp")) {
                    continue; // an upload in progress, or left by a crash
                }
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (FileSystemException e) {
                    if (FileErrors.isMissing(e)) {
                        continue; // deleted since the folder was read
                    }
                    throw e;
                }
                if (attrs.isDirectory()) {
                    entries.add(new Entry(name + "/", 0, Instant.EPOCH));
                } else if (attrs.isRegularFile()) {
                    entries.add(new Entry(name, attrs.size(), attrs.lastModifiedTime().toInstant()));
                }
            }
        } catch (FileSystemException e) {
            if (FileErrors.isMissing(e)) {
                return; // deleted since its parent was read
            }
            throw e;
        }
        entries.sort(BY_NAME);
        folders.push(new Folder(key, path, entries.iterator()));
    }
}
