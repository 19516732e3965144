package dev.stowage.sync;

import dev.stowage.Keys;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a folder depth-first and hands every regular file to a visitor <em>in key order</em>
 * ({@link Keys#ORDER}), which is the order of the state's rows, so the two merge in one pass.
 * Siblings are sorted by NFC name, with a folder sorting as its name followed by {@code /}: then
 * {@code a-c} comes before {@code a/b}, as their keys do. Holds one folder's listing per level.
 * Not thread-safe: one walk, one thread.
 */
final class TreeWalk {
    private static final Logger LOG = LoggerFactory.getLogger(TreeWalk.class);
    private static final String TEMP_PREFIX = ".stowage-";
    private static final String TEMP_SUFFIX = ".tmp";

    /** Receives what the walk finds, in key order. */
    interface Visitor {
        /**
         * A regular file, with the stat the walk took; {@code source} is where to read it relative
         * to the root when that is not {@code key}, else null.
         */
        void file(String key, String source, Path path, FileStat stat);

        /** Something that could not be read: keep what is known of {@code key} (and under it, for a folder). */
        void keep(String key, boolean folder);

        /** A file or folder left out, and why. */
        void problem(Path path, String reason);
    }

    private record Entry(String raw, String name, String sortKey, Path path, FileStat stat) {
    }

    /** Key order; of two names with one NFC form, the one on disk as written (not NFC) first. */
    private static final Comparator<Entry> BY_KEY = Comparator.comparing(Entry::sortKey, Keys.ORDER)
            .thenComparing(e -> e.raw.equals(e.name));

    private final Path root;
    private final ScanOptions options;
    private final List<KeyGlob> excludes;
    private final Visitor visitor;
    private final Instant staleBefore;
    private final Deque<Path> walking = new ArrayDeque<>();
    private final LongAdder swept = new LongAdder();
    private Path realRoot;
    /** The state folder relative to the root, when it is under it. */
    private String stateFolder;

    TreeWalk(Path root, ScanOptions options, Visitor visitor, Instant now) {
        this.root = root;
        this.options = options;
        this.excludes = options.excludes().stream().map(KeyGlob::of).toList();
        this.visitor = visitor;
        this.staleBefore = now.minus(options.staleTempAge());
    }

    /** Walks the whole tree; fails only when the root itself cannot be read. */
    void run() throws IOException {
        realRoot = root.toRealPath();
        stateFolder = options.stateFolder().flatMap(TreeWalk::realPath).filter(f -> f.startsWith(realRoot))
                .map(f -> realRoot.relativize(f).toString().replace(java.io.File.separatorChar, '/')).orElse(null);
        walking.push(realRoot);
        walkFolder(root, "", "");
    }

    long sweptTemps() {
        return swept.sum();
    }

    private void walkFolder(Path folder, String prefix, String rawPrefix) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            // Where the platform has them (Linux), entries are read relative to the open folder.
            SecureDirectoryStream<Path> open = stream instanceof SecureDirectoryStream ? (SecureDirectoryStream<Path>) stream : null;
            for (Path path : stream) {
                Entry entry = entry(path, rawPrefix, open);
                if (entry != null) {
                    entries.add(entry);
                }
            }
        } catch (java.nio.file.DirectoryIteratorException e) {
            // A read error partway through the folder: the folder could not be listed.
            throw e.getCause();
        }
        entries.sort(BY_KEY);
        String previous = null;
        for (Entry e : entries) {
            if (e.sortKey.equals(previous)) {
                if (e.raw.equals(e.name)) {
                    // The NFC twin of a name written otherwise: the copy a local backend made to
                    // serve it under its key. The original is the file to follow.
                    LOG.debug("{} is the NFC copy of a name not in NFC; the original is scanned", e.path);
                } else {
                    visitor.problem(e.path, "has the same key as another name after Unicode NFC normalisation; skipped");
                }
                continue;
            }
            previous = e.sortKey;
            String key = prefix + e.name;
            if (e.stat.type() == FileStat.Type.OTHER) {
                visitor.keep(key, false);
            } else if (e.stat.type() == FileStat.Type.DIRECTORY) {
                descend(e, key, rawPrefix + e.raw + "/");
            } else if (isExcluded(key)) {
                continue;
            } else {
                String problem = Keys.problem(key).orElse(null);
                if (problem != null) {
                    visitor.problem(e.path, "name makes no valid key: " + problem);
                } else {
                    String source = e.path.equals(folder.resolve(e.raw))
                            ? rawPrefix + e.raw : realRoot.relativize(e.path).toString().replace(java.io.File.separatorChar, '/');
                    visitor.file(key, source.equals(key) ? null : source, e.path, e.stat);
                }
            }
        }
    }

    private void descend(Entry e, String key, String rawPrefix) {
        if (excludes.stream().anyMatch(g -> g.matchesFolder(key))) {
            return;
        }
        String problem = Keys.problem(key + "/x").orElse(null);
        if (problem != null) {
            visitor.problem(e.path, "folder name makes no valid key: " + problem);
            return;
        }
        Path real = null;
        if (options.followLinks()) {
            try {
                real = e.path.toRealPath();
            } catch (IOException ex) {
                visitor.problem(e.path, "cannot resolve: " + reason(ex));
                visitor.keep(key, true);
                return;
            }
            if (walking.contains(real)) {
                visitor.problem(e.path, "links back to a folder being walked (" + real + "); not walked again");
                return;
            }
            walking.push(real);
        }
        try {
            walkFolder(e.path, key + "/", rawPrefix);
        } catch (IOException ex) {
            visitor.problem(e.path, "cannot list the folder: " + reason(ex) + "; its files keep their last state");
            visitor.keep(key, true);
        } finally {
            if (real != null) {
                walking.pop();
            }
        }
    }

    /**
     * Stats one folder entry, relative to its folder when that is open ({@code folder} not null);
     * null when it is left out (hidden, temporary, the state, a link not followed).
     */
    private Entry entry(Path path, String rawPrefix, SecureDirectoryStream<Path> folder) {
        String raw = path.getFileName().toString();
        if (raw.startsWith(TEMP_PREFIX) && raw.endsWith(TEMP_SUFFIX)) {
            sweepIfStale(path);
            return null;
        }
        if (raw.startsWith(".") && !options.includeHidden()) {
            return null;
        }
        if (stateFolder != null && stateFolder.equals(rawPrefix + raw)) {
            return null;
        }
        try {
            if (!path.equals(path.resolveSibling(raw))) {
                // The name's bytes are not UTF-8: decoded, it lost characters, so no key can name it.
                visitor.problem(path, "name is not valid UTF-8; skipped");
                return null;
            }
        } catch (java.nio.file.InvalidPathException e) {
            // The JVM runs with a charset that cannot write the name back (a POSIX "C" locale).
            visitor.problem(path, "name cannot be read in this locale's charset (" + System.getProperty("sun.jnu.encoding")
                    + "); run with a UTF-8 locale, e.g. LANG=C.UTF-8; skipped");
            return null;
        }
        String name = nfc(raw);
        FileStat stat;
        Path readFrom = path;
        try {
            stat = folder != null ? FileStat.in(folder, path, false) : FileStat.of(path, false);
            if (stat.type() == FileStat.Type.LINK) {
                if (!options.followLinks()) {
                    LOG.debug("not following link {}", path);
                    return null;
                }
                stat = followed(path);
                if (stat == null) {
                    return null;
                }
                if (stat.type() == FileStat.Type.FILE) {
                    // Read the file the link named when checked, not whatever it names later.
                    readFrom = path.toRealPath();
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            visitor.problem(path, "cannot read its attributes: " + reason(e) + "; kept as last seen");
            return new Entry(raw, name, name, path, new FileStat(FileStat.Type.OTHER, 0, 0, -1, -1));
        }
        if (stat.type() == FileStat.Type.OTHER) {
            LOG.debug("not a regular file or folder: {}", path);
            return null;
        }
        return new Entry(raw, name, stat.type() == FileStat.Type.DIRECTORY ? name + "/" : name, readFrom, stat);
    }

    /** {@code name} in Unicode NFC; an ASCII name, the common case, is NFC as it is. */
    private static String nfc(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                return Normalizer.normalize(name, Normalizer.Form.NFC);
            }
        }
        return name;
    }

    /** The stat of a link's target, when following links, or null when the link is not taken. */
    private FileStat followed(Path link) throws IOException {
        Path target;
        try {
            target = link.toRealPath();
        } catch (NoSuchFileException e) {
            visitor.problem(link, "link to nothing (" + Files.readSymbolicLink(link) + "); skipped");
            return null;
        }
        if (!target.startsWith(realRoot)) {
            visitor.problem(link, "links outside the folder (" + target + "); skipped");
            return null;
        }
        FileStat stat = FileStat.of(target, true);
        return stat.type() == FileStat.Type.LINK ? null : stat;
    }

    private boolean isExcluded(String key) {
        for (KeyGlob glob : excludes) {
            if (glob.matches(key)) {
                return true;
            }
        }
        return false;
    }

    /** Removes a temporary file or folder an interrupted local upload left, once it is old enough. */
    private void sweepIfStale(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!a.lastModifiedTime().toInstant().isBefore(staleBefore)) {
                return;
            }
            if (a.isDirectory()) {
                Files.walkFileTree(path, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                        Files.deleteIfExists(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } else {
                Files.deleteIfExists(path);
            }
            swept.increment();
            LOG.info("removed {}, left by an interrupted upload", path);
        } catch (IOException e) {
            LOG.warn("cannot remove {}, left by an interrupted upload: {}", path, reason(e));
        }
    }

    static java.util.Optional<Path> realPath(Path path) {
        try {
            return java.util.Optional.of(path.toRealPath());
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no longer exists";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.replaceAll("\\s+", " ");
    }
}
