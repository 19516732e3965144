package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.await;
import static dev.stowage.testkit.StorageBackendContract.expectFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Keys} rules, for every operation: odd but legal keys are stored under exactly the key
 * given, invalid keys fail {@code INVALID_KEY} and touch nothing, and a key that is also a folder of
 * others is stored, or refused with {@code CONFLICT}, as {@link dev.stowage.Capabilities#fileAndFolder()} says.
 */
abstract class KeysContract extends ContractGroup {
    KeysContract(StorageBackendContract suite) {
        super(suite);
    }

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

        URI url = await(backend().uploadFile(source(content), key));

        assertStored(key, content);
        assertThat(await(backend().stat(key))).as("stat").map(ObjectInfo::key).hasValue(key);
        assertThat(backend().getUrl(key)).as("getUrl").isEqualTo(url);
        assertUrlNamesKey(url, key);
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
        Set<String> before = storedNames();

        expectFailure(backend().uploadFile(source, key), ErrorKind.INVALID_KEY, Operation.UPLOAD, key);

        for (String legal : nearby) {
            assertThat(readObject(legal)).as("stored under nearby key %s", legal).isEmpty();
        }
        assertThat(storedNames()).as("everything stored").isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeys")
    void deleteFile_invalidKey_failsInvalidKeyAndDeletesNothing(String label, String key, List<String> nearby) throws Exception {
        for (String legal : nearby) {
            await(backend().uploadFile(source(utf8(legal)), legal));
        }
        Set<String> before = storedNames();

        expectFailure(backend().deleteFile(key), ErrorKind.INVALID_KEY, Operation.DELETE, key);

        for (String legal : nearby) {
            assertStored(legal, utf8(legal));
        }
        assertThat(storedNames()).as("everything stored").isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeys")
    void stat_invalidKey_failsInvalidKey(String label, String key, List<String> nearby) throws Exception {
        expectFailure(backend().stat(key), ErrorKind.INVALID_KEY, Operation.STAT, key);
    }

    @Test
    void uploadFile_keyBelowAnExistingObject_storesBothIfClaimed_elseFailsConflict() throws Exception {
        assertFileAndFolder("x", "x/y");
    }

    @Test
    void uploadFile_keyThatIsAFolderOfAnExistingObject_storesBothIfClaimed_elseFailsConflict() throws Exception {
        assertFileAndFolder("x/y", "x");
    }

    /** Uploads {@code first}, then {@code second}, one a folder of the other: both stored, or the second refused. */
    private void assertFileAndFolder(String first, String second) throws Exception {
        byte[] firstContent = utf8("the object " + first);
        byte[] secondContent = utf8("the object " + second);
        await(backend().uploadFile(source(firstContent), first));

        CompletableFuture<URI> upload = backend().uploadFile(source(secondContent), second);

        if (claims().fileAndFolder()) {
            await(upload);
            assertStored(second, secondContent);
        } else {
            expectFailure(upload, ErrorKind.CONFLICT, Operation.UPLOAD, second);
            assertThat(readObject(second)).as("stored under %s after a conflict", second).isEmpty();
        }
        assertStored(first, firstContent);
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
}
