package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.local.LocalBackend;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

class KeyPropertiesTest {
    private static final Path ROOT = Path.of("/srv/files");

    /** Half legal keys, half text with every kind of trouble in it. */
    @Provide
    Arbitrary<String> anyText() {
        Arbitrary<String> trouble = Arbitraries.strings()
                .withChars("ab./\\%+#?&= ~-_")
                .withChars('é', '日', '\u0000', '\n', '\u007f', '\uD800', '\uDC00')
                .withCharRange('\uD83D', '\uD83D')
                .ofMaxLength(24);
        return Arbitraries.oneOf(legalKeys(), trouble);
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
        boolean valid = Keys.isValid(key);
        Statistics.label("valid").collect(valid);
        if (valid) {
            Path resolved = ROOT.resolve(key).normalize();
            assertThat(resolved.startsWith(ROOT)).isTrue();
            assertThat(resolved).isNotEqualTo(ROOT);
        }
        Statistics.label("valid").coverage(c -> {
            c.check(true).percentage(p -> p >= 25);
            c.check(false).percentage(p -> p >= 25);
        });
    }

    /** Real files: every legal key uploaded to a LocalBackend lands inside its folder, under exactly that name. */
    @Property(tries = 200)
    void everyLegalKey_uploadedToLocalBackend_landsInsideBasePath(@ForAll("legalKeys") String key) throws IOException {
        Path root = Files.createTempDirectory("stowage-prop");
        Path source = Files.writeString(Files.createTempFile("stowage-prop", ".txt"), key);
        try (LocalBackend backend = LocalBackend.builder().basePath(root).baseUrl("http://h/").ioThreads(1).build()) {
            backend.uploadFile(source, key).join();
            Path stored = root.toRealPath().resolve(key);
            assertThat(stored.toRealPath().startsWith(root.toRealPath())).isTrue();
            assertThat(stored).hasContent(key);
            assertThat(URI.create(backend.getUrl(key).toString()).getPath()).isEqualTo("/" + key);
        } finally {
            Files.delete(source);
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
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
