package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
