package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link StorageBackend} owes its callers, as one JUnit 5 suite. A backend's
 * test class extends it, builds the backend and says how to read what it stored by a path that does
 * not go through the backend:
 *
 * <pre>{@code
 * class MemoryBackendContractTest extends StorageBackendContract {
 *     private MemoryBackend memory;
 *
 *     @Override
 *     protected StorageBackend createBackend() {
 *         memory = MemoryBackend.create();
 *         return memory;
 *     }
 *
 *     @Override
 *     protected Optional<byte[]> readObject(String key) {
 *         return memory.content(key);
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh backend, closed after it, and a fresh temporary folder for its source
 * files. The suite checks the {@link StorageBackend} contract: what is stored is byte for byte what
 * was uploaded, under exactly the key given; URLs name exactly the key; bad keys fail with
 * {@link ErrorKind#INVALID_KEY} and touch nothing; {@code null} arguments throw at once; every other
 * failure completes the future with an unwrapped {@link StorageException} that names the operation,
 * key and backend on one line; concurrent uploads never mix; a closed backend fails with
 * {@link ErrorKind#CLOSED}. It uses no sleeps and runs in a few seconds.
 */
@Timeout(120)
public abstract class StorageBackendContract {
    /** The longest any single operation may take before the test gives up on it. */
    private static final Duration AWAIT = Duration.ofSeconds(30);
    /** How far a backend's clock (a server's, for remote backends) may be from ours. */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(1);
    /** A raw URL path made only of RFC 3986 unreserved characters, '/' and percent-escapes. */
    private static final Pattern ENCODED_PATH = Pattern.compile("(?:[A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})*");
    /** Any Unicode line terminator: \n, \r, \u000B, \u000C, \u0085, \u2028, \u2029. */
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");
    private static final int MiB = 1 << 20;

    @TempDir
    private Path sources;
    private final AtomicInteger sourceCount = new AtomicInteger();
    private StorageBackend backend;

    /**
     * Builds the backend under test. Called before every test, so each test starts from an empty
     * backend; the suite closes it after the test.
     */
    protected abstract StorageBackend createBackend() throws Exception;

    /**
     * The bytes stored under a key, read by a path independent of the backend under test: for the
     * local disk the file under {@code base_path}, for memory {@code MemoryBackend#content}, for S3 a
     * raw SDK {@code GetObject}.
     *
     * @return the stored bytes, or empty if nothing is stored under exactly this key
     */
    protected abstract Optional<byte[]> readObject(String key) throws Exception;

    /**
     * Whether {@link StorageBackend#deleteFile} removes the object. Override to return
     * {@code false} for a backend whose delete is a documented no-op; the suite then checks that
     * delete succeeds and leaves the object in place.
     */
    protected boolean deletes() {
        return true;
    }

    /**
     * Whether a key may hold an object while other keys use it as a folder, as {@code a} and
     * {@code a/b}. Object stores allow it (override to return {@code true}); the local disk cannot
     * have a file and a folder of one name, so the second upload must fail with
     * {@link ErrorKind#CONFLICT} and leave the first object whole.
     */
    protected boolean allowsFileAndFolderWithSameName() {
        return false;
    }

    /**
     * The names of everything the backend holds now, found by the same independent path as
     * {@link #readObject}: for the local disk every file and folder under {@code base_path}
     * (temporary files included), for memory its keys. The suite compares the set before and after
     * a failed operation to prove that the failure wrote nothing anywhere. Empty (the default) if
     * the backend cannot list cheaply; the suite then checks only keys near the one that failed.
     */
    protected Optional<Set<String>> storedNames() throws Exception {
        return Optional.empty();
    }

    /** What {@link StorageBackend#isRemote()} must answer for this backend; {@code false} unless overridden. */
    protected boolean expectedRemote() {
        return false;
    }

    /** The backend of the running test, as {@link #createBackend()} returned it. */
    protected final StorageBackend backend() {
        return backend;
    }

    @BeforeEach
    final void openBackend() throws Exception {
        backend = createBackend();
        assertThat(backend).as("createBackend()").isNotNull();
    }

    @AfterEach
    final void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    // ---------------------------------------------------------------- the life of one object

    @Test
    void uploadFile_thenStatReadUrlAndDelete_agreeOnOneObject() throws Exception {
        byte[] content = utf8("Hello, Stowage.\n");
        String key = "docs/hello.txt";
        Instant before = Instant.now();

        URI url = await(backend.uploadFile(source(content), key));

        Instant after = Instant.now();
        ObjectInfo info = await(backend.stat(key)).orElseThrow(() -> new AssertionError("stat found nothing after upload"));
        assertThat(info.key()).isEqualTo(key);
        assertThat(info.sizeBytes()).isEqualTo(content.length);
        assertThat(info.lastModified()).isBetween(before.minus(CLOCK_SLACK), after.plus(CLOCK_SLACK));
        info.sha256().ifPresent(sha -> assertThat(sha).as("sha256 reported by stat").isEqualTo(sha256(content)));
        assertStored(key, content);
        assertThat(backend.getUrl(key)).as("getUrl of the uploaded key").isEqualTo(url);

        await(backend.deleteFile(key));

        if (deletes()) {
            assertThat(await(backend.stat(key))).as("stat after delete").isEmpty();
            assertThat(readObject(key)).as("stored under %s after delete", key).isEmpty();
        } else {
            assertThat(await(backend.stat(key))).as("stat after a no-op delete").isPresent();
            assertStored(key, content);
        }
    }

    @Test
    void uploadFile_existingKey_replacesContentAndSize() throws Exception {
        String key = "replace/me.bin";
        await(backend.uploadFile(source(randomBytes(100_000, 1)), key));
        byte[] shorter = utf8("now much shorter");

        URI url = await(backend.uploadFile(source(shorter), key));

        assertStored(key, shorter);
        assertThat(await(backend.stat(key))).map(ObjectInfo::sizeBytes).hasValue((long) shorter.length);
        assertThat(url).isEqualTo(backend.getUrl(key));
    }

    @Test
    void uploadFile_emptyFile_storesEmptyObject() throws Exception {
        String key = "empty.txt";

        await(backend.uploadFile(source(new byte[0]), key));

        assertStored(key, new byte[0]);
        assertThat(await(backend.stat(key))).map(ObjectInfo::sizeBytes).hasValue(0L);
    }

    @Test
    void uploadFile_24MiBRandomFile_storesEveryByte() throws Exception {
        long size = 24L * MiB;
        Path source = sources.resolve("large.bin");
        MessageDigest sourceDigest = newSha256();
        Random random = new Random(24);
        byte[] chunk = new byte[MiB];
        try (OutputStream out = Files.newOutputStream(source)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                sourceDigest.update(chunk);
                out.write(chunk);
            }
        }
        String expectedSha256 = HexFormat.of().formatHex(sourceDigest.digest());

        await(backend.uploadFile(source, "large/random.bin"));

        ObjectInfo info = await(backend.stat("large/random.bin")).orElseThrow();
        assertThat(info.sizeBytes()).isEqualTo(size);
        info.sha256().ifPresent(sha -> assertThat(sha).as("sha256 reported by stat").isEqualTo(expectedSha256));
        byte[] stored = readObject("large/random.bin").orElseThrow(() -> new AssertionError("nothing stored"));
        assertThat(stored.length).isEqualTo(size);
        assertThat(sha256(stored)).as("SHA-256 of the stored object").isEqualTo(expectedSha256);
    }

    @Test
    void uploadFile_withOptions_storesSameBytesAndKeepsContentType() throws Exception {
        byte[] content = utf8("{\"ok\":true}");
        UploadOptions options = UploadOptions.builder()
                .contentType("application/json")
                .cacheControl("public, max-age=60")
                .metadata("origin", "contract-test")
                .sha256(sha256(content))
                .build();

        URI url = await(backend.uploadFile(source(content), "data/ok.json", options));

        assertStored("data/ok.json", content);
        assertThat(url).isEqualTo(backend.getUrl("data/ok.json"));
        ObjectInfo info = await(backend.stat("data/ok.json")).orElseThrow();
        info.contentType().ifPresent(type -> assertThat(type).as("stored content type").isEqualTo("application/json"));
    }

    // ---------------------------------------------------------------- keys and URLs

    static Stream<Arguments> oddButLegalKeys() {
        String ascii1024 = asciiKeyOfBytes(Keys.MAX_KEY_BYTES);
        String japanese80 = "日".repeat(80); // 240 bytes: under the 255-byte segment limit of local file systems
        String japanese1024 = String.join("/", japanese80, japanese80, japanese80, japanese80, "本".repeat(20));
        return Stream.of(
                Arguments.of("space", "with space.txt"),
                Arguments.of("leading and trailing spaces in segments", " lead/trail / mid dle .txt"),
                Arguments.of("plus", "a+b.txt"),
                Arguments.of("space and plus", "a b+c.txt"),
                Arguments.of("hash", "#tag/c#.txt"),
                Arguments.of("question mark", "why?/really?x=1.txt"),
                Arguments.of("percent", "100%.txt"),
                Arguments.of("percent escape look-alike", "a%20b%2Fc%.txt"),
                Arguments.of("ampersand", "tom&jerry.txt"),
                Arguments.of("equals", "k=v.txt"),
                Arguments.of("semicolon", "a;b.txt"),
                Arguments.of("colon in first segment", "c:/d.txt"),
                Arguments.of("other reserved and unsafe ASCII", "!$'()*,@[]{}|^`\"<>.txt"),
                Arguments.of("unreserved punctuation", "~user/-_.txt"),
                Arguments.of("dots that are not . or ..", ".hidden/.../a..b/..c"),
                Arguments.of("accents, composed", "café/résumé.txt"),
                Arguments.of("accents, decomposed", "cafe\u0301/re\u0301sume\u0301.txt"),
                Arguments.of("japanese", "日本/語.txt"),
                Arguments.of("emoji", "emoji/😀 🎉.png"),
                Arguments.of("no-break and zero-width spaces", "a\u00A0b\u200Bc.txt"),
                Arguments.of("deep path", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z.txt"),
                Arguments.of("1024 bytes of ASCII", ascii1024),
                Arguments.of("1024 bytes of japanese", japanese1024));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oddButLegalKeys")
    void uploadFile_oddButLegalKey_storedUnderExactKeyAndUrlNamesIt(String label, String key) throws Exception {
        assertThat(key.getBytes(StandardCharsets.UTF_8).length).as("test key size").isLessThanOrEqualTo(Keys.MAX_KEY_BYTES);
        byte[] content = utf8("content of " + label);

        URI url = await(backend.uploadFile(source(content), key));

        assertStored(key, content);
        assertThat(await(backend.stat(key))).as("stat").map(ObjectInfo::key).hasValue(key);
        assertThat(backend.getUrl(key)).as("getUrl").isEqualTo(url);
        assertUrlNamesKey(url, key);
    }

    @Test
    void getUrl_keyNeverUploaded_namesKeyAndStoresNothing() throws Exception {
        Optional<Set<String>> before = storedNames();

        URI url = backend.getUrl("never/uploaded file.txt");

        assertUrlNamesKey(url, "never/uploaded file.txt");
        assertThat(readObject("never/uploaded file.txt")).isEmpty();
        assertThat(storedNames()).isEqualTo(before);
    }

    /** Keys that break a rule, each with legal keys close to it that a sloppy backend might touch instead. */
    static Stream<Arguments> invalidKeys() {
        String ascii1025 = asciiKeyOfBytes(Keys.MAX_KEY_BYTES + 1);
        String ascii1023 = asciiKeyOfBytes(Keys.MAX_KEY_BYTES - 1);
        return Stream.of(
                Arguments.of("empty", "", List.of()),
                Arguments.of("leading slash", "/abs", List.of("abs")),
                Arguments.of("empty segment", "a//b", List.of("a/b")),
                Arguments.of("trailing slash", "a/", List.of("a")),
                Arguments.of("leading dot segment", "./a", List.of("a")),
                Arguments.of("inner dot segment", "a/./b", List.of("a/b")),
                Arguments.of("trailing dot segment", "a/.", List.of("a")),
                Arguments.of("lone dot", ".", List.of()),
                Arguments.of("dot-dot segment", "a/../b", List.of("b", "a/b")),
                Arguments.of("lone dot-dot", "..", List.of()),
                Arguments.of("dot-dot escaping", "../outside.txt", List.of("outside.txt")),
                Arguments.of("backslash", "a\\b", List.of("a/b", "b")),
                Arguments.of("newline", "a\nb", List.of("a", "b", "ab")),
                Arguments.of("carriage return", "a\rb", List.of("a", "b", "ab")),
                Arguments.of("tab", "a\tb", List.of("ab")),
                Arguments.of("NUL", "a\u0000b", List.of("a", "ab")),
                Arguments.of("DEL", "\u007f", List.of()),
                Arguments.of("C1 control NEL", "a\u0085b", List.of("ab")),
                Arguments.of("lone high surrogate", "a\uD800b", List.of("ab")),
                Arguments.of("lone low surrogate", "a\uDC00b", List.of("ab")),
                Arguments.of("high surrogate at the end", "a\uD800", List.of("a")),
                Arguments.of("1025 bytes of ASCII", ascii1025, List.of(ascii1025.substring(0, ascii1025.length() - 1))),
                Arguments.of("1024 chars but 1025 bytes", ascii1023 + "é", List.of(ascii1023)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeys")
    void uploadFile_invalidKey_failsInvalidKeyAndWritesNothing(String label, String key, List<String> nearby) throws Exception {
        Path source = source(utf8("must not be stored"));
        Optional<Set<String>> before = storedNames();

        expectFailure(backend.uploadFile(source, key), ErrorKind.INVALID_KEY, Operation.UPLOAD, key);

        for (String legal : nearby) {
            assertThat(readObject(legal)).as("stored under nearby key %s", legal).isEmpty();
        }
        assertThat(storedNames()).as("everything stored").isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeys")
    void deleteFile_invalidKey_failsInvalidKeyAndDeletesNothing(String label, String key, List<String> nearby) throws Exception {
        for (String legal : nearby) {
            await(backend.uploadFile(source(utf8(legal)), legal));
        }
        Optional<Set<String>> before = storedNames();

        expectFailure(backend.deleteFile(key), ErrorKind.INVALID_KEY, Operation.DELETE, key);

        for (String legal : nearby) {
            assertStored(legal, utf8(legal));
        }
        assertThat(storedNames()).as("everything stored").isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeys")
    void stat_invalidKey_failsInvalidKey(String label, String key, List<String> nearby) throws Exception {
        expectFailure(backend.stat(key), ErrorKind.INVALID_KEY, Operation.STAT, key);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeys")
    void getUrl_invalidKey_throwsInvalidKeyAtOnce(String label, String key, List<String> nearby) {
        Throwable thrown = catchThrowable(() -> backend.getUrl(key));

        assertThat(thrown).isInstanceOf(StorageException.class);
        StorageException e = (StorageException) thrown;
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.INVALID_KEY);
        assertThat(e.key()).isEqualTo(key);
        assertOneLine(e.getMessage());
    }

    // ---------------------------------------------------------------- arguments and sources

    @Test
    void nullArgument_throwsNullPointerExceptionAtOnceNamingIt() throws Exception {
        Path source = source(utf8("x"));

        assertThatThrownBy(() -> backend.uploadFile(null, "k.txt")).isInstanceOf(NullPointerException.class).hasMessageContaining("source");
        assertThatThrownBy(() -> backend.uploadFile(source, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> backend.uploadFile(source, "k.txt", null)).isInstanceOf(NullPointerException.class).hasMessageContaining("options");
        assertThatThrownBy(() -> backend.deleteFile(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> backend.stat(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> backend.getUrl(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("key");
        assertThat(readObject("k.txt")).isEmpty();
    }

    @Test
    void uploadFile_missingSource_failsNotFoundNamingPathAndStoresNothing() throws Exception {
        Path missing = sources.resolve("no such file.txt");
        Optional<Set<String>> before = storedNames();

        StorageException e = expectFailure(backend.uploadFile(missing, "missing/source.txt"),
                ErrorKind.NOT_FOUND, Operation.UPLOAD, "missing/source.txt");

        assertThat(e.getMessage()).contains(missing.toString());
        assertThat(readObject("missing/source.txt")).isEmpty();
        assertThat(storedNames()).isEqualTo(before);
    }

    @Test
    void uploadFile_sourceBelowAFile_failsNotFoundAndStoresNothing() throws Exception {
        // "notes.txt/child" cannot exist: its parent is a file. Unix reports ENOTDIR, not ENOENT.
        Path missing = source(utf8("a file, not a folder")).resolve("child");
        Optional<Set<String>> before = storedNames();

        StorageException e = expectFailure(backend.uploadFile(missing, "below-file.txt"),
                ErrorKind.NOT_FOUND, Operation.UPLOAD, "below-file.txt");

        assertThat(e.getMessage()).contains(missing.toString());
        assertThat(readObject("below-file.txt")).isEmpty();
        assertThat(storedNames()).isEqualTo(before);
    }

    @Test
    void uploadFile_directoryAsSource_failsAndStoresNothing() throws Exception {
        Path folder = Files.createDirectory(sources.resolve("a folder"));
        Files.write(folder.resolve("inside.txt"), utf8("inside"));
        Optional<Set<String>> before = storedNames();

        expectFailure(backend.uploadFile(folder, "folder-as-source"), null, Operation.UPLOAD, "folder-as-source");

        assertThat(readObject("folder-as-source")).isEmpty();
        assertThat(readObject("folder-as-source/inside.txt")).isEmpty();
        assertThat(storedNames()).isEqualTo(before);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void uploadFile_300ParallelUploadsToDistinctKeys_allStoredIntact() throws Exception {
        int count = 300;
        List<byte[]> contents = new ArrayList<>();
        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            contents.add(utf8(("object " + i + ";").repeat(1 + i % 17)));
        }
        List<Path> files = new ArrayList<>();
        for (byte[] content : contents) {
            files.add(source(content));
        }

        for (int i = 0; i < count; i++) {
            uploads.add(backend.uploadFile(files.get(i), parallelKey(i)));
        }
        CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).get(AWAIT.toSeconds(), TimeUnit.SECONDS);

        for (int i = 0; i < count; i++) {
            assertThat(uploads.get(i).join()).as("URL of %s", parallelKey(i)).isEqualTo(backend.getUrl(parallelKey(i)));
            assertStored(parallelKey(i), contents.get(i));
        }
    }

    /** Keys that share a few folders, so that concurrent uploads also race to create them. */
    private static String parallelKey(int i) {
        return "parallel/" + (i % 10) + "/" + (i % 3) + "/object-" + i + ".txt";
    }

    @Test
    void uploadFile_50ParallelUploadsToSameKey_endWithOneWholeContent() throws Exception {
        int count = 50;
        int size = 256 * 1024;
        String key = "contended/object.bin";
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] content = new byte[size];
            Arrays.fill(content, (byte) i); // each writer's bytes are all its own index: a mix shows at once
            files.add(source(content));
        }

        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (Path file : files) {
            uploads.add(backend.uploadFile(file, key));
        }
        CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).get(AWAIT.toSeconds(), TimeUnit.SECONDS);

        byte[] stored = readObject(key).orElseThrow(() -> new AssertionError("nothing stored"));
        assertThat(stored.length).as("stored size").isEqualTo(size);
        int winner = stored[0];
        assertThat(winner).as("first byte names one writer").isBetween(0, count - 1);
        byte[] expected = new byte[size];
        Arrays.fill(expected, (byte) winner);
        assertThat(Arrays.equals(stored, expected)).as("stored object is entirely writer %d's content", winner).isTrue();
        assertThat(await(backend.stat(key))).map(ObjectInfo::sizeBytes).hasValue((long) size);
    }

    // ---------------------------------------------------------------- missing keys, files and folders

    @Test
    void deleteFile_keyHoldingNothing_succeeds() throws Exception {
        Optional<Set<String>> before = storedNames();

        await(backend.deleteFile("nothing/here.txt"));
        await(backend.deleteFile("nothing/here.txt"));

        assertThat(storedNames()).isEqualTo(before);
    }

    @Test
    void stat_missingKey_isEmpty() throws Exception {
        assertThat(await(backend.stat("nothing/here.txt"))).isEmpty();
    }

    @Test
    void statAndDelete_keyThatIsOnlyAFolderOfOthers_findNothingAndKeepThem() throws Exception {
        byte[] content = utf8("inside a folder");
        await(backend.uploadFile(source(content), "dir/sub/a.txt"));

        assertThat(await(backend.stat("dir"))).as("stat of dir").isEmpty();
        assertThat(await(backend.stat("dir/sub"))).as("stat of dir/sub").isEmpty();
        await(backend.deleteFile("dir/sub"));
        await(backend.deleteFile("dir"));

        assertStored("dir/sub/a.txt", content);
    }

    @Test
    void uploadFile_keyBelowAnExistingObject_storesBothOrFailsConflict() throws Exception {
        byte[] outer = utf8("the object x");
        byte[] inner = utf8("the object x/y");
        await(backend.uploadFile(source(outer), "x"));

        CompletableFuture<URI> upload = backend.uploadFile(source(inner), "x/y");

        if (allowsFileAndFolderWithSameName()) {
            await(upload);
            assertStored("x/y", inner);
        } else {
            expectFailure(upload, ErrorKind.CONFLICT, Operation.UPLOAD, "x/y");
            assertThat(readObject("x/y")).isEmpty();
        }
        assertStored("x", outer);
    }

    @Test
    void uploadFile_keyThatIsAFolderOfAnExistingObject_storesBothOrFailsConflict() throws Exception {
        byte[] inner = utf8("the object x/y");
        byte[] outer = utf8("the object x");
        await(backend.uploadFile(source(inner), "x/y"));

        CompletableFuture<URI> upload = backend.uploadFile(source(outer), "x");

        if (allowsFileAndFolderWithSameName()) {
            await(upload);
            assertStored("x", outer);
        } else {
            expectFailure(upload, ErrorKind.CONFLICT, Operation.UPLOAD, "x");
            assertThat(readObject("x")).isEmpty();
        }
        assertStored("x/y", inner);
    }

    @Test
    void stat_keyBelowAnExistingObject_isEmpty() throws Exception {
        await(backend.uploadFile(source(utf8("x")), "x"));

        assertThat(await(backend.stat("x/y"))).isEmpty();
    }

    @Test
    void deleteFile_keyBelowAnExistingObject_succeedsAndKeepsTheObject() throws Exception {
        byte[] content = utf8("x");
        await(backend.uploadFile(source(content), "x"));

        await(backend.deleteFile("x/y"));

        assertStored("x", content);
    }

    // ---------------------------------------------------------------- list

    /** {@link StorageBackend#list} and {@link StorageBackend#forEach}. */
    @Nested
    class Listing {
        /** Keys chosen so that folder order and plain string order disagree ("a-b" < "a/" < "a0"), plus non-ASCII. */
        private final List<String> keys = List.of("a/b.txt", "a-b.txt", "a0.txt", "a/c/d.txt", "A.txt", "b.txt",
                "\u00e9t\u00e9.txt", "a b/x.txt", "z/\ud83d\ude00.txt", "z/\u0436.txt");

        private List<String> upload() throws Exception {
            for (String key : keys) {
                await(backend.uploadFile(source(utf8("content of " + key)), key));
            }
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(Keys.ORDER);
            return sorted;
        }

        @Test
        void list_emptyBackend_completesWithNothing() throws Exception {
            assertThat(listAll("")).isEmpty();
        }

        @Test
        void list_everyKey_inKeyOrderWithSizeAndTime() throws Exception {
            Instant before = Instant.now().minus(CLOCK_SLACK);
            List<String> sorted = upload();

            List<ObjectInfo> all = listAll("");

            assertThat(all).extracting(ObjectInfo::key).containsExactlyElementsOf(sorted);
            for (ObjectInfo info : all) {
                assertThat(info.sizeBytes()).as("size of %s", info.key())
                        .isEqualTo(utf8("content of " + info.key()).length);
                assertThat(info.lastModified()).as("time of %s", info.key())
                        .isBetween(before, Instant.now().plus(CLOCK_SLACK));
                info.sha256().ifPresent(sha -> assertThat(sha).as("sha256 of %s", info.key())
                        .isEqualTo(sha256(utf8("content of " + info.key()))));
            }
        }

        @Test
        void list_prefix_isAStringPrefixOrAFolder() throws Exception {
            upload();

            assertThat(keysOf("a/")).containsExactly("a/b.txt", "a/c/d.txt");
            assertThat(keysOf("a")).containsExactly("a b/x.txt", "a-b.txt", "a/b.txt", "a/c/d.txt", "a0.txt");
            assertThat(keysOf("a/c/")).containsExactly("a/c/d.txt");
            assertThat(keysOf("a/c")).containsExactly("a/c/d.txt");
            assertThat(keysOf("a/b.txt")).containsExactly("a/b.txt");
            // S3 lists in UTF-8 byte order; S3Proxy, the test server, in UTF-16 order: they agree below U+D800.
            assertThat(keysOf("z/")).containsExactly("z/\u0436.txt", "z/\ud83d\ude00.txt");
            assertThat(keysOf("nothing/")).isEmpty();
            assertThat(keysOf("b.txt/")).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.stowage.testkit.StorageBackendContract#badPrefixes")
        void list_invalidPrefix_failsInvalidKey(String prefix) throws Exception {
            expectFailure(backend.forEach(prefix, info -> { }), ErrorKind.INVALID_KEY, Operation.LIST, prefix);
        }

        @Test
        void list_nullPrefixOrSubscriber_throwsAtOnce() {
            assertThatThrownBy(() -> backend.list(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("prefix");
            assertThatThrownBy(() -> backend.list("").subscribe(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> backend.forEach("", null)).isInstanceOf(NullPointerException.class);
        }

        @Test
        void list_deliversOnlyWhatWasRequested_thenStopsOnCancel() throws Exception {
            upload();
            BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
            AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
            backend.list("").subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription.set(s);
                    s.request(2);
                }

                @Override
                public void onNext(ObjectInfo item) {
                    signals.add(item.key());
                }

                @Override
                public void onError(Throwable e) {
                    signals.add(e);
                }

                @Override
                public void onComplete() {
                    signals.add("complete");
                }
            });
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(Keys.ORDER);

            assertThat(signals.poll(AWAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(sorted.get(0));
            assertThat(signals.poll(AWAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(sorted.get(1));
            subscription.get().request(1);
            assertThat(signals.poll(AWAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(sorted.get(2));
            subscription.get().cancel();
            // A listing that ignored demand or cancel would have delivered the rest by now: the
            // stored keys are few and already fetched.
            subscription.get().request(100);
            assertThat(signals.poll(200, TimeUnit.MILLISECONDS)).as("a signal after cancel").isNull();
        }

        @Test
        void list_requestOfZero_endsWithIllegalArgument() throws Exception {
            upload();
            CompletableFuture<Throwable> error = new CompletableFuture<>();
            backend.list("").subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(0);
                }

                @Override
                public void onNext(ObjectInfo item) {
                    error.completeExceptionally(new AssertionError("an item was delivered without demand: " + item));
                }

                @Override
                public void onError(Throwable e) {
                    error.complete(e);
                }

                @Override
                public void onComplete() {
                    error.completeExceptionally(new AssertionError("completed despite a request of 0"));
                }
            });
            assertThat(await(error)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void list_itemsArriveOnTheBackendsThreads_neverTheCallersOrTheHttpClients() throws Exception {
            upload();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            Thread caller = Thread.currentThread();

            await(backend.forEach("", info -> threads.add(Thread.currentThread() == caller ? "the caller" : Thread.currentThread().getName())));

            assertThat(threads).isNotEmpty().allSatisfy(name -> assertThat(name)
                    .isNotEqualTo("the caller").doesNotContainIgnoringCase("eventloop").doesNotContain("sdk-async-response"));
        }

        @Test
        void forEach_actionThrows_failsWithItAndStops() throws Exception {
            upload();
            AtomicInteger seen = new AtomicInteger();
            IllegalStateException boom = new IllegalStateException("boom");

            Throwable e = catchThrowable(() -> await(backend.forEach("", info -> {
                seen.incrementAndGet();
                throw boom;
            })));

            assertThat(e).hasCause(boom);
            assertThat(seen).hasValue(1);
        }

        @Test
        void list_afterClose_failsClosed() throws Exception {
            backend.close();
            expectFailure(backend.forEach("a/", info -> { }), ErrorKind.CLOSED, Operation.LIST, "a/");
        }

        private List<ObjectInfo> listAll(String prefix) throws Exception {
            List<ObjectInfo> all = Collections.synchronizedList(new ArrayList<>());
            long count = await(backend.forEach(prefix, all::add));
            assertThat(count).as("count forEach reports").isEqualTo(all.size());
            return all;
        }

        private List<String> keysOf(String prefix) throws Exception {
            return listAll(prefix).stream().map(ObjectInfo::key).collect(Collectors.toList());
        }
    }

    static Stream<String> badPrefixes() {
        return Stream.of("/a", "a//", "../x", "a/./b/", "a\\b", "a\nb", "//");
    }

    // ---------------------------------------------------------------- deleteFiles

    /** {@link StorageBackend#deleteFiles}. */
    @Nested
    class BatchDelete {
        @Test
        void deleteFiles_storedMissingRepeatedAndInvalidKeys_reportsEachOnce() throws Exception {
            for (String key : List.of("d/1.txt", "d/2.txt", "keep.txt")) {
                await(backend.uploadFile(source(utf8(key)), key));
            }

            DeleteResult result = await(backend.deleteFiles(List.of("d/2.txt", "d/1.txt", "never.txt", "d/2.txt", "../bad")));

            assertThat(result.deleted()).containsExactly("d/2.txt", "d/1.txt", "never.txt");
            assertThat(result.failed()).containsOnlyKeys("../bad");
            StorageException bad = result.failed().get("../bad");
            assertThat(bad.kind()).isEqualTo(ErrorKind.INVALID_KEY);
            assertThat(bad.key()).isEqualTo("../bad");
            assertThat(result.isComplete()).isFalse();
            if (deletes()) {
                assertThat(readObject("d/1.txt")).isEmpty();
                assertThat(readObject("d/2.txt")).isEmpty();
            } else {
                assertStored("d/1.txt", utf8("d/1.txt"));
            }
            assertStored("keep.txt", utf8("keep.txt"));
        }

        @Test
        void deleteFiles_manyKeys_deletesEveryOne() throws Exception {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                keys.add("many/" + i + ".txt");
            }
            List<CompletableFuture<URI>> uploads = new ArrayList<>();
            for (String key : keys) {
                uploads.add(backend.uploadFile(source(utf8(key)), key));
            }
            for (CompletableFuture<URI> upload : uploads) {
                await(upload);
            }

            DeleteResult result = await(backend.deleteFiles(keys));

            assertThat(result.isComplete()).isTrue();
            assertThat(result.deleted()).containsExactlyElementsOf(keys);
            if (deletes()) {
                assertThat(listAllKeys("many/")).isEmpty();
            }
        }

        @Test
        void deleteFiles_noKeys_isEmptyResult() throws Exception {
            DeleteResult result = await(backend.deleteFiles(List.of()));

            assertThat(result.deleted()).isEmpty();
            assertThat(result.isComplete()).isTrue();
        }

        @Test
        void deleteFiles_nullKeys_throwAtOnce() {
            assertThatThrownBy(() -> backend.deleteFiles(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("keys");
            assertThatThrownBy(() -> backend.deleteFiles(Arrays.asList("a.txt", null)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("keys");
        }

        @Test
        void deleteFiles_afterClose_failsClosed() throws Exception {
            backend.close();
            expectFailure(backend.deleteFiles(List.of("a.txt")), ErrorKind.CLOSED, Operation.DELETE, null);
        }

        private List<String> listAllKeys(String prefix) throws Exception {
            List<String> keys = Collections.synchronizedList(new ArrayList<>());
            await(backend.forEach(prefix, info -> keys.add(info.key())));
            return keys;
        }
    }

    // ---------------------------------------------------------------- unwrap

    @Test
    void unwrap_ownTypeGivesTheBackend_otherTypeGivesNothing() {
        assertThat(backend.unwrap(StorageBackend.class)).containsSame(backend);
        assertThat(backend.unwrap(String.class)).isEmpty();
        assertThatThrownBy(() -> backend.unwrap(null)).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- close

    @Test
    void close_thenOperations_failClosedInTheirFutures() throws Exception {
        Path source = source(utf8("too late"));
        backend.close();
        backend.close(); // idempotent

        expectFailure(backend.uploadFile(source, "late.txt"), ErrorKind.CLOSED, Operation.UPLOAD, "late.txt");
        expectFailure(backend.deleteFile("late.txt"), ErrorKind.CLOSED, Operation.DELETE, "late.txt");
        expectFailure(backend.stat("late.txt"), ErrorKind.CLOSED, Operation.STAT, "late.txt");
        assertThat(readObject("late.txt")).isEmpty();
    }

    // ---------------------------------------------------------------- errors

    @Test
    void failure_carriesOperationKeyAndBackendOnOneLine() throws Exception {
        Path missing = sources.resolve("gone.pdf");

        StorageException e = expectFailure(backend.uploadFile(missing, "reports/q1 2026.pdf"),
                ErrorKind.NOT_FOUND, Operation.UPLOAD, "reports/q1 2026.pdf");

        assertThat(e.getMessage()).contains("UPLOAD", "reports/q1 2026.pdf", e.backend());
        assertThat(e.detail()).isNotBlank();
    }

    @Test
    void failure_keyWithLineBreaks_messageStaysOneLine() throws Exception {
        String key = "forged\nINFO everything is fine\r\nreally";

        StorageException e = expectFailure(backend.stat(key), ErrorKind.INVALID_KEY, Operation.STAT, key);

        assertThat(e.getMessage()).contains("forged", "really");
    }

    @Test
    void failure_legalKeyWithUnicodeLineSeparator_messageStaysOneLine() throws Exception {
        // U+2028 and U+2029 are legal in keys (they are not control characters) but are line
        // terminators to Unicode, java.util.regex's \R, JavaScript and many log viewers.
        String key = "forged\u2028INFO all fine\u2029really.txt";

        expectFailure(backend.uploadFile(sources.resolve("absent"), key), ErrorKind.NOT_FOUND, Operation.UPLOAD, key);
    }

    @Test
    void isRemote_isWhatTheBackendIs() {
        assertThat(backend.isRemote()).isEqualTo(expectedRemote());
        assertThat(backend.isRemote()).isEqualTo(expectedRemote());
    }

    // ---------------------------------------------------------------- cancellation and close in flight

    @Test
    void uploadFile_cancelled_completesAndLeavesTheObjectWholeOrAbsent() throws Exception {
        byte[] content = randomBytes(8 * MiB, 7);
        Path source = source(content);

        CompletableFuture<URI> upload = backend.uploadFile(source, "cancelled/big.bin");
        upload.cancel(true);

        assertThat(upload).isCancelled();
        // The work may still finish or stop in the background; at no moment is part of an object visible.
        for (int i = 0; i < 20; i++) {
            readObject("cancelled/big.bin").ifPresent(bytes -> assertThat(sha256(bytes)).isEqualTo(sha256(content)));
        }
    }

    @Test
    void close_whileUploadsAreInFlight_everySuccessIsStored() throws Exception {
        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            uploads.add(backend.uploadFile(source(utf8("in flight " + i)), "inflight/" + i + ".txt"));
        }
        backend.close();

        for (int i = 0; i < uploads.size(); i++) {
            Object outcome = uploads.get(i).handle((url, error) -> error != null ? error : url)
                    .get(AWAIT.toSeconds(), TimeUnit.SECONDS);
            if (outcome instanceof URI) {
                assertStored("inflight/" + i + ".txt", utf8("in flight " + i));
            } else {
                assertThat(outcome).as("a failed upload during close").isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.CLOSED));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A new source file in this test's temporary folder. */
    protected final Path source(byte[] content) throws IOException {
        return Files.write(sources.resolve("source-" + sourceCount.incrementAndGet() + ".bin"), content);
    }

    /** The value of a future that must succeed, waiting at most {@link #AWAIT}. */
    public static <T> T await(CompletableFuture<T> future) throws Exception {
        assertThat(future).as("future").isNotNull();
        return future.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Checks that a future fails with a {@link StorageException} itself (not wrapped in a
     * {@link CompletionException}) of the given kind ({@code null}: any kind), naming the operation,
     * the key and the backend on one line.
     */
    public static StorageException expectFailure(CompletableFuture<?> future, ErrorKind kind, Operation op, String key)
            throws Exception {
        assertThat(future).as("future").isNotNull();
        Object outcome = future
                .handle((value, error) -> error != null ? error : (Object) ("a success with " + value))
                .get(AWAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(outcome).as("how the future completed").isInstanceOf(StorageException.class);
        assertThatThrownBy(future::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(StorageException.class);
        StorageException e = (StorageException) outcome;
        if (kind != null) {
            assertThat(e.kind()).as("kind of: %s", e.getMessage()).isEqualTo(kind);
        }
        assertThat(e.operation()).as("operation of: %s", e.getMessage()).isEqualTo(op);
        assertThat(e.key()).as("key of: %s", e.getMessage()).isEqualTo(key);
        assertThat(e.backend()).as("backend of: %s", e.getMessage()).isNotBlank();
        assertOneLine(e.getMessage());
        return e;
    }

    private static void assertOneLine(String message) {
        assertThat(message).as("message").isNotBlank();
        assertThat(LINE_BREAK.matcher(message).find())
                .as("message has a line break: %s", message.replace("\n", "\\n").replace("\r", "\\r")
                        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085"))
                .isFalse();
    }

    /** Checks, through {@link #readObject}, that exactly these bytes are stored under the key. */
    protected final void assertStored(String key, byte[] expected) throws Exception {
        Optional<byte[]> stored = readObject(key);
        assertThat(stored).as("stored under %s", key).isPresent();
        assertThat(stored.get()).as("bytes stored under %s", key).isEqualTo(expected);
    }

    /** Checks that a URL's decoded path ends with exactly the key, and its raw path is fully encoded. */
    private static void assertUrlNamesKey(URI url, String key) {
        assertThat(url.getRawQuery()).as("query of %s", url).isNull();
        assertThat(url.getRawFragment()).as("fragment of %s", url).isNull();
        assertThat(url.getPath()).as("decoded path of %s", url).endsWith("/" + key);
        assertThat(url.getRawPath()).as("raw path of %s", url).matches(ENCODED_PATH);
    }

    /** An ASCII key of exactly this many bytes, in segments of 100 letters. */
    private static String asciiKeyOfBytes(int bytes) {
        StringBuilder key = new StringBuilder(bytes);
        for (char letter = 'a'; key.length() < bytes; letter++) {
            int room = bytes - key.length();
            if (room <= 101) {
                key.append(String.valueOf(letter).repeat(room));
            } else {
                key.append(String.valueOf(letter).repeat(100)).append('/');
            }
        }
        return key.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] data) {
        return HexFormat.of().formatHex(newSha256().digest(data));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
