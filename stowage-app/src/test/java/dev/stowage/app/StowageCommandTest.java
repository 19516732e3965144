package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code stowage} command run in this JVM, on a folder backend: what each command prints and returns. */
class StowageCommandTest {
    @TempDir
    Path dir;
    Path site;
    Path target;
    String backend;
    final Map<String, String> env = new HashMap<>();
    Ran last;

    @BeforeEach
    void folders() throws IOException {
        site = Files.createDirectories(dir.resolve("site"));
        target = Files.createDirectories(dir.resolve("target"));
        Files.writeString(site.resolve("index.html"), "<h1>hi</h1>");
        Files.createDirectories(site.resolve("img"));
        Files.writeString(site.resolve("img/a b.svg"), "<svg/>");
        backend = target.toUri() + "?base_url=https://files.example.com/&owns_files=true";
    }

    private int run(String... args) {
        last = Ran.of(env, args);
        return last.code();
    }

    private String out() {
        return last.out();
    }

    private String err() {
        return last.err();
    }

    @Test
    void help_listsEveryCommand_andTheExitCodes() {

        assertThat(run("--help")).isZero();

        assertThat(out()).contains("serve", "sync", "verify", "upload", "delete", "url", "stat", "ls", "config",
                "doctor", "generate-completion", "Exit codes:", "2   bad arguments or configuration");
    }

    @Test
    void sync_publishesTheFolder_thenHasNothingToDo_andVerifyFindsItClean() {
        assertThat(run("sync", site.toString(), backend)).as(err()).isZero();
        assertThat(out()).contains("2 files: 2 uploaded");
        assertThat(target.resolve("img/a b.svg")).hasContent("<svg/>");
        assertThat(target.resolve("manifest.json")).exists();

        assertThat(run("sync", site.toString(), backend, "--json")).isZero();
        JsonNode summary = json(out());
        assertThat(summary.get("complete").asBoolean()).isTrue();
        assertThat(summary.get("uploaded").asLong()).isZero();

        assertThat(run("verify", site.toString(), backend)).as(out() + err()).isZero();
        assertThat(out()).contains("clean");
    }

    @Test
    void syncDryRun_printsThePlan_andSendsNothing() {
        assertThat(run("sync", site.toString(), backend, "--dry-run", "--json")).isZero();

        JsonNode plan = json(out());
        assertThat(plan.get("uploads")).hasSize(2);
        assertThat(target.resolve("index.html")).doesNotExist();
    }

    @Test
    void theShellCommands_uploadUrlStatLsDelete() throws IOException {
        Path file = Files.writeString(dir.resolve("report.pdf"), "%PDF");

        assertThat(run("upload", file.toString(), "docs/Q3 report.pdf", "--backend", backend)).as(err()).isZero();
        assertThat(out().trim()).isEqualTo("https://files.example.com/docs/Q3%20report.pdf");

        assertThat(run("url", "a b.txt", "--backend", backend)).isZero();
        assertThat(out().trim()).isEqualTo("https://files.example.com/a%20b.txt");

        assertThat(run("stat", "docs/Q3 report.pdf", "--backend", backend, "--json")).isZero();
        assertThat(json(out()).get("size").asLong()).isEqualTo(4);

        assertThat(run("ls", "docs/", "--backend", backend)).isZero();
        assertThat(out()).contains("docs/Q3 report.pdf");
        assertThat(err()).contains("1 object");

        assertThat(run("delete", "docs/Q3 report.pdf", "--backend", backend)).isZero();
        assertThat(run("stat", "docs/Q3 report.pdf", "--backend", backend)).isEqualTo(1);
        assertThat(err()).contains("not found: docs/Q3 report.pdf");
    }

    @Test
    void badArguments_andBadConfiguration_exitTwo_withOneLine() {
        assertThat(run("sync")).isEqualTo(2);
        assertThat(err()).startsWith("error: Missing required parameter").hasLineCount(1);

        assertThat(run("sync", dir.resolve("nope").toString(), backend)).isEqualTo(2);
        assertThat(err()).startsWith("error: not a folder: ").hasLineCount(1);

        env.put("STOWAGE_PUBLISH_CONCURRENCY", "lots");
        assertThat(run("sync", site.toString(), backend)).isEqualTo(2);
        assertThat(err()).contains("publish.concurrency").contains("STOWAGE_PUBLISH_CONCURRENCY").hasLineCount(1);
        env.remove("STOWAGE_PUBLISH_CONCURRENCY");

        assertThat(run("ls")).isEqualTo(2);
        assertThat(err()).contains("no backend: give --backend URI").hasLineCount(1);

        assertThat(run("ls", "--backend", "nosuch://x")).isEqualTo(2);
        assertThat(err()).hasLineCount(1);
    }

    @ParameterizedTest(name = "serve {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            --port     | 99999          | server.port: must be 0-65535, got 99999 (from --port)
            --host     | not a host!    | server.host: must be a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1, got 'not a host!' (from --host)
            --base-url | ftp://x/       | server.base_url: must be an http or https URL such as https://files.example.com/, got 'ftp://x/' (from --base-url)
            --backend  | nosuch://x     | backend: no backend for scheme 'nosuch:'; known schemes are file, memory, s3 (from --backend)
            """)
    void serve_aBadOptionValue_isNamedByItsOption_notAsASet(String option, String value, String expected) {
        assertThat(run("serve", site.toString(), option, value)).isEqualTo(2);

        assertThat(err()).hasLineCount(1);
        assertThat(err().strip()).isEqualTo("error: " + expected);
    }

    @Test
    void serve_aBadSet_isStillNamedAsASet_whenAnOptionOverridesIt() {
        assertThat(run("serve", site.toString(), "--port", "0", "--set", "server.port=99999")).isEqualTo(2);

        assertThat(err()).hasLineCount(1).contains("server.port: must be 0-65535, got 99999 (from --set)");
    }

    @Test
    void aBadBackendUri_givenAsAParameterOrOption_isNamedByIt() {
        assertThat(run("sync", site.toString(), "nosuch://x")).isEqualTo(2);
        assertThat(err()).hasLineCount(1)
                .contains("backend: no backend for scheme 'nosuch:'; known schemes are file, memory, s3 (from BACKEND-URI)");

        assertThat(run("verify", site.toString(), "s3://AKIDEXAMPLE:hunter2hunter2@media")).isEqualTo(2);
        assertThat(err()).hasLineCount(1).doesNotContain("hunter2");
        assertThat(err().strip()).startsWith("error: backend: must not carry user information").endsWith("(from BACKEND-URI)");

        assertThat(run("ls", "--backend", "memory:?retries=99")).isEqualTo(2);
        assertThat(err()).hasLineCount(1).contains("backend: setting 'retries' must be from 0 to 20, not 99").contains("(from --backend)");
    }

    @Test
    void config_printsTheEffectiveSettings_withTheTokenHidden() {
        env.put("STOWAGE_SERVER_TOKEN", "a-very-secret-token-123");

        assertThat(run("config")).isZero();

        assertThat(out()).contains("server:", "port: 8080", "STOWAGE_SERVER_TOKEN").contains("****")
                .doesNotContain("a-very-secret-token-123");
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "=x|got nothing before '='", "server.port|got 'server.port' with no '='",
            "a-secret value|got no '='"})
    void set_notKeyEqualsValue_exits2_withOneLineThatNeverShowsTheValue(String set, String said) {
        assertThat(run("--set", set, "config")).isEqualTo(2);

        assertThat(err()).isEqualTo("error: --set takes KEY=VALUE, such as --set server.port=9090; " + said + System.lineSeparator());
        assertThat(out()).isEmpty();
        assertThat(err()).doesNotContain("a-secret");
    }

    /** The completion script, sourced in bash, completes the commands' names. */
    @Test
    void generateCompletion_printsABashScript_thatCompletesTheCommands() throws Exception {
        assertThat(run("generate-completion")).isZero();
        Path script = Files.writeString(dir.resolve("stowage-completion.bash"), out());
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash");

        Process bash = new ProcessBuilder("/bin/bash", "-c", "source \"$1\"; COMP_WORDS=(stowage sy); COMP_CWORD=1;"
                + " COMP_LINE='stowage sy'; COMP_POINT=10; _complete_stowage stowage sy stowage; echo \"${COMPREPLY[*]}\"",
                "bash", script.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start(); // compopt says it runs outside a completion
        String completed = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();

        assertThat(bash.waitFor()).as(completed).isZero();
        assertThat(completed).isEqualTo("sync");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"url|a\\b", "stat|/abs.txt", "delete|a//b"})
    void aKeyThatBreaksTheKeyRules_isABadArgument_exit2(String command, String key) {
        assertThat(run(command, key, "--backend", "memory:")).isEqualTo(2);

        assertThat(err()).startsWith("error: ").contains("INVALID_KEY");
        assertThat(err().lines()).hasSize(1);
    }

    @Test
    void sync_aBackendThatCannotOpen_namesTheUriAsWritten() {
        assertThat(run("sync", site.toString(), "s3://b?preset=nope")).isEqualTo(2);

        assertThat(err()).contains("unknown preset 'nope'", "(in s3://b?preset=nope)").doesNotContain("retries");
    }

    @Test
    void syncJson_aRunRefusedAsAWhole_stillAnswersInJson_exit1() throws IOException {
        assertThat(run("sync", site.toString(), backend)).as(err()).isZero();
        Files.delete(site.resolve("index.html"));
        Files.delete(site.resolve("img/a b.svg"));

        assertThat(run("sync", site.toString(), backend, "--json")).isEqualTo(1);

        JsonNode refused = json(out());
        assertThat(refused.get("complete").asBoolean()).isFalse();
        assertThat(refused.get("error").asText()).isEqualTo("CONFLICT");
        assertThat(refused.get("message").asText()).contains("would delete 2 of 2");
        assertThat(err()).startsWith("error: ");
        assertThat(target.resolve("index.html")).as("nothing deleted").exists();
    }
}
