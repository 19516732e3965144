package dev.stowage.internal;

import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** What a file system exception means, across JDK quirks. Internal. */
public final class FileErrors {
    private FileErrors() {
    }

    /**
     * Whether the exception says the path does not exist: not there, or below a file. The JDK on
     * Linux reports the latter (ENOTDIR) as a plain {@link FileSystemException}, not always as
     * {@link NotDirectoryException}.
     */
    public static boolean isMissing(FileSystemException e) {
        return e instanceof NoSuchFileException || isNotDirectory(e);
    }

    /** Whether the exception says a file stands where a folder was needed. */
    public static boolean isNotDirectory(FileSystemException e) {
        return e instanceof NotDirectoryException || "Not a directory".equals(e.getReason());
    }
}
