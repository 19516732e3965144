package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://localhost:8080|http://localhost:8080/a%20b/c.txt",
            "http://localhost:8080/|http://localhost:8080/a%20b/c.txt",
            "https://cdn.example.com/files|https://cdn.example.com/files/a%20b/c.txt",
            "https://cdn.example.com/files/|https://cdn.example.com/files/a%20b/c.txt",
            "https://cdn.example.com/a/b/c/|https://cdn.example.com/a/b/c/a%20b/c.txt"})
    void join_baseWithOrWithoutSlashOrPath_appendsEncodedKey(String base, String expected) {
        assertThat(Urls.join(Urls.baseUrl(base), "a b/c.txt")).isEqualTo(URI.create(expected));
    }

    @Test
    void encodeSegment_reservedAndNonAscii_arePercentEncoded() {
        assertThat(Urls.encodeSegment("a b+c#d?e%f&g=h;i:j@k!l'm(n)o*p,q[r]s$t"))
                .isEqualTo("a%20b%2Bc%23d%3Fe%25f%26g%3Dh%3Bi%3Aj%40k%21l%27m%28n%29o%2Ap%2Cq%5Br%5Ds%24t");
        assertThat(Urls.encodeSegment("é日😀")).isEqualTo("%C3%A9%E6%97%A5%F0%9F%98%80");
        assertThat(Urls.encodeSegment("AZaz09-._~")).isEqualTo("AZaz09-._~");
    }

    @Test
    void join_keyWithSpacePlusHashQuestionPercent_decodedPathIsTheKey() {
        String key = "dir/a b+c#d?e%f.png";
        URI url = Urls.join(Urls.baseUrl("https://h.example/base"), key);
        assertThat(url.getPath()).isEqualTo("/base/" + key);
        assertThat(url.getQuery()).isNull();
        assertThat(url.getFragment()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "relative/path", "http://h/x?q=1", "http://h/x#frag", "mailto:a@b.c",
            "http://user:secret@h/", "http:/no-host", "https:///path", "http://user:secret@h/?x=1",
            "https://cdn/?token=secret", "http://h/%zz?token=secret"})
    void baseUrl_invalid_failsWithInvalidConfigNamingTheSetting(String value) {
        assertThatThrownBy(() -> Urls.baseUrl(value, "public_url"))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG))
                .hasMessageContaining("public_url")
                .hasMessageNotContaining("secret");
    }
}
