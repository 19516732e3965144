package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    static Stream<Arguments> illegalKeys() {
        return Stream.of(
                Arguments.of("", "empty"),
                Arguments.of("/a", "relative"),
                Arguments.of("a//b", "empty segment"),
                Arguments.of("a/", "ends with '/'"),
                Arguments.of(".", "'.' segment"),
                Arguments.of("./a", "'.' segment"),
                Arguments.of("a/./b", "'.' segment"),
                Arguments.of("..", "'..' segment"),
                Arguments.of("a/../b", "'..' segment"),
                Arguments.of("a/..", "'..' segment"),
                Arguments.of("a\\b", "backslash"),
                Arguments.of("a\nb", "U+000A"),
                Arguments.of("a\u0000b", "U+0000"),
                Arguments.of("\u007f", "U+007F"),
                Arguments.of("a\u0085", "U+0085"),
                Arguments.of("a\uD800b", "lone surrogate"),
                Arguments.of("a\uDC00", "lone surrogate"),
                Arguments.of("x".repeat(1025), "1025 bytes"),
                Arguments.of("é".repeat(513), "1026 bytes"));
    }

    @ParameterizedTest
    @MethodSource("illegalKeys")
    void validate_illegalKey_failsWithInvalidKeyNamingTheRule(String key, String rule) {
        assertThat(Keys.isValid(key)).isFalse();
        assertThatThrownBy(() -> Keys.validate(key))
                .isInstanceOfSatisfying(StorageException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_KEY);
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.key()).isEqualTo(key);
                })
                .hasMessageContaining(rule)
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b/c.txt", "a b+c#d?e%f&g=h;i", "日本/é/😀.png", "...", "..a", "a..", ".hidden", "a.b/.c",
            "~user/file", "UPPER/lower", "-/_"})
    void validate_legalKey_returnsIt(String key) {
        assertThat(Keys.validate(key)).isEqualTo(key);
        assertThat(Keys.problem(key)).isEmpty();
    }

    @Test
    void validate_keyOfExactly1024Bytes_isLegal() {
        String key = "é".repeat(512);
        assertThat(Keys.isValid(key)).isTrue();
    }

    @Test
    void validate_surrogatePair_isLegal() {
        assertThat(Keys.isValid("emoji/\uD83D\uDE00")).isTrue();
    }

    @Test
    void validate_null_throwsNullPointerNamingKey() {
        assertThatThrownBy(() -> Keys.validate(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
    }

    @Test
    void message_keyWithControlCharacter_isEscapedOnOneLine() {
        assertThatThrownBy(() -> Keys.validate("evil\nINFO forged"))
                .hasMessageContaining("key=evil\\u000AINFO forged")
                .hasMessageNotContaining("\n");
    }

    @Test
    void order_isUtf8ByteOrder_evenBeyondTheBasicPlane() {
        List<String> keys = new ArrayList<>(List.of("z/\uff5e", "z/\ud83d\ude00", "a/b", "a-b", "a0", "A", "a"));

        keys.sort(Keys.ORDER);

        assertThat(keys).containsExactly("A", "a", "a-b", "a/b", "a0", "z/\uff5e", "z/\ud83d\ude00");
        for (String x : keys) {
            for (String y : keys) {
                assertThat(Integer.signum(Keys.ORDER.compare(x, y))).as("%s vs %s", x, y)
                        .isEqualTo(Integer.signum(Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8),
                                y.getBytes(StandardCharsets.UTF_8))));
            }
        }
    }

    @Test
    void ofFile_nestedFile_isSlashSeparatedAndNfc() {
        Path root = Path.of("/srv/site");

        assertThat(Keys.ofFile(root, root.resolve("img").resolve("Cafe\u0301.png"))).isEqualTo("img/Caf\u00e9.png");
        assertThat(Keys.ofFile(root, root.resolve("a/./b/../c.txt"))).isEqualTo("a/c.txt");
        assertThat(Keys.ofFile(Path.of("site"), Path.of("site/x y+z.txt"))).isEqualTo("x y+z.txt");
    }

    @Test
    void ofFile_notBelowTheRootOrBadName_failsInvalidKeyNamingIt() {
        Path root = Path.of("/srv/site");

        assertThatThrownBy(() -> Keys.ofFile(root, Path.of("/srv/other/a.txt")))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_KEY))
                .hasMessageContaining("/srv/other/a.txt").hasMessageContaining("/srv/site");
        assertThatThrownBy(() -> Keys.ofFile(root, root)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> Keys.ofFile(root, Path.of("srv/site/a.txt"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> Keys.ofFile(root, root.resolve("a\\b.txt")))
                .isInstanceOf(StorageException.class).hasMessageContaining("backslash");
        assertThatThrownBy(() -> Keys.ofFile(root, root.resolve("line\nbreak")))
                .isInstanceOf(StorageException.class).hasMessageContaining("control character");
        assertThatThrownBy(() -> Keys.ofFile(null, root)).isInstanceOf(NullPointerException.class).hasMessageContaining("root");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a/", "img/ca", "img/cat.png"})
    void checkPrefix_emptyKeyOrFolder_isAccepted(String prefix) {
        assertThat(Keys.checkPrefix(prefix, Operation.LIST, "b")).isEqualTo(prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/a", "a//", "../", "a/../b", "a\\b"})
    void checkPrefix_badPrefix_failsInvalidKeyNamingThePrefix(String prefix) {
        assertThatThrownBy(() -> Keys.checkPrefix(prefix, Operation.LIST, "b"))
                .isInstanceOfSatisfying(StorageException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_KEY);
                    assertThat(e.key()).isEqualTo(prefix);
                    assertThat(e.detail()).startsWith("prefix: ");
                });
    }
}
