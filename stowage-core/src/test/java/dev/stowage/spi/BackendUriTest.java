package dev.stowage.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackendUriTest {

    @Test
    void parse_splitsSchemeAuthorityPathAndDecodedSettings() {
        BackendUri uri = BackendUri.parse("S3://media/site/v1?region=auto&public_url=https%3A%2F%2Fcdn.example.com&path_style");
        assertThat(uri.scheme()).isEqualTo("s3");
        assertThat(uri.authority()).contains("media");
        assertThat(uri.path()).isEqualTo("/site/v1");
        assertThat(uri.settings()).containsExactly(Map.entry("region", "auto"),
                Map.entry("public_url", "https://cdn.example.com"), Map.entry("path_style", "true"));
        assertThat(uri.flag("path_style", false)).isTrue();
    }

    @Test
    void parse_fileUriWithThreeSlashes_hasNoAuthority() {
        BackendUri uri = BackendUri.parse("file:///srv/my%20files?base_url=http://localhost:8080/");
        assertThat(uri.authority()).isEmpty();
        assertThat(uri.path()).isEqualTo("/srv/my files");
        assertThat(uri.setting("base_url")).contains("http://localhost:8080/");
    }

    @Test
    void parse_opaqueForms() {
        assertThat(BackendUri.parse("memory:").path()).isEmpty();
        assertThat(BackendUri.parse("file:data/files").path()).isEqualTo("data/files");
        assertThat(BackendUri.parse("memory:name").authority()).isEqualTo(Optional.empty());
    }

    @Test
    void parse_plusInSettingStaysPlus() {
        assertThat(BackendUri.parse("x:?a=b+c").setting("a")).contains("b+c");
    }

    @Test
    void parse_badInput_isInvalidConfig() {
        for (String bad : new String[] {"", "no-scheme", "1x:abc", "x:a?k=1&k=2", "x:a#frag", "x:a?k=%zz"}) {
            assertThatThrownBy(() -> BackendUri.parse(bad)).as(bad)
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG));
        }
    }

    @Test
    void flag_rejectsWhatIsNotABoolean() {
        BackendUri uri = BackendUri.parse("x:?owns_files=maybe");
        assertThatThrownBy(() -> uri.flag("owns_files", false)).hasMessageContaining("owns_files").hasMessageContaining("maybe");
        assertThat(BackendUri.parse("x:?f=no").flag("f", true)).isFalse();
        assertThat(BackendUri.parse("x:").flag("f", true)).isTrue();
        assertThatThrownBy(() -> BackendUri.parse("x:?f=").flag("f", false)).hasMessageContaining("'f' must be true or false");
    }

    @Test
    void longSetting_checksNumberAndMinimum() {
        assertThat(BackendUri.parse("x:?n=8").longSetting("n", 1, 10)).contains(8L);
        assertThat(BackendUri.parse("x:").longSetting("n", 1, 10)).isEmpty();
        assertThatThrownBy(() -> BackendUri.parse("x:?n=eight").longSetting("n", 1, 10)).hasMessageContaining("'n' must be a whole number");
        assertThatThrownBy(() -> BackendUri.parse("x:?n=0").longSetting("n", 1, 10)).hasMessageContaining("from 1 to 10, not 0");
        assertThatThrownBy(() -> BackendUri.parse("x:?n=11").longSetting("n", 1, 10)).hasMessageContaining("from 1 to 10, not 11");
    }

    @Test
    void requireKnownSettings_namesTheUnknownOneAndTheKnownOnes() {
        BackendUri uri = BackendUri.parse("file:///x?base_url=http://h/&bse_url=typo");
        assertThatThrownBy(() -> uri.requireKnownSettings(Set.of("base_url", "owns_files")))
                .hasMessageContaining("unknown setting 'bse_url'")
                .hasMessageContaining("base_url, owns_files");
    }

    @Test
    void requireSetting_missing_namesIt() {
        assertThatThrownBy(() -> BackendUri.parse("file:///x").requireSetting("base_url", "the URL"))
                .hasMessageContaining("'base_url' is required");
    }

    @Test
    void secrets_neverAppearInTextOrErrors() {
        BackendUri uri = BackendUri.parse("s3://b?secret_access_key=TOPSECRET&session_token=TOK&region=x");
        assertThat(uri.toString()).doesNotContain("TOPSECRET").doesNotContain("TOK").contains("secret_access_key=****");
        assertThatThrownBy(() -> uri.requireKnownSettings(Set.of("region"))).hasMessageNotContaining("TOPSECRET");
        assertThatThrownBy(() -> BackendUri.parse("s3://b?secret_access_key=TOPSECRET&secret_access_key=TOPSECRET"))
                .hasMessageNotContaining("TOPSECRET");
        assertThatThrownBy(() -> BackendUri.parse("s3://b?secret_access_key=TOPSECRET%zz"))
                .hasMessageContaining("percent-encoding").hasMessageNotContaining("TOPSECRET");
        assertThatThrownBy(() -> BackendUri.parse("s3://AKIA:TOPSECRET@b/%zz")).hasMessageNotContaining("TOPSECRET");
        assertThat(BackendUri.parse("s3://AKIA:TOPSECRET@bucket/p").toString()).isEqualTo("s3://****@bucket/p");
        assertThat(BackendUri.parse("x:?api_key=K1&password=P1&auth_token=T1").toString())
                .doesNotContain("K1").doesNotContain("P1").doesNotContain("T1");
    }

    @Test
    void urlsInSettingValues_haveTheirUserInformationHidden() {
        BackendUri uri = BackendUri.parse("s3://b?endpoint=http://AKID:TOPSECRET@127.0.0.1:9&region=x");
        assertThat(uri.toString()).isEqualTo("s3://b?endpoint=http://****@127.0.0.1:9&region=x");
        assertThatThrownBy(() -> uri.requireKnownSettings(Set.of("region"))).hasMessageNotContaining("TOPSECRET");
        assertThatThrownBy(() -> BackendUri.parse("s3://b?endpoint=http://AKID:TOPSECRET@h&x=1&x=2"))
                .hasMessageContaining("'x'").hasMessageNotContaining("TOPSECRET");
    }
}
