package dev.stowage.sync;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.stowage.local.LocalBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The publishing manifest: a JSON document listing every published file with its size, SHA-256 and
 * URL. The format is described for users in {@code docs/manifest.md}.
 *
 * <pre>{@code
 * Manifest.write(Path.of("site/manifest.json"), Instant.now(), entries.iterator());
 * Manifest manifest = Manifest.read(Path.of("site/manifest.json"));
 * }</pre>
 *
 * <p>A {@code Manifest} is immutable and thread-safe. The static methods share no mutable state and
 * may run on any number of threads at once; each consumes the iterator or stream it is given on the
 * calling thread. Writing streams: the entries are never held in memory, so a manifest of a million
 * files is written in the same small memory as one of ten.
 *
 * @param version     the format version, from 1 to {@link #CURRENT_VERSION}
 * @param generatedAt when the manifest was made
 * @param files       the published files, in the order they are listed; an unmodifiable copy
 * @throws NullPointerException     if generatedAt, files or one of the files is null
 * @throws IllegalArgumentException if version is not one this code understands
 */
public record Manifest(int version, Instant generatedAt, List<ManifestEntry> files) {
    /** The format version this code writes, and the newest it reads. */
    public static final int CURRENT_VERSION = 1;

    /** Temporary files are named {@code .stowage-manifest-<random>.tmp}: listings and scanners skip {@code .stowage-*.tmp}. */
    static final String TEMP_PREFIX = LocalBackend.TEMP_PREFIX + "manifest-";
    static final String TEMP_SUFFIX = ".tmp";

    static final String VERSION = "version";
    static final String GENERATED_AT = "generated_at";
    static final String FILES = "files";
    static final String KEY = "key";
    static final String SIZE = "size";
    static final String SHA256 = "sha256";
    static final String URL = "url";
    static final String PENDING = "pending";

    /**
     * The one JSON factory, thread-safe once built. Streams belong to whoever opened them, so the
     * generator and parser never close them; a generator closed after a failure must not add the
     * missing brackets, or a manifest cut short by an error would still look complete; and a field
     * given twice is an error rather than a silent choice of one.
     */
    static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8) // an emoji as its 4 UTF-8 bytes, not as an escaped surrogate pair
            .build();

    public Manifest {
        Objects.requireNonNull(generatedAt, "generatedAt");
        files = List.copyOf(Objects.requireNonNull(files, "files"));
        if (version < 1 || version > CURRENT_VERSION) {
            throw new IllegalArgumentException("version must be from 1 to " + CURRENT_VERSION + ": " + version);
        }
    }

    /** A manifest of the current version. */
    public Manifest(Instant generatedAt, List<ManifestEntry> files) {
        this(CURRENT_VERSION, generatedAt, files);
    }

    /**
     * Writes a manifest to a file atomically: readers of the file see either the old manifest whole
     * or the new one whole, never a mix or a part.
     *
     * <p>The document goes to a temporary file {@code .stowage-manifest-<random>.tmp} in the same
     * folder, is forced to disk, then moved over {@code file} in one step. Missing parent folders are
     * made first. The entries are consumed one at a time on the calling thread and never held.
     *
     * <p>On any failure, including an exception thrown by the iterator (which propagates unchanged),
     * the temporary file is deleted and {@code file} is left as it was. Only a crash, or a delete
     * that fails in turn (added to the exception as suppressed), can leave a temporary file behind;
     * its name marks it as one.
     *
     * @param file        the manifest file, typically {@code manifest.json}
     * @param generatedAt when the manifest was made, written as {@code generated_at}
     * @param entries     the files to list, in the order to list them
     * @throws NullPointerException     if an argument is null, or the iterator yields null
     * @throws IllegalArgumentException if file is a root, such as {@code /}
     * @throws IOException              if the folder cannot be made, file is a folder, or the temporary
     *                                  file cannot be written, forced or moved
     */
    public static void write(Path file, Instant generatedAt, Iterator<ManifestEntry> entries) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(generatedAt, "generatedAt");
        Objects.requireNonNull(entries, "entries");
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        if (folder == null) {
            throw new IllegalArgumentException("file must name a file, not a root: " + file);
        }
        Files.createDirectories(folder);
        if (Files.isDirectory(target)) {
            // A move with REPLACE_EXISTING would replace an empty folder: refuse before writing anything.
            throw new FileSystemException(target.toString(), null, "is a directory, not a manifest file");
        }
        // Not Files.createTempFile: it makes the file readable by its owner only, and a manifest is published.
        Path temp = folder.resolve(TEMP_PREFIX + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                write(Channels.newOutputStream(channel), generatedAt, entries);
                channel.force(true); // on disk before the rename, so a crash cannot leave a renamed but empty file
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException | RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
        syncFolder(folder);
    }

    /**
     * Writes a manifest to a stream, one entry at a time, as UTF-8 JSON; used to upload it.
     *
     * <p>The entries are consumed on the calling thread and never held. The stream is flushed at the
     * end but not closed. If this fails, including when the iterator throws (its exception propagates
     * unchanged), part of a document may already have gone to the stream: it is never a complete
     * manifest, and the caller must discard it.
     *
     * @param out         where to write; left open
     * @param generatedAt when the manifest was made, written as {@code generated_at}
     * @param entries     the files to list, in the order to list them
     * @throws NullPointerException if an argument is null, or the iterator yields null
     * @throws IOException          if the stream fails
     */
    public static void write(OutputStream out, Instant generatedAt, Iterator<ManifestEntry> entries) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(generatedAt, "generatedAt");
        Objects.requireNonNull(entries, "entries");
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setPrettyPrinter(OneEntryPerLine.INSTANCE);
            g.writeStartObject();
            g.writeNumberField(VERSION, CURRENT_VERSION);
            g.writeStringField(GENERATED_AT, generatedAt.toString());
            g.writeArrayFieldStart(FILES);
            for (long index = 0; entries.hasNext(); index++) {
                ManifestEntry entry = entries.next();
                if (entry == null) {
                    throw new NullPointerException("entries yielded null for files[" + index + "]");
                }
                g.writeStartObject();
                g.writeStringField(KEY, entry.key());
                g.writeNumberField(SIZE, entry.size());
                g.writeStringField(SHA256, entry.sha256());
                g.writeStringField(URL, entry.url().toString());
                if (entry.pending()) {
                    g.writeBooleanField(PENDING, true); // absent means false: most entries stay short
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n'); // a text file ends with a newline
            g.flush();
        }
    }

    /**
     * Reads a manifest file.
     *
     * <p>Fields this version does not know are ignored, so that a manifest written by a newer
     * release of the same version still reads. A document that is not a valid manifest fails with an
     * {@code IOException} whose one-line message names the file and the problem, such as
     * {@code manifest /srv/site/manifest.json: files[3].sha256 must be 64 lower-case hex digits (line 5, column 30)}.
     * Thread-safe: nothing is shared between calls.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException                       if the file cannot be read, is not a manifest, or is of a
     *                                           version newer than {@link #CURRENT_VERSION}
     */
    public static Manifest read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return ManifestReader.read(in, "manifest " + file);
        }
    }

    /**
     * Reads a manifest from a stream, to its end; the stream is not closed.
     *
     * <p>As {@link #read(Path)}, except that the error messages, naming no file, start with
     * {@code manifest:}.
     *
     * @throws IOException if the stream fails, or holds no manifest of a version this code reads
     */
    public static Manifest read(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        return ManifestReader.read(in, "manifest");
    }

    /** Makes the rename itself durable; best effort, as some platforms cannot open a folder to force it. */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // The manifest is in place either way; only its durability across a power cut is weaker.
        }
    }
}
