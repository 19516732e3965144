package dev.stowage;

/** The operation a {@link StorageException} or a {@code StorageListener} event belongs to. */
public enum Operation {
    UPLOAD,
    DELETE,
    STAT,
    URL,
    LIST,
    READ,
    PRESIGN,
    /** Opening or configuring a backend. */
    OPEN
}
