package dev.stowage.sync;

import dev.stowage.ErrorKind;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;

/**
 * Writes the manifest from the state and puts it on the backend, when what it lists changed
 * since the last one that went up. What it lists is summed up in a digest kept in the state: an
 * unchanged folder sends no manifest, and a manifest that failed to go up is sent by the next run.
 * It also keeps the folder's own file at the manifest's key, if any, from being lost.
 */
final class ManifestStep {
    static final String DIGEST = "manifest_sha256";
    /** The generation of the state, key and URL the digest was last taken from. */
    static final String DIGEST_INPUTS = "manifest_digest_inputs";
    /**
     * The SHA-256 of the last manifest file that went up: on a target over the folder itself, what
     * the folder holds at the manifest's key until the next one goes up.
     */
    private static final UploadOptions OPTIONS = UploadOptions.builder()
            .contentType("application/json").cacheControl("no-cache").build();

    private final CacheManager.Settings settings;
    private final StateStore state;
    private final StorageBackend backend;

    ManifestStep(CacheManager.Settings settings, StateStore state, StorageBackend backend) {
        this.settings = settings;
        this.state = state;
        this.backend = backend;
    }

    /** The manifest's URL on the backend: also what identifies the target in the state, unless configured. */
    URI url() {
        return backend.getUrl(settings.manifestKey());
    }

    /**
     * Writes and uploads the manifest if what it lists changed; true when it went up.
     *
     * @throws StorageException when it cannot be written or uploaded
     */
    boolean publish() {
        // What the digest was computed from: the state at one generation, the manifest's key and URL.
        String inputs = state.generation() + "\n" + settings.manifestKey() + "\n" + url();
        boolean fileThere = Files.isRegularFile(settings.manifestFile());
        String stored = state.meta(DIGEST).orElse(""); // empty: a repair asked for the manifest to go up again
        if (fileThere && !stored.isEmpty() && inputs.equals(state.meta(DIGEST_INPUTS).orElse(null))) {
            return false; // nothing it lists can have changed since the digest was taken
        }
        String digest = digest();
        if (fileThere && digest.equals(stored)) {
            state.putMeta(DIGEST_INPUTS, inputs);
            return false;
        }
        try (RowCursor<ManifestEntry> entries = state.manifestEntries()) {
            Manifest.write(settings.manifestFile(), settings.clock().instant(), entries);
        } catch (IOException e) {
            throw StorageException.builder(ErrorKind.IO, "cannot write the manifest " + settings.manifestFile()
                    + ": " + e.getMessage()).cause(e).build();
        }
        try {
            backend.uploadFile(settings.manifestFile(), settings.manifestKey(), OPTIONS).get();
        } catch (ExecutionException e) {
            throw PublishRun.storageException(e, dev.stowage.Operation.UPLOAD, settings.manifestKey());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StorageException.builder(ErrorKind.UNEXPECTED, "interrupted while uploading the manifest").cause(e).build();
        }
        state.putMeta(DIGEST, digest);
        state.putMeta(DIGEST_INPUTS, inputs);
        return true;
    }

    /**
     * Refuses a run when the folder holds something at the manifest's key that is not a manifest
     * this engine wrote there: on a target over the folder the manifest would replace it, on any
     * other it would be left out. A manifest a run put in the folder passes: the one last written,
     * or any file that reads as a manifest (one uploaded before a cut run, one a run to another
     * target over the folder wrote, as {@code stowage serve} does before a {@code sync} to a
     * bucket). Reads only local files.
     *
     * @throws StorageException {@code INVALID_CONFIG} naming the file
     */
    void refuseAFileOfTheFolderAtItsKey() {
        Path file;
        try {
            file = settings.root().resolve(settings.manifestKey());
        } catch (InvalidPathException e) {
            return; // no file of this folder can have that name
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && writtenHere(file)) {
            return;
        }
        throw StorageException.invalidConfig(file + " is a file of the folder, and the manifest is published at"
                + " that key: rename it, or set another manifest key (publish.manifest_key)");
    }

    private boolean writtenHere(Path file) {
        try {
            Path last = settings.manifestFile();
            if (Files.isRegularFile(last) && Files.mismatch(file, last) == -1) {
                return true;
            }
            // Another manifest of this engine's: before a cut run's, or of another target over the folder.
            Manifest.read(file);
            return true;
        } catch (IOException e) {
            return false; // unreadable, or not a manifest
        }
    }


    /** A digest of everything the manifest lists, and where it goes. */
    private String digest() {
        MessageDigest sha = Sha256.newDigest();
        sha.update((settings.manifestKey() + '\n' + url() + '\n').getBytes(StandardCharsets.UTF_8));
        try (RowCursor<ManifestEntry> entries = state.manifestEntries()) {
            while (entries.hasNext()) {
                ManifestEntry e = entries.next();
                sha.update((e.key() + '\0' + e.size() + '\0' + e.sha256() + '\0' + e.url() + '\0' + e.pending() + '\n')
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

}
