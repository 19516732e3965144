package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class KeyPropertiesTest {
    private static final Path ROOT = Path.of("/srv/files");

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.strings()
                .withChars("ab./\\%+#?&= ~-_")
                .withChars('é', '日', '\u0000', '\n', '\u007f', '\uD800', '\uDC00')
                .withCharRange('\uD83D', '\uD83D')
                .ofMaxLength(24);
    }

    @Provide
    Arbitrary<String> legalKeys() {
        Arbitrary<String> segment = Arbitraries.strings()
                .withChars("abZ09.%+#?&=;:@!$'()*,[] ~-_")
                .withChars('é', 'ß', '日', '本')
                .withCharRange('\u0400', '\u04FF')
                .ofMinLength(1).ofMaxLength(12)
                .filter(s -> !s.equals(".") && !s.equals(".."));
        return segment.list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join("/", parts));
    }

    @Property
    void everyAcceptedKey_resolvesInsideBasePath(@ForAll("anyText") String key) {
        if (Keys.isValid(key)) {
            Path resolved = ROOT.resolve(key).normalize();
            assertThat(resolved.startsWith(ROOT)).isTrue();
            assertThat(resolved).isNotEqualTo(ROOT);
        }
    }

    @Property
    void everyLegalKey_resolvesInsideBasePath(@ForAll("legalKeys") String key) {
        assertThat(Keys.isValid(key)).isTrue();
        assertThat(ROOT.resolve(key).normalize().startsWith(ROOT)).isTrue();
    }

    @Property
    void decodedUrlPath_isExactlyTheKey(@ForAll("legalKeys") String key) {
        URI base = Urls.baseUrl("https://cdn.example.com/my%20files");
        URI url = Urls.join(base, key);
        assertThat(url.getPath()).isEqualTo("/my files/" + key);
        assertThat(url.getRawQuery()).isNull();
        assertThat(url.getRawFragment()).isNull();
        assertThat(url.getRawPath()).matches("[A-Za-z0-9\\-._~/%]*");
    }

    @Property
    void encodedPath_isReversible(@ForAll("legalKeys") String key) {
        String encoded = Urls.encodePath(key);
        assertThat(URI.create("http://h/" + encoded).getPath()).isEqualTo("/" + key);
    }
}
