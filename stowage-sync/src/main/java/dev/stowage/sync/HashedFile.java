package dev.stowage.sync;

/**
 * A file's state with the wall-clock time its hashing began: a file modified within the
 * file system's timestamp granularity of that moment is hashed again next time (git's "racily
 * clean" rule), because a later write could keep the same mtime. The source is the file's path
 * relative to the root when it is not the key, else null.
 */
record HashedFile(FileState state, String source, long hashedAtNanos) {

    /** Where to read the file, relative to the root: its key unless the name on disk differs. */
    String sourceOrKey() {
        return source == null ? state.key() : source;
    }
}
