package dev.stowage.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBackendNfcTest {
    @TempDir
    Path base;

    @Test
    void aFileUnderBasePathNamedInNfd_isInPlaceUnderItsNfcKey_notCopiedToATwin() throws IOException {
        String nfd = Normalizer.normalize("café.txt", Normalizer.Form.NFD);
        String nfc = Normalizer.normalize("café.txt", Normalizer.Form.NFC);
        Path file = Files.writeString(Files.createDirectories(base.resolve("menu")).resolve(nfd), "c");

        try (LocalBackend local = LocalBackend.builder().basePath(base).baseUrl("http://127.0.0.1:8080/").build()) {
            URI url = local.uploadFile(file, "menu/" + nfc).join();

            assertThat(url.toASCIIString()).isEqualTo("http://127.0.0.1:8080/menu/caf%C3%A9.txt");
        }
        try (Stream<Path> names = Files.list(base.resolve("menu"))) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactly(nfd);
        }
    }

    @Test
    void aListing_namesAnNfdFileByItsNfcKey_once() throws IOException {
        String nfd = Normalizer.normalize("é/ü.txt", Normalizer.Form.NFD);
        Files.createDirectories(base.resolve(nfd).getParent());
        Files.writeString(base.resolve(nfd), "u");
        Files.writeString(base.resolve("a.txt"), "a");
        Files.writeString(base.resolve(Normalizer.normalize("é.txt", Normalizer.Form.NFD)), "1");
        Files.writeString(base.resolve(Normalizer.normalize("é.txt", Normalizer.Form.NFC)), "2");

        java.util.List<String> keys = new java.util.ArrayList<>();
        try (LocalBackend local = LocalBackend.builder().basePath(base).baseUrl("http://127.0.0.1:8080/").build()) {
            local.forEach("", o -> keys.add(o.key())).join();
        }

        assertThat(keys).containsExactly("a.txt", Normalizer.normalize("é.txt", Normalizer.Form.NFC),
                Normalizer.normalize("é/ü.txt", Normalizer.Form.NFC));
    }
}
