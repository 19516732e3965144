package dev.stowage.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether standard error is a terminal, where a progress bar can redraw its line. */
final class Terminal {
    private Terminal() {
    }

    /**
     * True when the JVM's standard error is a terminal: on Linux, when file descriptor 2 is a
     * terminal device; elsewhere, when the JVM has a console (standard input and output are
     * terminals), the nearest Java 17 tells.
     */
    static boolean isStandardError() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd)) {
            try {
                return isTerminalDevice(Files.readSymbolicLink(fd).toString());
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // Fall back below.
            }
        }
        return System.console() != null;
    }

    /** Whether a device path names a terminal: {@code /dev/pts/3}, {@code /dev/tty1}, {@code /dev/console}. */
    static boolean isTerminalDevice(String path) {
        return path.startsWith("/dev/pts/") || path.startsWith("/dev/tty") || path.equals("/dev/console");
    }
}
