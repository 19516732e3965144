package dev.stowage.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.layer.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppConfigTest {
    private static final String TOKEN = "Tok3n-for-tests-0123456789";

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("stowage.yaml"), text);
    }

    private AppConfig load(String yaml, Map<String, String> environment, Map<String, String> overrides) throws Exception {
        return AppConfig.load(yaml == null ? Optional.empty() : Optional.of(yaml(yaml)), environment, overrides);
    }

    @Test
    void defaults_areTheDocumentedValues() {
        AppConfig c = AppConfig.defaults();

        assertThat(c.server()).isEqualTo(new AppConfig.Server("127.0.0.1", 8080, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(30), 1000, Duration.ofSeconds(30)));
        assertThat(c.server().effectiveBaseUrl()).isEqualTo(URI.create("http://127.0.0.1:8080/"));
        assertThat(c.publish()).isEqualTo(new AppConfig.Publish(Optional.empty(), 64, 3, Duration.ofMillis(200),
                Duration.ofSeconds(10), 0.5, List.of(), false, false, "manifest.json"));
        assertThat(c.backend()).isEmpty();
        assertThat(c.watch()).isEqualTo(new AppConfig.Watch(Duration.ofMillis(500), Duration.ofMinutes(5)));
        assertThat(c.logging().level()).isEqualTo("info");
    }

    @Test
    void load_nothingGiven_isTheDefaults() throws Exception {
        assertThat(load(null, Map.of(), Map.of())).isEqualTo(AppConfig.defaults());
        assertThat(load("", Map.of(), Map.of())).isEqualTo(AppConfig.defaults());
        assertThat(load("# nothing set yet\n", Map.of(), Map.of())).isEqualTo(AppConfig.defaults());
        assertThat(load("server:\npublish:\n", Map.of(), Map.of())).isEqualTo(AppConfig.defaults());
        // An empty document, as a file that opens with a document marker and sets nothing yet.
        assertThat(load("---\n", Map.of(), Map.of())).isEqualTo(AppConfig.defaults());
        assertThat(load("# stowage\n--- # nothing set yet\n...\n", Map.of(), Map.of())).isEqualTo(AppConfig.defaults());
        assertThat(load("~\n", Map.of(), Map.of())).isEqualTo(AppConfig.defaults());
    }

    @Test
    void load_fullYamlFile_setsEveryKey() throws Exception {
        AppConfig c = load("""
                server:
                  host: 0.0.0.0
                  port: 9090
                  base_url: https://files.example.com/site
                  token: %s
                  idle_timeout: 1m
                  max_connections: 250
                  stop_timeout: 5s
                publish:
                  state: /var/lib/stowage/state.db
                  concurrency: 32
                  retries: 5
                  retry_delay: 1s
                  retry_max_delay: 30s
                  max_delete_share: 0.25
                  exclude:
                    - "*.tmp"
                    - drafts/**
                  include_hidden: true
                  follow_links: yes
                  manifest_key: index/manifest.json
                backend: s3://media/site?preset=r2&endpoint=https://acct.r2.cloudflarestorage.com&public_url=https://media.example.com
                watch:
                  debounce: 2s
                  rescan_interval: 1h
                logging:
                  level: DEBUG
                """.formatted(TOKEN), Map.of(), Map.of());

        assertThat(c.server()).isEqualTo(new AppConfig.Server("0.0.0.0", 9090,
                Optional.of(URI.create("https://files.example.com/site/")), Optional.of(Secret.of(TOKEN)),
                Duration.ofMinutes(1), 250, Duration.ofSeconds(5)));
        assertThat(c.publish()).isEqualTo(new AppConfig.Publish(Optional.of(Path.of("/var/lib/stowage/state.db")), 32, 5,
                Duration.ofSeconds(1), Duration.ofSeconds(30), 0.25, List.of("*.tmp", "drafts/**"), true, true,
                "index/manifest.json"));
        assertThat(c.backend()).contains(
                "s3://media/site?preset=r2&endpoint=https://acct.r2.cloudflarestorage.com&public_url=https://media.example.com");
        assertThat(c.watch()).isEqualTo(new AppConfig.Watch(Duration.ofSeconds(2), Duration.ofHours(1)));
        assertThat(c.logging().level()).isEqualTo("debug");
    }

    @Test
    void load_dottedKeysInYaml_readAsNestedOnes() throws Exception {
        AppConfig dotted = load("server.port: 9090\npublish.exclude: ['*.tmp']\n", Map.of(), Map.of());
        AppConfig nested = load("server:\n  port: 9090\npublish:\n  exclude: ['*.tmp']\n", Map.of(), Map.of());

        assertThat(dotted).isEqualTo(nested);
        assertThat(dotted.server().port()).isEqualTo(9090);
    }

    @ParameterizedTest(name = "file={0} env={1} set={2} -> {3}")
    @CsvSource(nullValues = "-", textBlock = """
            -,    -,    -,    8080
            9001, -,    -,    9001
            -,    9002, -,    9002
            -,    -,    9003, 9003
            9001, 9002, -,    9002
            9001, -,    9003, 9003
            -,    9002, 9003, 9003
            9001, 9002, 9003, 9003
            """)
    void load_precedence_defaultThenFileThenEnvironmentThenOverride(String file, String env, String override, int expected)
            throws Exception {
        AppConfig c = load(file == null ? null : "server:\n  port: " + file + "\n",
                env == null ? Map.of() : Map.of("STOWAGE_SERVER_PORT", env),
                override == null ? Map.of() : Map.of("server.port", override));

        assertThat(c.server().port()).isEqualTo(expected);
    }

    @Test
    void load_aCommandsOptions_overrideEveryOtherLayer_andOnlyWhenGiven() throws Exception {
        CommandOptions options = CommandOptions.none().with("--port", "server.port", 9004).with("--host", "server.host", null);

        AppConfig c = AppConfig.load(Optional.of(yaml("server:\n  port: 9001\n  host: 10.0.0.5\n")),
                Map.of("STOWAGE_SERVER_PORT", "9002"), Map.of("server.port", "9003"), options);

        assertThat(c.server().port()).isEqualTo(9004);
        assertThat(c.server().host()).isEqualTo("10.0.0.5");
        assertThat(options).hasToString("CommandOptions[--port]");
        assertThatThrownBy(() -> CommandOptions.none().with("--prot", "server.prot", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("key is no setting: server.prot");
    }

    @Test
    void load_precedence_isPerKey() throws Exception {
        AppConfig c = load("server:\n  host: 10.0.0.5\n  port: 9001\nlogging:\n  level: warn\n",
                Map.of("STOWAGE_SERVER_PORT", "9002", "STOWAGE_LOGGING_LEVEL", "error"),
                Map.of("logging.level", "trace"));

        assertThat(c.server().host()).isEqualTo("10.0.0.5");
        assertThat(c.server().port()).isEqualTo(9002);
        assertThat(c.logging().level()).isEqualTo("trace");
        assertThat(c.server().effectiveBaseUrl()).isEqualTo(URI.create("http://10.0.0.5:9002/"));
    }

    @Test
    void environment_listIsCommaSeparated_andCommasInsideBracesStayInThePattern() throws Exception {
        AppConfig c = load(null, Map.of("STOWAGE_PUBLISH_EXCLUDE", " *.tmp, drafts/** ,,*.{jpg,png},[a,b]*.bak "), Map.of());

        assertThat(c.publish().exclude()).containsExactly("*.tmp", "drafts/**", "*.{jpg,png}", "[a,b]*.bak");
    }

    @Test
    void override_listIsCommaSeparatedToo() throws Exception {
        AppConfig c = load(null, Map.of(), Map.of("publish.exclude", "*.tmp,*.log"));

        assertThat(c.publish().exclude()).containsExactly("*.tmp", "*.log");
    }

    @Test
    void emptyValue_clearsAnOptionalSettingOrAListSetBelow() throws Exception {
        AppConfig c = load("server:\n  base_url: https://cdn.example.com/\n  token: " + TOKEN + "\npublish:\n  exclude: ['*.tmp']\n"
                        + "backend: \"memory:\"\n",
                Map.of("STOWAGE_PUBLISH_EXCLUDE", "", "STOWAGE_SERVER_TOKEN", "", "STOWAGE_BACKEND", " "),
                Map.of("server.base_url", ""));

        assertThat(c.publish().exclude()).isEmpty();
        assertThat(c.server().token()).isEmpty();
        assertThat(c.server().baseUrl()).isEmpty();
        assertThat(c.backend()).isEmpty();
    }

    @Test
    void yamlNull_clearsAnOptionalSettingOrAList() throws Exception {
        AppConfig c = load("server:\n  base_url: ~\npublish:\n  exclude:\n  state: null\nbackend:\n", Map.of(), Map.of());

        assertThat(c).isEqualTo(AppConfig.defaults());
    }

    @Test
    void yaml_singleValueForAList_isAListOfOne_notSplitAtCommas() throws Exception {
        AppConfig c = load("publish:\n  exclude: '*.{jpg,png}'\n", Map.of(), Map.of());

        assertThat(c.publish().exclude()).containsExactly("*.{jpg,png}");
    }

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource(textBlock = """
            0s,    0
            500ms, 500
            30s,   30000
            5m,    300000
            1h,    3600000
            90s,   90000
            10 s,  10000
            1500MS, 1500
            """)
    void durations_takeTheUnitsOfBackendUris(String text, long millis) throws Exception {
        AppConfig c = load(null, Map.of("STOWAGE_PUBLISH_RETRY_DELAY", text, "STOWAGE_PUBLISH_RETRY_MAX_DELAY", "1h"), Map.of());

        assertThat(c.publish().retryDelay()).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void durations_inYaml() throws Exception {
        AppConfig c = load("watch:\n  debounce: 500ms\n  rescan_interval: 5m\nserver:\n  idle_timeout: 30s\n", Map.of(), Map.of());

        assertThat(c.watch().debounce()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.watch().rescanInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.server().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            true,  true
            yes,   true
            1,     true
            TRUE,  true
            false, false
            no,    false
            0,     false
            """)
    void flags_takeTheWordsOfBackendUris(String text, boolean expected) throws Exception {
        assertThat(load(null, Map.of("STOWAGE_PUBLISH_INCLUDE_HIDDEN", text), Map.of()).publish().includeHidden()).isEqualTo(expected);
    }

    @Test
    void retryMaxDelay_leftToItsDefault_isRaisedToALongerFirstPause() throws Exception {
        AppConfig c = load(null, Map.of("STOWAGE_PUBLISH_RETRY_DELAY", "20s"), Map.of());

        assertThat(c.publish().retryDelay()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.publish().retryMaxDelay()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void baseUrl_isNormalisedToEndWithSlash_andIPv6HostGetsBrackets() throws Exception {
        assertThat(load(null, Map.of(), Map.of("server.base_url", "https://files.example.com")).server().baseUrl())
                .contains(URI.create("https://files.example.com/"));
        AppConfig v6 = load(null, Map.of(), Map.of("server.host", "[::1]", "server.port", "8443"));
        assertThat(v6.server().host()).isEqualTo("::1");
        assertThat(v6.server().effectiveBaseUrl()).isEqualTo(URI.create("http://[::1]:8443/"));
    }

    @Test
    void environment_variablesOfOtherThings_areLeftAlone() throws Exception {
        AppConfig c = load(null, Map.of(
                "PATH", "/usr/bin",
                "AWS_SECRET_ACCESS_KEY", "not ours",
                "STOWAGE_CONFIG", "/etc/stowage.yaml",
                "STOWAGE_HOME", "/opt/stowage",
                "STOWAGE_SERVICE_HOST", "10.0.0.11",
                "STOWAGE_SERVICE_PORT", "8080",
                "STOWAGE_PORT", "tcp://10.0.0.11:8080",
                "STOWAGE_PORT_8080_TCP_ADDR", "10.0.0.11",
                "STOWAGE_API_SERVICE_PORT_HTTP", "80"), Map.of());

        assertThat(c).isEqualTo(AppConfig.defaults());
    }

    @Test
    void toYaml_printsEveryKeyWithItsValue_andMarksDefaults() throws Exception {
        AppConfig c = load(null, Map.of("STOWAGE_SERVER_PORT", "9090", "STOWAGE_PUBLISH_EXCLUDE", "*.tmp,drafts/**"), Map.of());

        String yaml = c.toYaml();

        assertThat(yaml).contains("""
                server:
                  host: "127.0.0.1"                     # default
                  port: 9090
                  base_url: "http://127.0.0.1:9090/"    # default: http://HOST:PORT/
                  token: null                           # default: none, so the endpoints that change state are off
                  idle_timeout: 30s                     # default
                  max_connections: 1000                 # default
                  stop_timeout: 30s                     # default
                publish:
                  state: null                           # default: .stowage/state.db in the folder published
                  concurrency: 64                       # default
                  retries: 3                            # default
                  retry_delay: 200ms                    # default
                  retry_max_delay: 10s                  # default
                  max_delete_share: 0.5                 # default
                  exclude:
                    - "*.tmp"
                    - "drafts/**"
                  include_hidden: false                 # default
                  follow_links: false                   # default
                  manifest_key: "manifest.json"         # default
                backend: null                           # default: the folder itself, served by the app
                watch:
                  debounce: 500ms                       # default
                  rescan_interval: 5m                   # default
                logging:
                  level: "info"                         # default
                """);
        for (Setting s : Setting.values()) {
            String name = s.key.substring(s.key.indexOf('.') + 1);
            assertThat(yaml).as(s.key).containsPattern("(?m)^\\s*" + name + ":");
        }
    }

    @Test
    void toYaml_readsBackAsTheSameConfiguration() throws Exception {
        AppConfig c = load("""
                server: {host: "::", port: 81, base_url: "https://x.example.com/a%20b/", max_connections: 7}
                publish: {state: "st ate.db", exclude: ["*.tmp", "a\\"b", "c\\\\d"], max_delete_share: 0.125, follow_links: true}
                backend: "memory:"
                watch: {debounce: 1500ms, rescan_interval: 2h}
                logging: {level: off}
                """, Map.of(), Map.of());

        Path written = Files.writeString(dir.resolve("written.yaml"), c.toYaml());

        assertThat(AppConfig.load(Optional.of(written), Map.of(), Map.of())).isEqualTo(c);
    }

    @Test
    void explain_namesWhereEachValueCameFrom() throws Exception {
        Path file = yaml("server:\n  port: 9001\n  host: 0.0.0.0\n");

        String yaml = AppConfig.explain(Optional.of(file), Map.of("STOWAGE_SERVER_PORT", "9002", "STOWAGE_PUBLISH_RETRY_DELAY", "20s"),
                Map.of("logging.level", "debug"));

        assertThat(yaml)
                .contains("  host: \"0.0.0.0\"                       # from " + file + " line 3\n")
                .contains("  port: 9002                            # from STOWAGE_SERVER_PORT\n")
                .contains("  base_url: \"http://0.0.0.0:9002/\"      # default: http://HOST:PORT/\n")
                .contains("  retry_delay: 20s                      # from STOWAGE_PUBLISH_RETRY_DELAY\n")
                .contains("  retry_max_delay: 20s                  # default, raised to publish.retry_delay\n")
                .contains("  level: \"debug\"                        # from --set\n")
                .contains("  concurrency: 64                       # default\n");
    }

    @Test
    void publish_stateFile_isUnderTheRootByDefault_andRelativeToIt() {
        Path root = Path.of("/srv/site");
        AppConfig.Publish defaults = AppConfig.defaults().publish();

        assertThat(defaults.stateFile(root)).isEqualTo(Path.of("/srv/site/.stowage/state.db"));
        assertThat(withState(defaults, "state/db.sqlite").stateFile(root)).isEqualTo(Path.of("/srv/site/state/db.sqlite"));
        assertThat(withState(defaults, "/var/lib/stowage.db").stateFile(root)).isEqualTo(Path.of("/var/lib/stowage.db"));
    }

    private static AppConfig.Publish withState(AppConfig.Publish p, String state) {
        return new AppConfig.Publish(Optional.of(Path.of(state)), p.concurrency(), p.retries(), p.retryDelay(), p.retryMaxDelay(),
                p.maxDeleteShare(), p.exclude(), p.includeHidden(), p.followLinks(), p.manifestKey());
    }

    @Test
    void publish_retryPolicyAndScanOptions_carryTheSettings() throws Exception {
        AppConfig c = load("publish:\n  retries: 0\n  retry_delay: 1s\n  retry_max_delay: 4s\n  exclude: ['*.tmp']\n"
                + "  include_hidden: true\n  follow_links: true\n", Map.of(), Map.of());

        RetryPolicy policy = c.publish().retryPolicy();
        assertThat(policy.maxAttempts()).isEqualTo(1);
        assertThat(policy.initialDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.maxDelay()).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.jitter()).isEqualTo(RetryPolicy.defaults().jitter());
        assertThat(AppConfig.defaults().publish().retryPolicy().maxAttempts()).isEqualTo(RetryPolicy.defaults().maxAttempts());
        assertThat(c.publish().scanOptions().excludes()).containsExactly("*.tmp");
        assertThat(c.publish().scanOptions().includeHidden()).isTrue();
        assertThat(c.publish().scanOptions().followLinks()).isTrue();
    }

    @Test
    void records_checkTheirValuesAsLoadingDoes() {
        AppConfig.Server s = AppConfig.defaults().server();

        assertThatThrownBy(() -> new AppConfig.Server(s.host(), 65536, s.baseUrl(), s.token(), s.idleTimeout(), s.maxConnections(),
                s.stopTimeout())).isInstanceOf(IllegalArgumentException.class).hasMessage("server.port: must be 0-65535, got 65536");
        assertThatThrownBy(() -> new AppConfig.Watch(Duration.ofMinutes(11), Duration.ofMinutes(5)))
                .hasMessage("watch.debounce: must be 0s-10m, got 11m");
        assertThatThrownBy(() -> new AppConfig.Logging("loud"))
                .hasMessage("logging.level: must be one of trace, debug, info, warn, error, off, got 'loud'");
        AppConfig d = AppConfig.defaults();
        assertThatThrownBy(() -> new AppConfig(d.server(), d.publish(), Optional.of("s3://b?secret_access_key=hunter2"), d.watch(),
                d.logging())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("backend: setting 'secret_access_key' is a credential").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new AppConfig.Publish(Optional.empty(), 16, 3, Duration.ofSeconds(5), Duration.ofSeconds(1), 0.5,
                List.of(), false, false, "manifest.json"))
                .hasMessage("publish.retry_max_delay: must not be shorter than publish.retry_delay (5s), got 1s");
    }
}
