package dev.stowage.app.http;

import dev.stowage.Keys;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the regular file a key names under the served folder, or nothing: never a folder, never a
 * file whose real path (symbolic links followed) leaves the folder or passes through a dot-folder
 * or a hidden folder. Immutable and thread-safe; reads the disk on every call.
 *
 * <p>A key is looked up as given, then in Unicode NFC, then in NFD: keys and their URLs are NFC
 * ({@link Keys#ofFile}), while a name written on macOS and copied elsewhere may be NFD on disk. A
 * path whose folders and file mix the two forms is not found.
 */
final class FileLookup {
    /**
     * The attributes read of each name: POSIX ones where the file system has them (the same
     * {@code lstat}), so that a file's permission bits are at hand.
     */
    private static final Class<? extends BasicFileAttributes> ATTRIBUTES =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix") ? PosixFileAttributes.class : BasicFileAttributes.class;

    private final Path root;
    private final Set<String> hiddenFolders;

    /**
     * A file found: its real path, and its attributes read once, so that its headers agree
     * ({@link PosixFileAttributes} where the file system has them).
     */
    record Found(Path path, BasicFileAttributes attributes) {
    }

    /**
     * @param root          the served folder's real path ({@link Path#toRealPath})
     * @param hiddenFolders keys of folders never served
     */
    FileLookup(Path root, Set<String> hiddenFolders) {
        this.root = root;
        this.hiddenFolders = Set.copyOf(hiddenFolders);
    }

    /** Whether the key is one that is never served, wherever it leads. */
    boolean isHidden(String key) {
        return PathKeys.isHidden(key, hiddenFolders);
    }

    /** The file the key names, if it is one that may be served. */
    Optional<Found> find(String key) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(key);
        if (!isAscii(key)) { // an ASCII key is the same in every form
            forms.add(Normalizer.normalize(key, Normalizer.Form.NFC));
            forms.add(Normalizer.normalize(key, Normalizer.Form.NFD));
        }
        for (String form : forms) {
            if (Keys.isValid(form) && !isHidden(form)) {
                Optional<Found> found = resolve(form);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isAscii(String key) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private Optional<Found> resolve(String key) {
        try {
            // Without links on the way, the path is its own real path (the root is one): one lstat
            // a name, fewer calls than resolving it, which reads every name of the root's path too.
            Path path = root;
            BasicFileAttributes attributes = null;
            for (String segment : key.split("/", -1)) {
                path = path.resolve(segment);
                attributes = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                if (attributes.isSymbolicLink()) {
                    return throughLinks(key);
                }
            }
            return attributes != null && attributes.isRegularFile() ? Optional.of(new Found(path, attributes)) : Optional.empty();
        } catch (IOException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** The file a key names whose path passes through a link, checked where its real path leads. */
    private Optional<Found> throughLinks(String key) {
        try {
            Path path = root;
            for (String segment : key.split("/", -1)) {
                path = path.resolve(segment);
            }
            // The real path has every link resolved: it is what a read opens, and what is checked.
            Path real = path.toRealPath();
            if (!real.startsWith(root) || real.equals(root)) {
                return Optional.empty();
            }
            StringBuilder relative = new StringBuilder();
            for (Path name : root.relativize(real)) {
                relative.append(relative.length() == 0 ? "" : "/").append(name);
            }
            if (isHidden(relative.toString())) {
                return Optional.empty();
            }
            BasicFileAttributes attributes = Files.readAttributes(real, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? Optional.of(new Found(real, attributes)) : Optional.empty();
        } catch (IOException | InvalidPathException e) {
            return Optional.empty();
        }
    }
}
