package dev.stowage;

/**
 * What a backend does beyond the contract every backend keeps, so that callers (and the contract
 * suite, which holds each backend to what it claims) know without knowing the backend. Immutable.
 *
 * <pre>{@code
 * if (!backend.capabilities().listsSha256()) {
 *     // compare by size and time, or stat each object
 * }
 * }</pre>
 *
 * @param deletes           {@code deleteFile} removes the object (the local disk, by default, leaves
 *                          the files to their owner and deletes nothing)
 * @param fileAndFolder     a key may hold an object while longer keys use it as a folder, as
 *                          {@code a} and {@code a/b} (object stores); where it cannot, the second
 *                          upload fails with {@link ErrorKind#CONFLICT}
 * @param storesSha256      {@link StorageBackend#stat} reports each object's SHA-256
 * @param listsSha256       {@link StorageBackend#list} reports it too, without a request per object
 * @param storesContentType {@code stat} reports the content type given at upload, or the one guessed
 * @param storesCacheControl {@code stat} reports the {@code Cache-Control} given at upload
 * @param storesMetadata    {@code stat} reports the user metadata given at upload
 */
public record Capabilities(
        boolean deletes,
        boolean fileAndFolder,
        boolean storesSha256,
        boolean listsSha256,
        boolean storesContentType,
        boolean storesCacheControl,
        boolean storesMetadata) {

    /** The least a backend does: none of the above, as a plain folder of files. */
    public static Capabilities none() {
        return new Capabilities(false, false, false, false, false, false, false);
    }

    public Capabilities withDeletes(boolean value) {
        return new Capabilities(value, fileAndFolder, storesSha256, listsSha256, storesContentType, storesCacheControl, storesMetadata);
    }

    public Capabilities withFileAndFolder(boolean value) {
        return new Capabilities(deletes, value, storesSha256, listsSha256, storesContentType, storesCacheControl, storesMetadata);
    }

    public Capabilities withStoresSha256(boolean value) {
        return new Capabilities(deletes, fileAndFolder, value, listsSha256, storesContentType, storesCacheControl, storesMetadata);
    }

    public Capabilities withListsSha256(boolean value) {
        return new Capabilities(deletes, fileAndFolder, storesSha256, value, storesContentType, storesCacheControl, storesMetadata);
    }

    public Capabilities withStoresContentType(boolean value) {
        return new Capabilities(deletes, fileAndFolder, storesSha256, listsSha256, value, storesCacheControl, storesMetadata);
    }

    public Capabilities withStoresCacheControl(boolean value) {
        return new Capabilities(deletes, fileAndFolder, storesSha256, listsSha256, storesContentType, value, storesMetadata);
    }

    public Capabilities withStoresMetadata(boolean value) {
        return new Capabilities(deletes, fileAndFolder, storesSha256, listsSha256, storesContentType, storesCacheControl, value);
    }
}
