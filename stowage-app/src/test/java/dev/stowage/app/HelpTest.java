package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --help} on every command: it works, fits 80 columns, and breaks lines only between words. */
class HelpTest {
    /** A line that ends inside a word: after a '.', '/', '?', '&' or '=' with the word going on below. */
    private static final Pattern BROKEN_END = Pattern.compile(".*(\\S[./?&=]| \\.)$");
    /** A line that goes on with a word: not the start of a command's entry in the list of commands. */
    private static final Pattern GOES_ON = Pattern.compile("(?!  [a-z][a-z-]* {2,})\\s*[a-z0-9/].*");

    private static String help(String... args) {
        Ran ran = Ran.of(Map.of(), args);
        assertThat(ran.code()).as("exit code of %s", List.of(args)).isZero();
        assertThat(ran.err()).isEmpty();
        return ran.out();
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "sync", "verify", "upload", "delete", "url", "stat", "ls", "config", "doctor",
            "generate-completion"})
    void help_onEveryCommand_exits0_withItsUsage_exitCodes_andTidyLines(String command) {
        String text = help(command, "--help");

        assertThat(text).startsWith("Usage: stowage " + command + " ").contains("Exit codes:", "  2   ");
        assertTidy(text);
        assertThat(help("help", command)).as("stowage help " + command).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void help_onTheCommandItself_listsEveryCommandOnALineOfItsOwn(String option) {
        String text = help(option);

        assertTidy(text);
        for (String command : List.of("serve", "sync", "verify", "upload", "delete", "url", "stat", "ls", "config",
                "doctor", "generate-completion")) {
            assertThat(text).containsPattern("(?m)^  " + Pattern.quote(command) + " +[A-Z]");
        }
    }

    private static void assertTidy(String text) {
        List<String> lines = text.lines().toList();
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i).length()).as("the length of: %s", lines.get(i)).isLessThanOrEqualTo(80);
            if (i + 1 < lines.size() && BROKEN_END.matcher(lines.get(i)).matches()
                    && GOES_ON.matcher(lines.get(i + 1)).matches()) {
                broken.add(lines.get(i).strip() + " / " + lines.get(i + 1).strip());
            }
        }
        assertThat(broken).as("lines broken inside a word").isEmpty();
    }
}
