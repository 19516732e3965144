package dev.stowage.app.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The folders the tests publish: a copy of the README's example site ({@code examples/site}: an
 * HTML page, a style sheet, a text file with a '+' and spaces in its name, an SVG with a space and
 * accents in its name), plus files of our own. Written with the test's own code, read back the same
 * way: nothing here shares code with the app.
 */
final class Site {
    /** The state folder the app keeps in a published folder. */
    static final String STATE_FOLDER = ".stowage";
    /** The manifest the app writes into a folder it serves itself. */
    static final String MANIFEST = "manifest.json";
    /** The example's SVG, a name with a space and accents. */
    static final String SVG = "img/logo été.svg";
    /** An empty file we add. */
    static final String EMPTY = "empty.txt";
    /** A 5 MiB binary we add. */
    static final String BINARY = "media/sample 5MiB.bin";

    private static final HexFormat HEX = HexFormat.of();

    private Site() {
    }

    /** Copies {@code examples/site} to {@code folder} and adds an empty file and a 5 MiB binary; returns {@code folder}. */
    static Path write(Path folder) throws IOException {
        Path example = Children.repositoryRoot().resolve("examples/site");
        try (Stream<Path> files = Files.walk(example)) {
            for (Path from : files.toList()) {
                Path to = folder.resolve(example.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        Files.createFile(folder.resolve(EMPTY));
        write(folder, BINARY, random(5 << 20, 5));
        return folder;
    }

    /** Writes {@code content} to the file of {@code key}, making its folders. */
    static Path write(Path folder, String key, byte[] content) throws IOException {
        Path file = folder.resolve(key);
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * The files a publish of {@code folder} covers, by key ('/'-separated, NFC): every regular file
     * but the state folder and the manifest the app writes at the top.
     */
    static SortedMap<String, Path> files(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            return paths.filter(Files::isRegularFile)
                    .filter(p -> !folder.relativize(p).startsWith(STATE_FOLDER))
                    .filter(p -> !folder.relativize(p).toString().equals(MANIFEST))
                    .collect(Collectors.toMap(p -> key(folder, p), p -> p, (a, b) -> a, TreeMap::new));
        }
    }

    /** Every file of {@link #files} as key to SHA-256. */
    static SortedMap<String, String> hashes(Path folder) throws IOException {
        SortedMap<String, String> hashes = new TreeMap<>();
        for (Map.Entry<String, Path> e : files(folder).entrySet()) {
            hashes.put(e.getKey(), sha256(e.getValue()));
        }
        return hashes;
    }

    static String key(Path folder, Path file) {
        StringBuilder key = new StringBuilder();
        for (Path name : folder.relativize(file)) {
            key.append(key.length() == 0 ? "" : "/").append(Normalizer.normalize(name.toString(), Normalizer.Form.NFC));
        }
        return key.toString();
    }

    /**
     * The URL of {@code key} below {@code base}: each segment percent-encoded as RFC 3986 says, only
     * {@code A-Z a-z 0-9 - . _ ~} left as they are, which is how the manifest is documented to write it.
     */
    static URI url(URI base, String key) {
        StringBuilder path = new StringBuilder(base.toString());
        if (path.charAt(path.length() - 1) != '/') {
            path.append('/');
        }
        boolean first = true;
        for (String segment : key.split("/", -1)) {
            path.append(first ? "" : "/");
            first = false;
            for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                    path.append(c);
                } else {
                    path.append('%').append(HEX.withUpperCase().toHexDigits(b));
                }
            }
        }
        return URI.create(path.toString());
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = sha256();
            byte[] buffer = new byte[64 << 10];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HEX.formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] bytes) {
        return HEX.formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
