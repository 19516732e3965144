package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TerminalTest {
    @ParameterizedTest
    @CsvSource({"/dev/pts/3, true", "/dev/tty1, true", "/dev/console, true", "/dev/null, false",
            "pipe:[123456], false", "/home/me/sync.log, false", "socket:[42], false"})
    void aTerminalDevice_isToldFromFilesPipesAndSockets(String target, boolean terminal) {
        assertThat(Terminal.isTerminalDevice(target)).isEqualTo(terminal);
    }
}
