package dev.stowage.local;

import dev.stowage.internal.FileErrors;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The way from {@code base_path}'s folder down to a key, walked one folder at a time, each opened
 * from the one before without following a link ({@link Folder}). A link on the way that stays
 * inside {@code base_path} is followed the only safe way: its real path is found, checked, and
 * walked again from the top, following nothing. A link that leads outside fails the walk
 * ({@link LeadsOutside}); a {@code base_path} that is no longer a folder fails it too ({@link BasePathGone}).
 *
 * <p>Thread-safe: it holds only the root's path; each walk opens its own folders.
 */
final class FolderWalk {
    /** The most links one walk follows, as Linux allows (MAXSYMLINKS). */
    static final int MAX_LINKS = 40;
    /** How often a walk starts again when a folder changes between a look at it and its opening. */
    private static final int MAX_RESTARTS = 3;

    private final Path root;

    FolderWalk(Path root) {
        this.root = root;
    }

    /** A name for a temporary file or folder: listings and scanners skip it. */
    static String temporaryName() {
        return LocalBackend.TEMP_PREFIX + UUID.randomUUID() + ".tmp";
    }

    /** The names from the root down to a path under it; none for the root itself. */
    List<String> namesOf(Path inside) {
        List<String> names = new ArrayList<>();
        if (!inside.equals(root)) {
            for (Path name : root.relativize(inside)) {
                names.add(name.toString());
            }
        }
        return names;
    }

    /**
     * Opens {@code base_path}'s folder.
     *
     * @throws BasePathGone if it no longer exists, is a link now or is not a folder
     */
    Folder openRoot() throws IOException {
        try {
            return Folder.openRoot(root);
        } catch (FileSystemException e) {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException missing) {
                if (FileErrors.isMissing(missing)) {
                    throw new BasePathGone(root, "no longer exists", e);
                }
                throw e;
            }
            if (attrs.isSymbolicLink()) {
                throw new BasePathGone(root, "is a symbolic link now", e);
            }
            if (!attrs.isDirectory()) {
                throw new BasePathGone(root, "is no longer a folder", e);
            }
            throw e;
        }
    }

    /**
     * Opens the folders of a key (all names but the last), from the root down, as far as they exist.
     *
     * @param names the key's names, at least one
     * @throws NotDirectoryException if a file, or a link that leads nowhere, stands where a folder is needed
     * @throws LeadsOutside          if a link on the way leads outside {@code base_path}
     */
    Place locate(List<String> names) throws IOException {
        List<String> todo = names;
        int ownFrom = 1;
        int links = 0;
        int restarts = 0;
        walk:
        while (true) {
            Place place = new Place(openRoot(), ownFrom, todo.get(todo.size() - 1));
            try {
                for (int i = 0; i < todo.size() - 1; i++) {
                    Folder here = place.folder();
                    String name = todo.get(i);
                    Path path = here.path().resolve(name);
                    BasicFileAttributes attrs = here.attributes(name);
                    if (attrs == null) {
                        place.missing = todo.subList(i, todo.size() - 1);
                        return place;
                    }
                    if (attrs.isSymbolicLink()) {
                        Path real = linkTarget(here, name);
                        if (real == null) {
                            throw new NotDirectoryException(path.toString());
                        }
                        if (++links > MAX_LINKS) {
                            throw new FileSystemException(path.toString(), null, "too many symbolic links on the way");
                        }
                        List<String> inside = namesOf(real);
                        ownFrom = 1 + inside.size();
                        inside.addAll(todo.subList(i + 1, todo.size()));
                        todo = inside;
                        place.close();
                        continue walk;
                    }
                    if (!attrs.isDirectory()) {
                        throw new NotDirectoryException(path.toString());
                    }
                    Folder next;
                    try {
                        next = here.open(name);
                    } catch (FileSystemException e) {
                        // It changed between the look and the opening (a link or a file now, or gone): look again.
                        if (e instanceof AccessDeniedException || ++restarts > MAX_RESTARTS) {
                            throw e;
                        }
                        place.close();
                        continue walk;
                    }
                    place.enter(name, next);
                }
                return place;
            } catch (IOException | RuntimeException e) {
                place.close();
                throw e;
            }
        }
    }

    /**
     * Where the link {@code name} in the folder leads, checked to be inside {@code base_path};
     * {@code null} if it leads nowhere.
     *
     * @throws LeadsOutside if it leads outside
     */
    Path linkTarget(Folder folder, String name) throws IOException {
        Path link = folder.path().resolve(name);
        Path real;
        try {
            real = link.toRealPath();
        } catch (FileSystemException e) {
            if (FileErrors.isMissing(e)) {
                return null;
            }
            throw e;
        }
        if (!real.startsWith(root)) {
            throw new LeadsOutside(link);
        }
        return real;
    }

    /**
     * Makes a new empty folder in {@code home} by its path, then opens it through {@code home}: if a
     * folder on the path was swapped meanwhile, it is not there, and this fails with
     * {@link NoSuchFileException} rather than hand out a folder elsewhere.
     */
    Folder makeFolder(Folder home, String name) throws IOException {
        Files.createDirectory(home.path().resolve(name));
        return home.open(name);
    }

    /** The folders of a key that a walk opened, root first, and the names that did not exist. Closing it closes them. */
    static final class Place implements AutoCloseable {
        private final List<Folder> chain = new ArrayList<>();
        private final List<String> chainNames = new ArrayList<>();
        private final int ownFrom;
        private final String name;
        private List<String> missing = List.of();

        private Place(Folder root, int ownFrom, String name) {
            chain.add(root);
            this.ownFrom = ownFrom;
            this.name = name;
        }

        private void enter(String name, Folder folder) {
            chain.add(folder);
            chainNames.add(name);
        }

        /** {@code base_path}'s folder. */
        Folder root() {
            return chain.get(0);
        }

        /** The key's folder, or the deepest of its folders that exists. */
        Folder folder() {
            return chain.get(chain.size() - 1);
        }

        /** The key's last name, in {@link #folder()} when the walk is {@link #isComplete() complete}. */
        String name() {
            return name;
        }

        /** The key's folders that do not exist, below {@link #folder()}. */
        List<String> missing() {
            return missing;
        }

        /** Whether every folder of the key exists. */
        boolean isComplete() {
            return missing.isEmpty();
        }

        /**
         * Deletes the key's folders that are left empty, deepest first, up to {@code base_path}
         * or to a link on the way: the link and what it leads to are not the key's own.
         */
        void pruneEmptyFolders() throws IOException {
            for (int i = chain.size() - 1; i >= Math.max(ownFrom, 1); i--) {
                try {
                    chain.get(i - 1).deleteFolder(chainNames.get(i - 1));
                } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                    return;
                } catch (FileSystemException e) {
                    if (FileErrors.isNotDirectory(e)) {
                        return; // a link stands there now
                    }
                    throw e;
                }
            }
        }

        @Override
        public void close() {
            chain.forEach(Folder::close);
        }
    }

    /** A link on the way to a key leads outside {@code base_path}. */
    static final class LeadsOutside extends FileSystemException {
        private static final long serialVersionUID = 1L;

        LeadsOutside(Path link) {
            super(link.toString(), null, "leads outside base_path");
        }
    }

    /** {@code base_path} is no longer the folder the backend was built on. */
    static final class BasePathGone extends FileSystemException {
        private static final long serialVersionUID = 1L;

        BasePathGone(Path root, String what, Throwable cause) {
            super(root.toString(), null, what);
            initCause(cause);
        }
    }
}
