package dev.stowage.sync;

import dev.stowage.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Folders of many small files with names that break naive code: spaces, {@code # % + ? & =},
 * brackets and quotes, emoji (a ZWJ sequence and a flag among them), right-to-left and CJK
 * scripts, and accented names written to disk in Unicode NFD (Hangul too, which NFD splits into
 * jamo), so that only normalising to NFC gives the expected key. Some files are empty.
 *
 * <p>What a target must hold to mirror a folder is given as a map from key to SHA-256, in
 * {@link Keys#ORDER}: code point order, as the state and the manifest list keys.
 */
final class OddTree {
    /** Folder names, each written to disk as given: the accented ones in NFD. */
    private static final List<String> FOLDERS = List.of(
            "plain", "with space", "hash#tag", "100% done", "a+b", "q?mark&x=y", "[brackets] (parens) {braces}",
            nfd("Café crème"), nfd("한국어"), "日本語", "עברית", "emoji 😀", "👩‍💻 dev", "flag 🇫🇷", nfd("Ångström"),
            "semi;colon,comma", "tilde~at@dollar$", "quote'apos\"", "ﬁ ligature");
    /** File name stems, each written to disk as given. */
    private static final List<String> STEMS = List.of(
            "file", "a b", "#1", "50%", "c++", "x?y", "p&q=r", "it's", "\"quoted\"", "star*", "pipe|bar", "caret^",
            nfd("résumé"), nfd("naïve"), nfd("Ελληνικά"), "😀", "🇫🇷", "👩‍💻", "tab\u00a0nbsp", "ﬁle", "back`tick",
            "excl!", "semi;", "equals=", "plus+space +");
    private static final List<String> EXTENSIONS = List.of(".txt", ".html", ".png", ".json", "", ".tar.gz", ". dotspace");

    private OddTree() {
    }

    /**
     * Writes {@code count} files under {@code root} in folders up to three deep, every mtime an
     * hour back so that later scans trust the stat, and returns the keys and SHA-256s the tree
     * must be published as. The same seed gives the same tree.
     */
    static SortedMap<String, String> write(Path root, int count, long seed) {
        Random random = new Random(seed);
        SortedMap<String, String> expected = new TreeMap<>(Keys.ORDER);
        for (int i = 0; i < count; i++) {
            StringBuilder relative = new StringBuilder();
            int depth = random.nextInt(4);
            for (int d = 0; d < depth; d++) {
                relative.append(FOLDERS.get(random.nextInt(FOLDERS.size()))).append('/');
            }
            // The number keeps names unique, and it goes first so that no name starts with a dot.
            relative.append(i).append(' ').append(STEMS.get(random.nextInt(STEMS.size())))
                    .append(EXTENSIONS.get(random.nextInt(EXTENSIONS.size())));
            byte[] content = new byte[i % 20 == 0 ? 0 : random.nextInt(4096)];
            random.nextBytes(content);
            Path file = writeAged(root, relative.toString(), content);
            expected.put(key(root, file), sha256(content));
        }
        return expected;
    }

    /** Writes a file under {@code root}, making its folders, with an mtime an hour back; returns it. */
    static Path writeAged(Path root, String relative, byte[] content) {
        return writeAged(root.resolve(relative), content);
    }

    /** Writes a file, making its folders, with an mtime an hour back; returns it. */
    static Path writeAged(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key a scan gives a file: its path under the root, {@code /}-separated, each name in NFC. */
    static String key(Path root, Path file) {
        List<String> names = new ArrayList<>();
        root.relativize(file).forEach(name -> names.add(Normalizer.normalize(name.toString(), Normalizer.Form.NFC)));
        return String.join("/", names);
    }

    /**
     * Every regular file under {@code folder} as key to SHA-256, leaving out files and folders
     * whose name starts with {@code .} (hidden files a scan leaves out, and the state folder).
     */
    static SortedMap<String, String> content(Path folder) {
        SortedMap<String, String> content = new TreeMap<>(Keys.ORDER);
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !hidden(folder, p))
                    .forEach(p -> content.put(key(folder, p), sha256(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return content;
    }

    /** Every regular file under {@code folder} as key to path, hidden ones left out as by {@link #content}. */
    static SortedMap<String, Path> files(Path folder) {
        SortedMap<String, Path> files = new TreeMap<>(Keys.ORDER);
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(Files::isRegularFile).filter(p -> !hidden(folder, p)).forEach(p -> files.put(key(folder, p), p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The paths under {@code folder} with a name that starts with {@code .}: temporary files left behind, say. */
    static List<Path> hiddenEntries(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(p -> !p.equals(folder) && p.getFileName().toString().startsWith(".")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hidden(Path root, Path file) {
        for (Path name : root.relativize(file)) {
            if (name.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String nfd(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFD);
    }
}
