package dev.stowage.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoding of raw paths into keys, on its own: most of these paths never reach it through the
 * server, because Jetty refuses them first, so they are checked here.
 */
class PathKeysTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "a.txt                                | a.txt",
        "img/a%20b.png                        | img/a b.png",
        "a%2Bb+c.txt                          | a+b+c.txt",
        "%25.txt                              | %.txt",
        "%252e%252e                           | %2e%2e",
        "a..b.txt                             | a..b.txt",
        "..foo                                | ..foo",
        "caf%C3%A9/%F0%9F%98%80.txt           | café/😀.txt",
        "x;y=1,z@w:v!$&'()*.txt               | x;y=1,z@w:v!$&'()*.txt",
        "%7e~%41                              | ~~A",
    })
    void decode_wellFormed_givesKey(String raw, String key) throws Exception {
        assertThat(PathKeys.decode(raw)).isEqualTo(key);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {
        "",                               // empty
        "/etc/passwd",                    // absolute (the path had '//')
        "..",
        "../outside/secret.txt",
        "%2e%2e/outside/secret.txt",
        "%2E%2E/outside",
        ".%2e/x",
        "sub/%2e%2e/%2e%2e/x",
        "./a.txt",
        "%2e/a.txt",
        "sub//b.txt",
        "a.txt/",
        "..%2foutside",                   // encoded '/'
        "sub%2fb.txt",
        "sub%2Fb.txt",
        "..\\x",                          // backslash
        "..%5cx",
        "%5C",
        "%c0%ae%c0%ae/x",                 // overlong '.'
        "..%c0%afx",                      // overlong '/'
        "%e0%80%ae",                      // three-byte overlong '.'
        "%ed%a0%80",                      // an encoded surrogate
        "%ff%fe",                         // not UTF-8 at all
        "%c3",                            // truncated sequence
        "a.txt%00.html",                  // NUL
        "%00",
        "%0d%0aSet-Cookie:x",             // CR LF
        "%7f",                            // DEL
        "%u002e%u002e/x",                 // UTF-16 escape
        "%",
        "%2",
        "%zz",
        "%\uff10\uff10",                  // fullwidth digits are not hex digits
        "a b.txt",                        // characters that must be encoded
        "a\"b",
        "a<b>",
        "a|b",
        "a^b",
        "a`b",
        "a{b}",
        "caf\u00e9.txt",                  // non-ASCII unencoded
    })
    void decode_malformed_refused(String raw) {
        assertThatThrownBy(() -> PathKeys.decode(raw))
                .isInstanceOf(PathKeys.MalformedPathException.class)
                .hasMessageNotContaining("\n");
    }

    @Test
    void decode_tooLongKey_refused() {
        assertThatThrownBy(() -> PathKeys.decode("a".repeat(1025)))
                .isInstanceOf(PathKeys.MalformedPathException.class)
                .hasMessageContaining("1025 bytes");
    }

    @ParameterizedTest(name = "{0} hidden: {1}")
    @CsvSource({
        ".hidden.txt, true",
        "sub/.hidden.txt, true",
        ".git/config, true",
        ".stowage/state.db, true",
        ".stowage-1234.tmp, true",
        "sub/.stowage-1234.tmp, true",
        "private, true",
        "private/p.txt, true",
        "PRIVATE/p.txt, true",
        "a/b/secret/x, true",
        "privateer/p.txt, false",
        "a/b/secretive/x, false",
        "a.txt, false",
        "a..b.txt, false",
        "sub/b.txt, false",
        "x.stowage/y, false",
        "caf\u00e9/x, true",
        "cafe\u0301/x, true",
        "CAFE\u0301, true",
    })
    void isHidden(String key, boolean hidden) {
        assertThat(PathKeys.isHidden(key, Set.of("private", "a/b/secret", "caf\u00e9"))).isEqualTo(hidden);
    }
}
