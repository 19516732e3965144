package dev.stowage.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of fault, each said in exactly one line naming the setting (or file) and the source. */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("stowage.yaml"), text);
    }

    private static ConfigException failure(Optional<Path> file, Map<String, String> environment, Map<String, String> overrides) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> AppConfig.load(file, environment, overrides));
        assertThat(e).as("a ConfigException").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n", "\r");
        assertThat(e.getCause()).isNull();
        return e;
    }

    private ConfigException fileFailure(String text) throws IOException {
        return failure(Optional.of(yaml(text)), Map.of(), Map.of());
    }

    private static ConfigException envFailure(String variable, String value) {
        return failure(Optional.empty(), Map.of(variable, value), Map.of());
    }

    private static ConfigException overrideFailure(String key, String value) {
        return failure(Optional.empty(), Map.of(), Map.of(key, value));
    }

    // ---- the file ----

    @Test
    void fileNotFound() {
        Path missing = dir.resolve("missing.yaml");

        ConfigException e = failure(Optional.of(missing), Map.of(), Map.of());

        assertThat(e).hasMessage("config file " + missing + ": not found");
        assertThat(e.setting()).isEqualTo("config file " + missing);
        assertThat(e.source()).isEmpty();
    }

    @Test
    void fileIsAFolder() {
        assertThat(failure(Optional.of(dir), Map.of(), Map.of())).hasMessage("config file " + dir + ": is a folder, not a file");
    }

    @Test
    void fileUnreadable() throws IOException {
        Path file = yaml("server:\n  port: 8080\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "the superuser reads any file");

        assertThat(failure(Optional.of(file), Map.of(), Map.of()))
                .hasMessage("config file " + file + ": cannot be read: permission denied");
    }

    @Test
    void fileNotUtf8() throws IOException {
        Path file = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

        assertThat(failure(Optional.of(file), Map.of(), Map.of())).hasMessage("config file " + file + ": is not UTF-8 text");
    }

    @Test
    void malformedYaml_namesLineAndColumn() throws IOException {
        Path file = yaml("server:\n  port: 8080\n host: x\n");

        assertThat(fileFailure("server:\n  port: 8080\n host: x\n")).hasMessage("config file " + file
                + " line 3 column 2: malformed YAML: expected <block end>, but found '<block mapping start>'"
                + " (while parsing a block mapping started at line 1 column 1)");
        assertThat(fileFailure("server:\n  host: b: c\n")).hasMessage("config file " + file
                + " line 2 column 10: malformed YAML: mapping values are not allowed here");
        // The file must be YAML before its settings are looked at: an unknown key above the fault waits.
        assertThat(fileFailure("colour: blue\nserver:\n  host: b: c\n")).hasMessage("config file " + file
                + " line 3 column 10: malformed YAML: mapping values are not allowed here");
    }

    @Test
    void yamlNotAMapping() throws IOException {
        Path file = yaml("");

        assertThat(fileFailure("- server\n- port\n"))
                .hasMessage("config file " + file + " line 1: must be a mapping of settings such as 'server:', got a list");
    }

    @Test
    void yamlTwoDocuments() throws IOException {
        Path file = yaml("");

        assertThat(fileFailure("server:\n  port: 1\n---\nserver:\n  port: 2\n"))
                .hasMessage("config file " + file + " line 4: holds a second YAML document; a configuration is one");
    }

    @Test
    void yamlKeyGivenTwice() throws IOException {
        Path file = yaml("");

        assertThat(fileFailure("server.port: 1\nserver:\n  port: 2\n"))
                .hasMessage("server.port: given twice, at lines 1 and 3 (from " + file + ")");
    }

    @Test
    void yamlSectionGivenTwice_isAnError_asAnyKeyGivenTwice() throws IOException {
        Path file = yaml("");

        // YAML loaders keep the last of two equal keys: the first section's settings would be lost, or merged.
        assertThat(fileFailure("server:\n  port: 1\npublish:\n  retries: 2\nserver:\n  host: x\n"))
                .hasMessage("server: given twice, at lines 1 and 5 (from " + file + ")");
        assertThat(fileFailure("server:\n  port: 1\nserver: ~\n")).hasMessage("server: given twice, at lines 1 and 3 (from " + file + ")");
    }

    @Test
    void yamlAlias() throws IOException {
        Path file = yaml("");

        assertThat(fileFailure("server:\n  port: &p 8080\n  max_connections: *p\n"))
                .hasMessage("server.max_connections: YAML aliases (*name) are not supported; write the value out (from "
                        + file + " line 3)");
    }

    // ---- unknown keys ----

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            server:\\n  prot: 1                 | 2 | server.prot: unknown setting; did you mean server.port?
            server:\\n  idle-timeout: 1s        | 2 | server.idle-timeout: unknown setting; did you mean server.idle_timeout?
            publish:\\n  retry_dealy: 1s        | 2 | publish.retry_dealy: unknown setting; did you mean publish.retry_delay?
            publish:\\n  excludes: []           | 2 | publish.excludes: unknown setting; did you mean publish.exclude?
            sever:\\n  port: 1                  | 1 | sever: unknown setting; did you mean server?
            port: 8080                          | 1 | port: unknown setting; did you mean server.port?
            publish:\\n  level: info            | 2 | publish.level: unknown setting; did you mean logging.level?
            Server:\\n  port: 1                 | 1 | Server: unknown setting; did you mean server?
            colour: blue                        | 1 | colour: unknown setting
            """)
    void unknownKeyInFile_suggestsTheNearestKnownOne(String text, int line, String expected) throws IOException {
        Path file = yaml("");

        ConfigException e = fileFailure(text.replace("\\n", "\n"));

        assertThat(e).hasMessage(expected + " (from " + file + " line " + line + ")");
    }

    @Test
    void faultsInSettings_theFirstInTheFileIsReported() throws IOException {
        Path file = yaml("");

        assertThat(fileFailure("server:\n  prot: 1\n  hots: x\n")).hasMessage(
                "server.prot: unknown setting; did you mean server.port? (from " + file + " line 2)");
    }

    @Test
    void unknownKeyInOverride() {
        assertThat(overrideFailure("serve.port", "1")).hasMessage("serve.port: unknown setting; did you mean server.port? (from --set)");
    }

    @Test
    void unknownVariable_nearASetting_orInASectionOfOurs() {
        assertThat(envFailure("STOWAGE_SERVER_PROT", "1"))
                .hasMessage("STOWAGE_SERVER_PROT: unknown setting; did you mean STOWAGE_SERVER_PORT?");
        assertThat(envFailure("STOWAGE_SEVER_PORT", "1"))
                .hasMessage("STOWAGE_SEVER_PORT: unknown setting; did you mean STOWAGE_SERVER_PORT?");
        assertThat(envFailure("STOWAGE_PUBLISH_EXCLUDES", "*.tmp"))
                .hasMessage("STOWAGE_PUBLISH_EXCLUDES: unknown setting; did you mean STOWAGE_PUBLISH_EXCLUDE?");
        assertThat(envFailure("STOWAGE_WATCH_INTERVAL_OF_SCANS", "1m")).hasMessage("STOWAGE_WATCH_INTERVAL_OF_SCANS: unknown setting");
    }

    @Test
    void wrongShape() throws IOException {
        Path file = yaml("");

        assertThat(fileFailure("server:\n  port: [8080]\n"))
                .hasMessage("server.port: must be a whole number 0-65535, got a list (from " + file + " line 2)");
        assertThat(fileFailure("server:\n  host: {name: x}\n")).hasMessage(
                "server.host: must be a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1, got a mapping (from "
                        + file + " line 2)");
        assertThat(fileFailure("publish:\n  exclude: {a: b}\n"))
                .hasMessage("publish.exclude: must be a list of patterns, got a mapping (from " + file + " line 2)");
        assertThat(fileFailure("publish:\n  exclude: [[a]]\n"))
                .hasMessage("publish.exclude: list items must be single values, got a list at line 2 (from " + file + " line 2)");
        assertThat(fileFailure("server: 8080\n"))
                .hasMessage("server: must be a mapping of settings such as 'host: ...', got a single value (from " + file + " line 1)");
        assertThat(fileFailure("server:\n  port:\n"))
                .hasMessage("server.port: must be a whole number 0-65535, got nothing (from " + file + " line 2)");
    }

    @Test
    void outOfRange_namesTheSource() throws IOException {
        Path file = yaml("");

        assertThat(fileFailure("server:\n  port: 99999\n"))
                .hasMessage("server.port: must be 0-65535, got 99999 (from " + file + " line 2)");
        assertThat(envFailure("STOWAGE_SERVER_PORT", "99999"))
                .hasMessage("server.port: must be 0-65535, got 99999 (from STOWAGE_SERVER_PORT)");
        ConfigException e = overrideFailure("server.port", "99999");
        assertThat(e).hasMessage("server.port: must be 0-65535, got 99999 (from --set)");
        assertThat(e.setting()).isEqualTo("server.port");
        assertThat(e.source()).contains("--set");
    }

    @Test
    void aCommandOption_isNamedAsTheCommandTookIt() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> AppConfig.load(Optional.empty(), Map.of(), Map.of(),
                CommandOptions.none().with("--port", "server.port", 99999)));

        assertThat(e).hasMessage("server.port: must be 0-65535, got 99999 (from --port)");
        assertThat(e.source()).contains("--port");
        ConfigException positional = catchThrowableOfType(ConfigException.class, () -> AppConfig.load(Optional.empty(), Map.of(),
                Map.of(), CommandOptions.none().with("BACKEND-URI", "backend", "nfs://server/x")));
        assertThat(positional).hasMessage("backend: no backend for scheme 'nfs:'; known schemes are file, memory, s3 (from BACKEND-URI)");
    }

    @Test
    void aSetThatACommandOptionOverrides_isStillChecked() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> AppConfig.load(Optional.empty(), Map.of(),
                Map.of("server.port", "none"), CommandOptions.none().with("--port", "server.port", 8081)));

        assertThat(e).hasMessage("server.port: must be a whole number 0-65535, got 'none' (from --set)");
    }

    @Test
    void badDuration() {
        assertThat(envFailure("STOWAGE_WATCH_DEBOUNCE", "half a second")).hasMessage(
                "watch.debounce: must be a duration such as 500ms, 30s or 5m (units ms, s, m, h), got 'half a second'"
                        + " (from STOWAGE_WATCH_DEBOUNCE)");
    }

    @Test
    void retryMaxDelayShorterThanRetryDelay() throws IOException {
        Path file = yaml("");

        assertThat(failure(Optional.of(yaml("publish:\n  retry_max_delay: 1s\n")), Map.of("STOWAGE_PUBLISH_RETRY_DELAY", "2s"), Map.of()))
                .hasMessage("publish.retry_max_delay: must not be shorter than publish.retry_delay (2s, from STOWAGE_PUBLISH_RETRY_DELAY),"
                        + " got 1s (from " + file + " line 2)");
    }

    @Test
    void aValueOverriddenLater_isStillChecked() throws IOException {
        Path file = yaml("server:\n  port: none\n");

        assertThat(failure(Optional.of(file), Map.of("STOWAGE_SERVER_PORT", "8080"), Map.of()))
                .hasMessage("server.port: must be a whole number 0-65535, got 'none' (from " + file + " line 2)");
    }

    @Test
    void badBackendUri() {
        assertThat(envFailure("STOWAGE_BACKEND", "ftp://files.example.com/x"))
                .hasMessage("backend: no backend for scheme 'ftp:'; known schemes are file, memory, s3 (from STOWAGE_BACKEND)");
        assertThat(envFailure("STOWAGE_BACKEND", "just-a-bucket")).hasMessage(
                "backend: backend URI must start with a scheme such as file:, memory: or s3: (in just-a-bucket) (from STOWAGE_BACKEND)");
        assertThat(overrideFailure("backend", "s3://b?region=a&region=b"))
                .hasMessage("backend: setting 'region' is given more than once (in s3://b?region=a&region=b) (from --set)");
        assertThat(overrideFailure("backend", "s3://b?retries=99"))
                .hasMessage("backend: setting 'retries' must be from 0 to 20, not 99 (in s3://b?retries=99) (from --set)");
    }

    @Test
    void statePathThatNoFileCanHave() {
        assertThat(overrideFailure("publish.state", "a\u0000b"))
                .hasMessage("publish.state: must be a file path, got 'a\\u0000b' (Nul character not allowed) (from --set)");
    }

    // ---- a table of bad values, each through --set ----

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            server.host              | not a host!     | must be a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1, got 'not a host!'
            server.host              | my_host         | must be a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1, got 'my_host'
            server.host              | files/x         | must be a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1, got 'files/x'
            server.host              | me@example.com  | must be a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1, got 'me@example.com'
            server.host              | localhost:8080  | must be a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1, got 'localhost:8080'
            server.host              | ""              | must be a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1, got nothing
            server.port              | 65536           | must be 0-65535, got 65536
            server.port              | 8080.5          | must be a whole number 0-65535, got '8080.5'
            server.port              | 99999999999999999999 | must be a whole number 0-65535, got '99999999999999999999'
            server.port              | ""              | must be a whole number 0-65535, got nothing
            server.base_url          | ftp://x/        | must be an http or https URL such as https://files.example.com/, got 'ftp://x/'
            server.base_url          | files.example.com | must be an absolute URL such as https://cdn.example.com/files: files.example.com
            server.base_url          | http://h/x?q=1  | must not have a query or fragment: http://h/x?****
            server.idle_timeout      | 0s              | must be 1s-1h, got 0s
            server.idle_timeout      | 2h              | must be 1s-1h, got 2h
            server.idle_timeout      | 30              | must be a duration such as 500ms, 30s or 5m (units ms, s, m, h), got '30'
            server.idle_timeout      | 1.5s            | must be a duration such as 500ms, 30s or 5m (units ms, s, m, h), got '1.5s'
            server.idle_timeout      | 1d              | must be a duration such as 500ms, 30s or 5m (units ms, s, m, h), got '1d'
            server.max_connections   | 0               | must be 1-100000, got 0
            server.stop_timeout      | -1s             | must be a duration such as 500ms, 30s or 5m (units ms, s, m, h), got '-1s'
            server.stop_timeout      | 61m             | must be 0s-1h, got 61m
            publish.concurrency      | 2000            | must be 1-1024, got 2000
            publish.retries          | -1              | must be 0-20, got -1
            publish.retries          | 21              | must be 0-20, got 21
            publish.retry_delay      | 2h              | must be 0s-1h, got 2h
            publish.retry_max_delay  | 3601s           | must be 0s-1h, got 3601s
            publish.max_delete_share | 1.5             | must be 0-1, got 1.5
            publish.max_delete_share | NaN             | must be 0-1, got NaN
            publish.max_delete_share | half            | must be a number 0-1, got 'half'
            publish.include_hidden   | maybe           | must be true or false, got 'maybe'
            publish.follow_links     | ""              | must be true or false, got nothing
            publish.manifest_key     | /manifest.json  | must be a valid key (key must be relative, without a leading '/'), got '/manifest.json'
            publish.manifest_key     | a/../b.json     | must be a valid key (key has a '..' segment at index 2), got 'a/../b.json'
            publish.exclude          | "a{b"           | has a bad pattern: exclude pattern has an unclosed '{': a{b
            watch.debounce           | 11m             | must be 0s-10m, got 11m
            watch.rescan_interval    | 500ms           | must be 1s-24h, got 500ms
            watch.rescan_interval    | 2d              | must be a duration such as 500ms, 30s or 5m (units ms, s, m, h), got '2d'
            logging.level            | loud            | must be one of trace, debug, info, warn, error, off, got 'loud'
            backend                  | nfs://server/x  | no backend for scheme 'nfs:'; known schemes are file, memory, s3
            """)
    void badValue_isOneLineNamingKeyAndSource(String key, String value, String problem) {
        String given = value.replace("\\u0000", "\u0000");

        assertThat(overrideFailure(key, given)).hasMessage(key + ": " + problem + " (from --set)");
    }
}
