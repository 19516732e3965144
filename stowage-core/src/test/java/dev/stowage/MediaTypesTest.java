package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MediaTypesTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "index.html          | text/html; charset=UTF-8",
            "site/app.JS         | text/javascript; charset=UTF-8",
            "img/logo.Svg        | image/svg+xml",
            "a.b/photo.jpeg      | image/jpeg",
            "fonts/x.woff2       | font/woff2",
            "archive.tar.gz      | application/gzip",
            "README              | application/octet-stream",
            ".hidden             | application/octet-stream",
            "dir.d/noext         | application/octet-stream",
            "trailing.           | application/octet-stream",
            "data.unknownext     | application/octet-stream"})
    void guess_byLastSegmentsExtension(String name, String expected) {
        assertThat(MediaTypes.guess(name)).isEqualTo(expected);
    }
}
