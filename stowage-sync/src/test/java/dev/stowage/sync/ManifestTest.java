package dev.stowage.sync;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(120)
class ManifestTest {
    private static final Instant AT = Instant.parse("2026-11-30T14:00:00Z");
    private static final String SHA_A = "a".repeat(64);
    private static final String SHA_B = "0123456789abcdef".repeat(4);

    @TempDir
    Path temp;

    private static String sha(long i) {
        return String.format("%064x", i);
    }

    private static ManifestEntry entry(long i) {
        return new ManifestEntry("dir/file " + i + ".bin", i, sha(i), URI.create("https://cdn.example.com/dir/file%20" + i + ".bin"));
    }

    /** Entries made on demand, never held: the writer alone decides how much is in memory. */
    private static Iterator<ManifestEntry> generate(long count, LongFunction<ManifestEntry> make) {
        return new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public ManifestEntry next() {
                if (next >= count) {
                    throw new NoSuchElementException();
                }
                return make.apply(next++);
            }
        };
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(temp)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".stowage-manifest-")
                    && f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    /** The sizes of the temporary files in a folder, from inside an iterator (which cannot throw IOException). */
    private static List<Long> sizesOfFilesIn(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            List<Long> sizes = new ArrayList<>();
            for (Path f : files.filter(f -> f.getFileName().toString().matches("\\.stowage-manifest-.+\\.tmp")).toList()) {
                sizes.add(Files.size(f));
            }
            return sizes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void roundTrip_oddKeys_readsBackTheSameEntriesInOrder() throws IOException {
        String nfc = Normalizer.normalize("Zoe\u0308/cafe\u0301 menu.txt", Normalizer.Form.NFC);
        List<ManifestEntry> entries = List.of(
                new ManifestEntry("img/a b.png", 12, SHA_A, URI.create("https://cdn.example.com/img/a%20b.png")),
                new ManifestEntry("notes/#1 100%.txt", 0, SHA_B, URI.create("https://cdn.example.com/notes/%231%20100%25.txt"), true),
                new ManifestEntry("😀/smile \"quoted\" \\.png", Long.MAX_VALUE, SHA_A, URI.create("http://127.0.0.1:8080/%F0%9F%98%80/x")),
                new ManifestEntry(nfc, 7, SHA_B, URI.create("https://cdn.example.com/Zo%C3%AB/caf%C3%A9%20menu.txt")));
        Path file = temp.resolve("manifest.json");

        Manifest.write(file, AT, entries.iterator());
        Manifest read = Manifest.read(file);

        assertThat(read).isEqualTo(new Manifest(1, AT, entries));
        assertThat(read.files()).extracting(ManifestEntry::key)
                .containsExactly("img/a b.png", "notes/#1 100%.txt", "😀/smile \"quoted\" \\.png", "Zo\u00eb/caf\u00e9 menu.txt");
        // Written as UTF-8 as it is: NFC stays NFC, and nothing is escaped that need not be.
        String text = Files.readString(file, UTF_8);
        assertThat(text).contains("\"key\":\"Zo\u00eb/caf\u00e9 menu.txt\"", "\"key\":\"😀/smile \\\"quoted\\\" \\\\.png\"");
    }

    @Test
    void exactText_smallManifest_compactWithOneEntryPerLineAndPendingOnlyWhenTrue() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Manifest.write(out, AT, List.of(
                new ManifestEntry("img/a b.png", 12, SHA_A, URI.create("https://cdn.example.com/img/a%20b.png"), false),
                new ManifestEntry("x", 0, SHA_B, URI.create("http://127.0.0.1:8080/x"), true)).iterator());

        assertThat(out.toString(UTF_8)).isEqualTo("""
                {"version":1,"generated_at":"2026-11-30T14:00:00Z","files":[
                {"key":"img/a b.png","size":12,"sha256":"%s","url":"https://cdn.example.com/img/a%%20b.png"},
                {"key":"x","size":0,"sha256":"%s","url":"http://127.0.0.1:8080/x","pending":true}
                ]}
                """.formatted(SHA_A, SHA_B));
    }

    @Test
    void emptyList_writesEmptyArrayAndReadsBack() throws IOException {
        Path file = temp.resolve("manifest.json");

        Manifest.write(file, AT, List.<ManifestEntry>of().iterator());

        assertThat(file).content(UTF_8)
                .isEqualTo("{\"version\":1,\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":[]}\n");
        assertThat(Manifest.read(file)).isEqualTo(new Manifest(AT, List.of()));
    }

    @Test
    void pending_writtenOnlyWhenTrue_andReadBackEitherWay() throws IOException {
        Path file = temp.resolve("manifest.json");
        ManifestEntry remote = new ManifestEntry("a", 1, SHA_A, URI.create("https://cdn.example.com/a"));
        ManifestEntry local = new ManifestEntry("b", 1, SHA_A, URI.create("http://127.0.0.1:8080/b"), true);

        Manifest.write(file, AT, List.of(remote, local).iterator());

        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(lines.get(1)).startsWith("{\"key\":\"a\"").doesNotContain("pending");
        assertThat(lines.get(2)).startsWith("{\"key\":\"b\"").endsWith("\"pending\":true}");
        assertThat(Manifest.read(file).files()).extracting(ManifestEntry::pending).containsExactly(false, true);
    }

    @Test
    void generatedAt_withFractionOfSecond_roundTrips() throws IOException {
        Instant at = Instant.parse("2026-11-30T14:00:00.123456789Z");
        Path file = temp.resolve("manifest.json");

        Manifest.write(file, at, List.of(entry(1)).iterator());

        assertThat(Manifest.read(file).generatedAt()).isEqualTo(at);
    }

    @Test
    void write_missingParentFolders_areMade() throws IOException {
        Path file = temp.resolve("a/b/c/manifest.json");

        Manifest.write(file, AT, List.of(entry(1)).iterator());

        assertThat(Manifest.read(file).files()).containsExactly(entry(1));
    }

    @Test
    void write_overExistingManifest_replacesItWholeAndLeavesNoTemporaryFile() throws IOException {
        Path file = temp.resolve("manifest.json");
        Manifest.write(file, AT, generate(3, ManifestTest::entry));

        Manifest.write(file, AT.plusSeconds(60), generate(2, i -> entry(i + 10)));

        assertThat(Manifest.read(file)).isEqualTo(new Manifest(AT.plusSeconds(60), List.of(entry(10), entry(11))));
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void write_iteratorThrowsMidway_oldManifestIntactAndTemporaryFileDeleted() throws IOException {
        Path file = temp.resolve("manifest.json");
        Manifest.write(file, AT, generate(2, ManifestTest::entry));
        byte[] before = Files.readAllBytes(file);
        RuntimeException boom = new IllegalStateException("scan failed");
        List<Long> temporarySizesWhenFailing = new ArrayList<>();

        assertThatThrownBy(() -> Manifest.write(file, AT.plusSeconds(1), generate(50_000, i -> {
            if (i == 20_000) {
                // By now the writer has flushed much to its temporary file: the failure must undo that.
                temporarySizesWhenFailing.addAll(sizesOfFilesIn(temp));
                throw boom;
            }
            return entry(i);
        }))).isSameAs(boom);

        assertThat(temporarySizesWhenFailing).singleElement().satisfies(size -> assertThat(size).isPositive());
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(temporaryFiles()).isEmpty();
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void write_iteratorYieldsNull_failsNamingTheIndexAndKeepsOldManifest() throws IOException {
        Path file = temp.resolve("manifest.json");
        Manifest.write(file, AT, generate(1, ManifestTest::entry));
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> Manifest.write(file, AT, generate(3, i -> i == 2 ? null : entry(i))))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("files[2]");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void write_toDirectory_isRefusedAndTheDirectoryStays() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("manifest.json"));

        assertThatThrownBy(() -> Manifest.write(folder, AT, generate(1, ManifestTest::entry)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is a directory");

        assertThat(folder).isEmptyDirectory();
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void writeToStream_leavesStreamOpen_andAFailureNeverLooksLikeACompleteManifest() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream out = new FilterOutputStream(bytes) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        RuntimeException boom = new IllegalStateException("scan failed");

        Manifest.write(out, AT, generate(2, ManifestTest::entry));
        assertThat(closed).isFalse();
        assertThat(Manifest.read(new ByteArrayInputStream(bytes.toByteArray())).files()).hasSize(2);

        bytes.reset();
        assertThatThrownBy(() -> Manifest.write(out, AT, generate(5, i -> {
            if (i == 3) {
                throw boom;
            }
            return entry(i);
        }))).isSameAs(boom);

        assertThat(closed).isFalse();
        // What reached the stream is cut short: no closing brackets were added on the way out.
        assertThat(bytes.toString(UTF_8)).doesNotContain("]}");
        assertThatThrownBy(() -> Manifest.read(new ByteArrayInputStream(bytes.toByteArray())))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("manifest: ");
    }

    @Test
    void writeToStream_streams_bytesReachTheStreamBeforeTheLastEntryIsAskedFor() throws IOException {
        AtomicLong written = new AtomicLong();
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                written.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written.addAndGet(len);
            }
        };
        List<Long> writtenWhenAskedForLast = new ArrayList<>();

        Manifest.write(counting, AT, generate(10_000, i -> {
            if (i == 9_999) {
                writtenWhenAskedForLast.add(written.get());
            }
            return entry(i);
        }));

        // Far more than one buffer was written before the end: the writer does not collect entries first.
        assertThat(writtenWhenAskedForLast).singleElement().satisfies(n -> assertThat(n).isGreaterThan(500_000L));
    }

    @Test
    void write_200000Entries_streamsToDiskAndReadsBack() throws IOException {
        int count = 200_000;
        Path file = temp.resolve("big/manifest.json");
        List<Long> temporarySizeHalfway = new ArrayList<>();

        Manifest.write(file, AT, generate(count, i -> {
            if (i == count / 2) {
                temporarySizeHalfway.addAll(sizesOfFilesIn(file.getParent()));
            }
            return entry(i);
        }));

        // Half the entries were already on disk while the other half had yet to be made.
        assertThat(temporarySizeHalfway).singleElement().satisfies(size -> assertThat(size).isGreaterThan(10_000_000L));
        Manifest read = Manifest.read(file);
        assertThat(read.files()).hasSize(count);
        assertThat(read.files().get(count - 1)).isEqualTo(entry(count - 1));
        assertThat(Files.readAllLines(file, UTF_8)).hasSize(count + 2);
    }

    @Test
    void concurrentWritersAndAReader_readerOnlyEverSeesWholeManifests() throws Exception {
        Path file = temp.resolve("manifest.json");
        Manifest.write(file, AT, generate(500, ManifestTest::entry));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int round = 0; round < 30; round++) {
                        Manifest.write(file, AT.plusSeconds(writer * 100L + round), generate(500, ManifestTest::entry));
                    }
                    return null;
                }));
            }
            Future<Integer> reader = pool.submit(() -> {
                int reads = 0;
                while (!writers.stream().allMatch(Future::isDone)) {
                    assertThat(Manifest.read(file).files()).hasSize(500);
                    reads++;
                }
                return reads;
            });
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void read_unknownFields_areIgnored() throws IOException {
        Path file = Files.writeString(temp.resolve("manifest.json"), """
                {"version":1,"comment":{"nested":[1,{"deep":true}]},"generated_at":"2026-11-30T14:00:00Z",
                 "files":[{"mtime":123,"key":"a","size":1,"tags":["x",null],"sha256":"%s","url":"https://h/a","extra":null}],
                 "signature":"abc"}
                """.formatted(SHA_A));

        assertThat(Manifest.read(file)).isEqualTo(new Manifest(AT, List.of(new ManifestEntry("a", 1, SHA_A, URI.create("https://h/a")))));
    }

    @Test
    void read_fieldsInAnotherOrder_areRead() throws IOException {
        String json = """
                {"files":[{"url":"https://h/a","pending":false,"sha256":"%s","size":1,"key":"a"}],"generated_at":"2026-11-30T14:00:00Z","version":1}
                """.formatted(SHA_A);

        assertThat(Manifest.read(new ByteArrayInputStream(json.getBytes(UTF_8))).files())
                .containsExactly(new ManifestEntry("a", 1, SHA_A, URI.create("https://h/a")));
    }

    static Stream<Arguments> malformed() {
        String good = "{\"key\":\"a\",\"size\":1,\"sha256\":\"" + SHA_A + "\",\"url\":\"https://h/a\"}";
        String head = "{\"version\":1,\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":[\n";
        String valid = head + good + "\n]}\n";
        return Stream.of(
                Arguments.of("not JSON", "hello, world", "is not valid JSON"),
                Arguments.of("empty", "", "is empty"),
                Arguments.of("truncated", valid.substring(0, valid.length() / 2), "ends too early"),
                Arguments.of("truncated at the last bracket", valid.substring(0, valid.lastIndexOf('}')), "ends too early"),
                Arguments.of("not an object", "[1,2]", "must be a JSON object, not an array"),
                Arguments.of("more after the end", valid + "{}", "has more after the manifest's closing brace"),
                Arguments.of("missing files", "{\"version\":1,\"generated_at\":\"2026-11-30T14:00:00Z\"}", "files is missing"),
                Arguments.of("missing version", "{\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":[]}", "version is missing"),
                Arguments.of("missing generated_at", "{\"version\":1,\"files\":[]}", "generated_at is missing"),
                Arguments.of("version 99", "{\"version\":99,\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":[]}",
                        "version 99 is newer than this release reads (up to 1)"),
                Arguments.of("version huge", "{\"version\":123456789012345678901234567890,\"files\":[]}",
                        "version 123456789012345678901234567890 is newer"),
                Arguments.of("version 0", "{\"version\":0,\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":[]}",
                        "version must be 1 or more: 0"),
                Arguments.of("version as string", "{\"version\":\"1\",\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":[]}",
                        "version must be a whole number, not a string"),
                Arguments.of("bad generated_at", "{\"version\":1,\"generated_at\":\"yesterday\",\"files\":[]}",
                        "generated_at must be an ISO-8601 instant"),
                Arguments.of("files not an array", "{\"version\":1,\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":{}}",
                        "files must be an array, not an object"),
                Arguments.of("entry null", head + good + ",\nnull\n]}", "files[1] must be an object, not null"),
                Arguments.of("bad sha256 in the fourth entry",
                        head + good + ",\n" + good + ",\n" + good + ",\n" + good.replace(SHA_A, SHA_A.toUpperCase()) + "\n]}",
                        "files[3].sha256 must be 64 lower-case hex digits (line 5, column"),
                Arguments.of("short sha256", head + good.replace(SHA_A, "abc") + "\n]}", "files[0].sha256 must be 64 lower-case hex digits"),
                Arguments.of("missing sha256", head + good.replace("\"sha256\":\"" + SHA_A + "\",", "") + "\n]}", "files[0].sha256 is missing"),
                Arguments.of("missing key", head + good.replace("\"key\":\"a\",", "") + "\n]}", "files[0].key is missing"),
                Arguments.of("empty key", head + good.replace("\"key\":\"a\"", "\"key\":\"\"") + "\n]}", "files[0].key must not be empty"),
                Arguments.of("negative size", head + good.replace("\"size\":1", "\"size\":-1") + "\n]}", "files[0].size must be 0 or more: -1"),
                Arguments.of("size too large", head + good.replace("\"size\":1", "\"size\":9223372036854775808") + "\n]}",
                        "files[0].size is too large: 9223372036854775808"),
                Arguments.of("size as string", head + good.replace("\"size\":1", "\"size\":\"1\"") + "\n]}",
                        "files[0].size must be a whole number, not a string"),
                Arguments.of("size with a fraction", head + good.replace("\"size\":1", "\"size\":1.5") + "\n]}",
                        "files[0].size must be a whole number, not a decimal number"),
                Arguments.of("key as number", head + good.replace("\"key\":\"a\"", "\"key\":7") + "\n]}",
                        "files[0].key must be a string, not a whole number"),
                Arguments.of("pending as string", head + good.replace("\"key\":\"a\"", "\"key\":\"a\",\"pending\":\"yes\"") + "\n]}",
                        "files[0].pending must be true or false, not a string"),
                Arguments.of("relative url", head + good.replace("https://h/a", "/a") + "\n]}", "files[0].url must be an absolute URL"),
                Arguments.of("invalid url", head + good.replace("https://h/a", "https://h/a b") + "\n]}", "files[0].url is not a valid URL"),
                Arguments.of("duplicate field", "{\"version\":1,\"version\":1,\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":[]}",
                        "Duplicate field 'version'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void read_malformed_failsWithOneLineMessageNamingFileAndProblem(String name, String json, String problem) throws IOException {
        Path file = Files.writeString(temp.resolve("manifest.json"), json, UTF_8);

        assertThatThrownBy(() -> Manifest.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("manifest " + file + ": ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    }

    @Test
    void read_validCaseOfTheMalformedTable_reads() throws IOException {
        // The table's inputs are one edit away from this document, so each of them fails for its own reason.
        String good = "{\"key\":\"a\",\"size\":1,\"sha256\":\"" + SHA_A + "\",\"url\":\"https://h/a\"}";
        String json = "{\"version\":1,\"generated_at\":\"2026-11-30T14:00:00Z\",\"files\":[\n" + good + "\n]}\n";

        assertThat(Manifest.read(new ByteArrayInputStream(json.getBytes(UTF_8))).files()).hasSize(1);
    }

    @Test
    void readStream_malformed_messageStartsWithManifestAndNamesNoFile() {
        byte[] json = "{\"version\":1,\"generated_at\":\"2026-11-30T14:00:00Z\"}".getBytes(UTF_8);

        assertThatThrownBy(() -> Manifest.read(new ByteArrayInputStream(json)))
                .isInstanceOf(IOException.class)
                .hasMessage("manifest: files is missing (line 1, column 51)");
    }

    @Test
    void readStream_leavesStreamOpen() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Manifest.write(out, AT, generate(1, ManifestTest::entry));
        AtomicBoolean closed = new AtomicBoolean();
        InputStream in = new FilterInputStream(new ByteArrayInputStream(out.toByteArray())) {
            @Override
            public void close() {
                closed.set(true);
            }
        };

        assertThat(Manifest.read(in).files()).containsExactly(entry(0));
        assertThat(closed).isFalse();
    }

    @Test
    void readStream_streamFails_messageSaysSoAndKeepsTheCause() {
        IOException cause = new IOException("connection reset");
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw cause;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw cause;
            }
        };

        assertThatThrownBy(() -> Manifest.read(failing))
                .isInstanceOf(IOException.class)
                .hasMessage("manifest: could not be read: connection reset")
                .hasCause(cause);
    }

    @Test
    void read_noSuchFile_failsWithNoSuchFileException() {
        Path file = temp.resolve("absent.json");

        assertThatThrownBy(() -> Manifest.read(file))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(file.toString());
    }

    static Stream<Arguments> invalidEntries() {
        URI url = URI.create("https://h/a");
        return Stream.of(
                Arguments.of((Runnable) () -> new ManifestEntry("", 1, SHA_A, url), "key must not be empty"),
                Arguments.of((Runnable) () -> new ManifestEntry("a", -5, SHA_A, url), "size must be >= 0: -5"),
                Arguments.of((Runnable) () -> new ManifestEntry("a", 1, "ABC", url), "sha256 must be 64 lower-case hex digits: ABC"),
                Arguments.of((Runnable) () -> new ManifestEntry("a", 1, SHA_A.toUpperCase(), url),
                        "sha256 must be 64 lower-case hex digits: " + SHA_A.toUpperCase()),
                Arguments.of((Runnable) () -> new ManifestEntry("a", 1, SHA_A + "0", url), "sha256 must be 64 lower-case hex digits"),
                Arguments.of((Runnable) () -> new ManifestEntry("a", 1, "g".repeat(64), url), "sha256 must be 64 lower-case hex digits"),
                Arguments.of((Runnable) () -> new ManifestEntry("a", 1, SHA_A, URI.create("img/a.png")), "url must be absolute: img/a.png"));
    }

    @ParameterizedTest
    @MethodSource("invalidEntries")
    void manifestEntry_invalid_failsNamingArgumentAndValue(Runnable make, String message) {
        assertThatThrownBy(make::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void manifestEntry_null_failsNamingTheArgument() {
        assertThatThrownBy(() -> new ManifestEntry(null, 1, SHA_A, URI.create("https://h/a"))).hasMessage("key");
        assertThatThrownBy(() -> new ManifestEntry("a", 1, null, URI.create("https://h/a"))).hasMessage("sha256");
        assertThatThrownBy(() -> new ManifestEntry("a", 1, SHA_A, null)).hasMessage("url");
    }

    @Test
    void manifest_filesAreAnUnmodifiableCopy_andVersionIsChecked() {
        List<ManifestEntry> source = new ArrayList<>(List.of(entry(1)));
        Manifest manifest = new Manifest(AT, source);
        source.add(entry(2));

        assertThat(manifest.files()).containsExactly(entry(1));
        assertThatThrownBy(() -> manifest.files().add(entry(3))).isInstanceOf(UnsupportedOperationException.class);
        assertThat(manifest.version()).isEqualTo(Manifest.CURRENT_VERSION);
        assertThatThrownBy(() -> new Manifest(2, AT, List.of())).hasMessage("version must be from 1 to 1: 2");
    }
}
