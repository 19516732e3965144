package dev.stowage.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The token and anything that looks like a credential never show: not in toString, toYaml or a message. */
class SecretsTest {
    private static final String TOKEN = "Sup3rS3cretT0ken-0123456789abcdef";
    private static final String AWS_SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    @TempDir
    Path dir;

    private static ConfigException failure(Optional<Path> file, Map<String, String> environment, Map<String, String> overrides) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> AppConfig.load(file, environment, overrides));
        assertThat(e).as("a ConfigException").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n");
        return e;
    }

    @Test
    void token_isHiddenInToStringAndToYaml_andExplain() throws Exception {
        AppConfig c = AppConfig.load(Optional.empty(), Map.of("STOWAGE_SERVER_TOKEN", TOKEN), Map.of());

        assertThat(c.server().token().orElseThrow().reveal()).isEqualTo(TOKEN);
        assertThat(c.toString()).doesNotContain(TOKEN).contains("token=Optional[****]");
        assertThat(c.server().toString()).doesNotContain(TOKEN);
        assertThat(c.toYaml()).doesNotContain(TOKEN).contains("  token: \"****\"\n");
        assertThat(AppConfig.explain(Optional.empty(), Map.of("STOWAGE_SERVER_TOKEN", TOKEN), Map.of()))
                .doesNotContain(TOKEN).containsPattern("\n  token: \"\\*\\*\\*\\*\" +# from STOWAGE_SERVER_TOKEN\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"short-Secret", "has spaces in the Secret value", "Secret\"quote\"0123456789", "Secret\n0123456789abcdef"})
    void badToken_messageNeverQuotesIt(String token) {
        ConfigException e = failure(Optional.empty(), Map.of("STOWAGE_SERVER_TOKEN", token), Map.of());

        assertThat(e).hasMessage("server.token: must be at least 16 characters of letters, digits and - . _ ~ + /"
                + " (the value is not shown) (from STOWAGE_SERVER_TOKEN)");
        assertThat(e.getMessage()).doesNotContain("Secret");
    }

    @Test
    void tokenGivenAsAList_messageNeverQuotesIt() throws IOException {
        Path file = Files.writeString(dir.resolve("s.yaml"), "server:\n  token: [" + TOKEN + "]\n");

        assertThat(failure(Optional.of(file), Map.of(), Map.of())).hasMessage("server.token: must be a single value, got a list (from "
                + file + " line 2)");
    }

    @Test
    void malformedYaml_aroundTheToken_doesNotQuoteTheLine() throws IOException {
        Path file = Files.writeString(dir.resolve("s.yaml"), "server:\n  token: \"" + TOKEN + "\n");

        ConfigException e = failure(Optional.of(file), Map.of(), Map.of());

        assertThat(e).hasMessage("config file " + file + " line 3 column 1: malformed YAML: found unexpected end of stream"
                + " (while scanning a quoted scalar started at line 2 column 10)");
        assertThat(e.getMessage()).doesNotContain(TOKEN);
    }

    @Test
    void backendUriWithSecretAccessKey_isRefusedNamingTheSettingOnly() {
        String uri = "s3://media/site?preset=r2&endpoint=https://acct.r2.cloudflarestorage.com&secret_access_key=" + AWS_SECRET;

        ConfigException e = failure(Optional.empty(), Map.of("STOWAGE_BACKEND", uri), Map.of());

        assertThat(e).hasMessage("backend: setting 'secret_access_key' is a credential, and the URI is no place for one:"
                + " set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, or use an AWS profile"
                + " (AWS_PROFILE, or profile=NAME in the URI) (from STOWAGE_BACKEND)");
        assertThat(e.getMessage()).doesNotContain(AWS_SECRET);
    }

    @ParameterizedTest
    @ValueSource(strings = {"access_key_id", "aws_secret_access_key", "session_token", "password", "api_key"})
    void backendUriWithAnyCredentialSetting_isRefused(String setting) throws IOException {
        Path file = Files.writeString(dir.resolve("s.yaml"), "backend: s3://media?" + setting + "=" + AWS_SECRET + "\n");

        ConfigException e = failure(Optional.of(file), Map.of(), Map.of());

        assertThat(e.getMessage()).startsWith("backend: setting '" + setting + "' is a credential").endsWith("(from " + file + " line 1)")
                .doesNotContain(AWS_SECRET);
    }

    @Test
    void backendUriWithUserInformation_isRefusedWithoutShowingIt() {
        ConfigException e = failure(Optional.empty(), Map.of(), Map.of("backend", "s3://AKIDEXAMPLE:" + AWS_SECRET + "@media/site"));

        assertThat(e.getMessage()).startsWith("backend: must not carry user information (user:password@):").endsWith("(from --set)")
                .doesNotContain(AWS_SECRET).doesNotContain("AKIDEXAMPLE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://media?endpoint=https://AKIDEXAMPLE:%s@minio.example.com",
            "s3://media?preset=r2&public_url=https://user:%s@media.example.com/",
            "file:///srv/www?base_url=http://admin:%s@files.example.com/"})
    void backendUriWithUserInformationInASetting_isRefused_andNeverPrinted(String template) throws IOException {
        String uri = template.formatted(AWS_SECRET);
        Path file = Files.writeString(dir.resolve("s.yaml"), "backend: " + uri + "\n");

        ConfigException e = failure(Optional.of(file), Map.of(), Map.of());

        assertThat(e.getMessage()).startsWith("backend: setting '").contains("carries user information (user:password@)")
                .endsWith("(from " + file + " line 1)").doesNotContain(AWS_SECRET);
        ConfigException explained = catchThrowableOfType(ConfigException.class,
                () -> AppConfig.explain(Optional.empty(), Map.of("STOWAGE_BACKEND", uri), Map.of()));
        assertThat(explained.getMessage()).doesNotContain(AWS_SECRET);
    }

    @Test
    void malformedBackendUri_withASecret_showsItHidden() {
        ConfigException e = failure(Optional.empty(), Map.of(), Map.of("backend", "s3://media?secret_access_key=" + AWS_SECRET + "#x"));

        assertThat(e).hasMessage("backend: backend URI must not have a fragment ('#') (in s3://media?secret_access_key=****) (from --set)");
    }

    @Test
    void baseUrlWithCredentials_isRefusedWithoutShowingThem() {
        ConfigException e = failure(Optional.empty(), Map.of(), Map.of("server.base_url", "https://user:" + AWS_SECRET + "@files.example.com/"));

        assertThat(e).hasMessage("server.base_url: must not contain user credentials: https://****@files.example.com/ (from --set)");
    }

    @Test
    void credentialKeyInYaml_isRefusedWithoutItsValue() throws IOException {
        Path file = Files.writeString(dir.resolve("s.yaml"), "publish:\n  secret_access_key: " + AWS_SECRET + "\n");

        ConfigException e = failure(Optional.of(file), Map.of(), Map.of());

        assertThat(e).hasMessage("publish.secret_access_key: credentials are not settings: set AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY in the environment, or use an AWS profile (AWS_PROFILE, or profile=NAME in the URI)"
                + " (from " + file + " line 2)");
    }

    @Test
    void credentialVariable_isRefusedWithoutItsValue() {
        ConfigException e = failure(Optional.empty(), Map.of("STOWAGE_S3_SECRET_ACCESS_KEY", AWS_SECRET), Map.of());

        assertThat(e).hasMessage("STOWAGE_S3_SECRET_ACCESS_KEY: credentials are not settings: set AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY in the environment, or use an AWS profile (AWS_PROFILE, or profile=NAME in the URI)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"STOWAGE_SERVER_TOKEN_FILE", "STOWAGE_SERVER_AUTH_TOKEN"})
    void variableAfterTheServerToken_isToldItsName_notTheAwsCredentials(String variable) {
        ConfigException e = failure(Optional.empty(), Map.of(variable, "/run/secrets/" + TOKEN), Map.of());

        assertThat(e).hasMessage(variable + ": unknown setting; did you mean STOWAGE_SERVER_TOKEN?");
    }

    @Test
    void unknownKey_neverShowsItsValue() throws IOException {
        Path file = Files.writeString(dir.resolve("s.yaml"), "server:\n  tokn: " + TOKEN + "\n");

        ConfigException e = failure(Optional.of(file), Map.of(), Map.of());

        assertThat(e).hasMessage("server.tokn: unknown setting; did you mean server.token? (from " + file + " line 2)");
    }

    @Test
    void secret_printsStars_comparesByValue_andMatchesCandidates() {
        Secret a = Secret.of(TOKEN);

        assertThat(a).hasToString("****");
        assertThat(a).isEqualTo(Secret.of(TOKEN)).hasSameHashCodeAs(Secret.of(TOKEN));
        assertThat(a).isNotEqualTo(Secret.of(TOKEN + "x")).isNotEqualTo(TOKEN);
        assertThat(a.matches(TOKEN)).isTrue();
        assertThat(a.matches(TOKEN.substring(1))).isFalse();
        assertThat(a.matches("")).isFalse();
        assertThat(a.matches(null)).isFalse();
        assertThat(a.reveal()).isEqualTo(TOKEN);
        assertThatThrownBy(() -> Secret.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Secret.of(null)).isInstanceOf(NullPointerException.class).hasMessage("value");
    }
}
