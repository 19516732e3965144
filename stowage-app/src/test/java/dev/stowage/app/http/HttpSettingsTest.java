package dev.stowage.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HttpSettingsTest {
    private static final HttpSettings DEFAULTS = HttpSettings.defaults(Path.of("/srv/site"));

    @Test
    void defaults_serveOnLoopback8080_stateFolderHidden_rescanOff() {
        assertThat(DEFAULTS.host()).isEqualTo("127.0.0.1");
        assertThat(DEFAULTS.port()).isEqualTo(8080);
        assertThat(DEFAULTS.basePath()).isEqualTo("/");
        assertThat(DEFAULTS.hiddenFolders()).containsExactly(".stowage");
        assertThat(DEFAULTS.manifest().get()).isEmpty();
        assertThat(DEFAULTS.health().get().ok()).isTrue();
        assertThat(DEFAULTS.bearerToken()).isEmpty();
        assertThat(DEFAULTS.metrics()).isEmpty();
    }

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withHost(" "), "host"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withPort(-1), "port"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withPort(65536), "port"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withBasePath("files/"), "basePath"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withBasePath("/files"), "basePath"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withBasePath("//"), "basePath"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withBasePath("/../"), "basePath"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withBasePath("/a b/"), "basePath"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withBasePath("/%2e/"), "basePath"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withHiddenFolders(Set.of("../x")), "hiddenFolders"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withHiddenFolders(Set.of("/abs")), "hiddenFolders"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withIdleTimeout(Duration.ZERO), "idleTimeout"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withMaxHeaderBytes(100), "maxHeaderBytes"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withMaxConnections(0), "maxConnections"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withStopTimeout(Duration.ofSeconds(-1)), "stopTimeout"),
                Arguments.of((UnaryOperator<HttpSettings>) s -> s.withBearerToken(Optional.of("")), "bearerToken"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("wrongValues")
    void wrongValue_oneLineNamingTheSetting(UnaryOperator<HttpSettings> change, String setting) {
        assertThatThrownBy(() -> change.apply(DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(setting)
                .hasMessageNotContaining("\n");
    }

    @Test
    void nullValue_npeNamingTheSetting() {
        assertThatThrownBy(() -> DEFAULTS.withManifest(null)).isInstanceOf(NullPointerException.class).hasMessage("manifest");
        assertThatThrownBy(() -> DEFAULTS.withBearerToken(null)).isInstanceOf(NullPointerException.class).hasMessage("bearerToken");
    }

    @Test
    void toString_masksTheToken() {
        String token = "tok-" + Long.toHexString(System.nanoTime());
        HttpSettings settings = DEFAULTS.withBearerToken(Optional.of(token));

        assertThat(settings.toString()).contains("bearerToken=****").doesNotContain(token);
        assertThat(DEFAULTS.toString()).contains("bearerToken=(rescan off)");
    }

    @Test
    void badToken_messageDoesNotShowIt() {
        String token = "has spaces " + Long.toHexString(System.nanoTime());

        assertThatThrownBy(() -> DEFAULTS.withBearerToken(Optional.of(token)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bearerToken")
                .hasMessageNotContaining(token)
                .hasMessageNotContaining("has spaces");
    }

    @Test
    void hiddenFolders_copied() {
        Set<String> hidden = new java.util.HashSet<>(Set.of(".stowage"));
        HttpSettings settings = DEFAULTS.withHiddenFolders(hidden);
        hidden.add("more");

        assertThat(settings.hiddenFolders()).containsExactly(".stowage");
    }
}
