package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stowage.Capabilities;
import dev.stowage.StorageBackend;
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
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * What the groups of {@link StorageBackendContract} share: the running test's backend and hooks,
 * source files, and the checks several groups make. Each group is a nested class of the suite
 * that extends a subclass of this one, so that it runs for every backend.
 */
abstract class ContractGroup {
    static final int MiB = 1 << 20;
    /** How far a remote backend's clock (its server's) may be from ours. */
    private static final Duration REMOTE_CLOCK_SLACK = Duration.ofMinutes(1);
    /** How far a local file system's timestamps may be from our clock: they are taken from a coarser one. */
    private static final Duration LOCAL_CLOCK_SLACK = Duration.ofSeconds(1);
    /** A raw URL path made only of RFC 3986 unreserved characters, '/' and percent-escapes. */
    private static final Pattern ENCODED_PATH = Pattern.compile("(?:[A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})*");

    final StorageBackendContract suite;

    ContractGroup(StorageBackendContract suite) {
        this.suite = suite;
    }

    final StorageBackend backend() {
        return suite.backend();
    }

    /** What the backend claims to do beyond the contract. */
    final Capabilities claims() {
        return backend().capabilities();
    }

    final Optional<byte[]> readObject(String key) throws Exception {
        return suite.readObject(key);
    }

    final Set<String> storedNames() throws Exception {
        return suite.storedNames();
    }

    final void awaitNoLeftovers() throws Exception {
        suite.awaitNoLeftovers();
    }

    /**
     * The test class's backend on this executor ({@link StorageBackendContract#createBackendOn});
     * skips the test if it builds none.
     */
    final StorageBackend backendOn(Executor executor) throws Exception {
        Optional<StorageBackend> built = suite.createBackendOn(executor);
        assumeTrue(built.isPresent(), "the test class builds no backend on an executor of the test's (createBackendOn)");
        return built.get();
    }

    /** A new source file with this content. */
    final Path source(byte[] content) throws IOException {
        return Files.write(suite.newSourcePath(), content);
    }

    /** A source file of random bytes, written a MiB at a time, and its SHA-256. */
    final SourceFile randomSource(long sizeBytes, long seed) throws IOException {
        Path path = suite.newSourcePath();
        MessageDigest digest = newSha256();
        Random random = new Random(seed);
        byte[] chunk = new byte[MiB];
        try (OutputStream out = Files.newOutputStream(path)) {
            for (long written = 0; written < sizeBytes; written += chunk.length) {
                int length = (int) Math.min(chunk.length, sizeBytes - written);
                random.nextBytes(chunk);
                digest.update(chunk, 0, length);
                out.write(chunk, 0, length);
            }
        }
        return new SourceFile(path, sizeBytes, HexFormat.of().formatHex(digest.digest()));
    }

    /** A source file and what a correct backend reports of its content. */
    record SourceFile(Path path, long sizeBytes, String sha256) {
    }

    /** Checks, through {@link StorageBackendContract#readObject}, that exactly these bytes are stored under the key. */
    final void assertStored(String key, byte[] expected) throws Exception {
        Optional<byte[]> stored = readObject(key);
        assertThat(stored).as("stored under %s", key).isPresent();
        assertThat(stored.get()).as("bytes stored under %s", key).isEqualTo(expected);
    }

    /** Checks that the object under a key is one of these contents, whole (by SHA-256), and that stat agrees on its size. */
    final void assertStoredWholeOneOf(String key, Set<String> wholeSha256s) throws Exception {
        byte[] stored = readObject(key).orElseThrow(() -> new AssertionError("nothing stored under " + key));
        assertThat(sha256(stored)).as("SHA-256 of the %d bytes stored under %s, against every whole content", stored.length, key)
                .isIn(wholeSha256s);
        assertThat(StorageBackendContract.await(backend().stat(key))).as("stat of %s", key)
                .hasValueSatisfying(info -> assertThat(info.sizeBytes()).as("size stat reports").isEqualTo(stored.length));
    }

    /** Checks that a time the backend reports falls between two of ours, allowing for the backend's clock. */
    final void assertBetween(Instant reported, Instant before, Instant after, String what) {
        Duration slack = backend().isRemote() ? REMOTE_CLOCK_SLACK : LOCAL_CLOCK_SLACK;
        assertThat(reported).as("%s, for a backend %s", what, backend().isRemote() ? "that is remote" : "on this machine")
                .isBetween(before.minus(slack), after.plus(slack));
    }

    /**
     * Checks what a backend reports of a value given at upload: exactly what was given (nothing
     * when nothing was) if it claims to keep it, else nothing or exactly that, never another value.
     */
    static <T> void assertKept(boolean claimed, String capability, Optional<T> reported, Optional<T> given) {
        if (claimed) {
            assertThat(reported).as("what the backend reports, claiming %s", capability).isEqualTo(given);
        } else {
            assertThat(reported.filter(value -> !Optional.of(value).equals(given)))
                    .as("a value other than the one given, from a backend that does not claim %s", capability)
                    .isEmpty();
        }
    }

    /** A map as an optional value for {@link #assertKept}: empty when empty. */
    static Optional<Map<String, String>> nonEmpty(Map<String, String> map) {
        return map.isEmpty() ? Optional.empty() : Optional.of(map);
    }

    /** Checks that a URL's decoded path ends with exactly the key, and its raw path is fully encoded. */
    static void assertUrlNamesKey(URI url, String key) {
        assertThat(url.getRawQuery()).as("query of %s", url).isNull();
        assertThat(url.getRawFragment()).as("fragment of %s", url).isNull();
        assertThat(url.getPath()).as("decoded path of %s", url).endsWith("/" + key);
        assertThat(url.getRawPath()).as("raw path of %s", url).matches(ENCODED_PATH);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] data) {
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
