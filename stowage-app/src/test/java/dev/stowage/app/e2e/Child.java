package dev.stowage.app.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of the built {@code stowage} jar as a process of its own, its standard output and error
 * going to files. Failures of the process (it exited, it hangs) are reported with both files in the
 * message. Every live child is killed when the test JVM exits, whatever happens to the test.
 * Thread-safe.
 */
final class Child implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final int REPORT_CHARS = 20_000;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // The last line of defence: a test JVM that ends, however, leaves no child behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Child::killTree), "e2e-children-kill"));
    }

    private final String name;
    private final List<String> command;
    private final Path stdout;
    private final Path stderr;
    private final Process process;
    private final Instant started = Instant.now();
    private volatile Instant ended;

    private Child(String name, List<String> command, Path stdout, Path stderr, Process process) {
        this.name = name;
        this.command = List.copyOf(command);
        this.stdout = stdout;
        this.stderr = stderr;
        this.process = process;
    }

    /** Starts {@code builder}'s command, its output to {@code stdout} and {@code stderr}. */
    static Child start(String name, ProcessBuilder builder, Path stdout, Path stderr) {
        builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        try {
            Process process = builder.start();
            LIVE.add(process);
            Child child = new Child(name, builder.command(), stdout, stderr, process);
            process.onExit().thenRun(() -> {
                child.ended = Instant.now();
                LIVE.remove(process);
            });
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Everything written to standard output so far, as UTF-8. */
    String stdout() {
        return read(stdout);
    }

    /** Everything written to standard error so far, as UTF-8. */
    String stderr() {
        return read(stderr);
    }

    /** The non-empty lines of standard error. */
    List<String> stderrLines() {
        return stderr().lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * Waits for a line of standard output that {@code pattern} matches in full; fails, with the
     * output, when the process exits first or {@code limit} passes.
     */
    Matcher awaitLine(Pattern pattern, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            // Read the exit state before the output, so the last output of a process that ended is seen.
            boolean exited = !process.isAlive();
            Optional<Matcher> found = stdout().lines().map(pattern::matcher).filter(Matcher::matches).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (exited) {
                throw new AssertionError("exited with " + process.exitValue() + " before printing a line matching "
                        + pattern + "\n" + report());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no line matching " + pattern + " within " + limit + "\n" + report());
            }
            pause();
        }
    }

    /** Waits for the process to exit and returns its exit code; fails, with the output, after {@code limit}. */
    int awaitExit(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + limit + "\n" + report());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
        return process.exitValue();
    }

    /** The exit code of a process that ended. */
    int exitCode() {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        return process.exitValue();
    }

    /** Asks the process to stop: SIGTERM on Linux and macOS, as a service manager does. */
    void terminate() {
        process.destroy();
    }

    /** Stops the process if it still runs: SIGTERM, then after 10 s SIGKILL for it and anything it started. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                process.waitFor(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killTree(process);
    }

    /** One line: the name, how it ended and how long it ran. */
    String summary() {
        Instant end = ended;
        Duration ran = Duration.between(started, process.isAlive() || end == null ? Instant.now() : end);
        return name + " (pid " + process.pid() + ", " + (process.isAlive() ? "running" : "exit code " + process.exitValue())
                + ", " + ran.toMillis() + " ms)";
    }

    /** The command, how it ended, where its output is and the output itself (the end of it, if long). */
    String report() {
        return "--- " + summary() + ", started " + started + "\n"
                + "command: " + String.join(" ", command) + "\n"
                + "--- stdout (" + stdout + "):\n" + tail(stdout()) + "\n"
                + "--- stderr (" + stderr + "):\n" + tail(stderr()) + "\n"
                + "--- end of " + name;
    }

    @Override
    public String toString() {
        return "Child[" + name + ", pid " + process.pid() + "]";
    }

    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String tail(String text) {
        return text.length() <= REPORT_CHARS ? text : "[...]" + text.substring(text.length() - REPORT_CHARS);
    }

    private static String read(Path file) {
        try {
            // Leniently: a child in a non-UTF-8 locale may write other bytes.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
