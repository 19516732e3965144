package dev.stowage.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A configuration the app cannot run with stops it before any work: exit code 2, nothing on
 * standard output, and exactly one line on standard error that names the setting (or the folder)
 * and where the value came from. The built jar, in a process of its own each time.
 */
class BadConfigIT {
    private static final List<String> PORT_FROM_SET = List.of("server.port: ", "got 99999", "(from --set)");
    private static final List<String> UNKNOWN_KEY_IN_YAML = List.of("server.prot: unknown setting", "YAML line 3)");

    @RegisterExtension
    static final Children children = new Children();

    @TempDir
    static Path dir;
    static Path folder;
    static Path badYaml;

    @BeforeAll
    static void files() throws IOException {
        folder = Files.createDirectories(dir.resolve("site"));
        Files.writeString(folder.resolve("index.html"), "<!doctype html>\n");
        badYaml = Files.writeString(dir.resolve("stowage.yaml"), "server:\n  port: 0\n  prot: 8080\n");
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                Arguments.of("a port out of range, from --set", Map.of(),
                        List.of("--set", "server.port=99999", "serve", "FOLDER"), PORT_FROM_SET),
                Arguments.of("a port out of range, from --port", Map.of(),
                        List.of("serve", "FOLDER", "--port", "99999"), List.of("server.port: ", "got 99999", "(from --port)")),
                Arguments.of("no uploads at once, from the environment", Map.of("STOWAGE_PUBLISH_CONCURRENCY", "0"),
                        List.of("serve", "FOLDER", "--port", "0"),
                        List.of("publish.concurrency: ", "got 0", "(from STOWAGE_PUBLISH_CONCURRENCY)")),
                Arguments.of("an unknown key in the YAML file", Map.of(),
                        List.of("--config", "YAML", "serve", "FOLDER", "--port", "0"), UNKNOWN_KEY_IN_YAML),
                Arguments.of("a folder that does not exist", Map.of(),
                        List.of("serve", "FOLDER/missing", "--port", "0"), List.of("not a folder: FOLDER/missing")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void badConfiguration_exits2_withOneLineNamingIt(String name, Map<String, String> environment, List<String> args,
                                                     List<String> named) {
        Children.Command command = children.command(args.stream().map(BadConfigIT::paths).toArray());
        environment.forEach(command::env);

        Child child = command.run();

        assertThat(child.exitCode()).as(child.report()).isEqualTo(2);
        assertThat(child.stdout()).as(child.report()).isEmpty();
        assertThat(child.stderrLines()).as(child.report()).singleElement()
                .satisfies(line -> assertThat(line).startsWith("error: ").contains(named.stream().map(BadConfigIT::paths).toList()));
    }

    /**
     * The options of the configuration where docs/configuration.md writes them, after the command:
     * {@code stowage serve /srv/site --config /etc/stowage/stowage.yaml},
     * {@code stowage sync /srv/site --config stowage.yaml}, and {@code --set} as the server's own
     * settings are given.
     */
    static Stream<Arguments> optionsAfterTheCommand() {
        return Stream.of(
                Arguments.of("serve DIR --config FILE", List.of("serve", "FOLDER", "--config", "YAML"), UNKNOWN_KEY_IN_YAML),
                Arguments.of("sync DIR URI --config FILE", List.of("sync", "FOLDER", "memory:", "--config", "YAML"), UNKNOWN_KEY_IN_YAML),
                Arguments.of("serve DIR --set KEY=VALUE", List.of("serve", "FOLDER", "--port", "0", "--set", "server.port=99999"),
                        PORT_FROM_SET));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optionsAfterTheCommand")
    void configurationOptions_afterTheCommand_asTheDocsWriteThem_areRead(String name, List<String> args, List<String> named) {
        badConfiguration_exits2_withOneLineNamingIt(name, Map.of(), args, named);
    }

    @Test
    void help_exits0_andListsTheCommands() {
        Child help = children.command("--help").run();

        assertThat(help.exitCode()).as(help.report()).isZero();
        assertThat(help.stderr()).isEmpty();
        assertThat(help.stdout()).startsWith("Usage: stowage")
                .contains("serve", "sync", "verify", "upload", "delete", "config")
                .contains("Exit codes:");
    }

    private static String paths(String arg) {
        return arg.replace("FOLDER", folder.toString()).replace("YAML", badYaml.toString());
    }
}
