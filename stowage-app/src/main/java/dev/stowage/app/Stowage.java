package dev.stowage.app;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import dev.stowage.app.config.AppConfig;
import dev.stowage.app.config.CommandOptions;
import dev.stowage.app.config.ConfigException;
import dev.stowage.s3.S3Backend;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code stowage} command: keeps a folder published, serves it, and drives a backend from the
 * shell. Exit codes: 0 everything done, 1 some operations failed (kept pending), 2 bad arguments
 * or configuration.
 */
@Command(name = "stowage", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Version.class,
        description = "Keeps a folder published, on the local disk behind an HTTP server or in an S3-compatible bucket.",
        subcommands = {ServeCommand.class, SyncCommand.class, VerifyCommand.class, UploadCommand.class,
                DeleteCommand.class, UrlCommand.class, StatCommand.class, LsCommand.class,
                ConfigCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class, picocli.AutoComplete.GenerateCompletion.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:everything asked was done", "1:some of it failed (sync and serve keep what failed pending for the next run)",
                "2:bad arguments or configuration; nothing was done"},
        footer = {"", "Configuration: stowage.yaml in the working folder (or --config FILE).",
                "An environment variable STOWAGE_<KEY> overrides a key, and --set KEY=VALUE",
                "overrides both. See docs/configuration.md."})
public final class Stowage {
    /** How long the process waits, at most, for the S3 client's native threads as it ends. */
    private static final Duration NATIVE_THREADS_WAIT = Duration.ofSeconds(2);

    @Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "The configuration file (default: $STOWAGE_CONFIG, else stowage.yaml in the working folder, if there is one).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", scope = CommandLine.ScopeType.INHERIT,
            description = "Sets one configuration key, over the file and the environment: --set server.port=9090")
    List<String> sets = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Prints the full cause of an error, and the engine's log.")
    boolean verbose;

    private Stowage() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err, System.getenv());
        if (ArchiveTraining.asked()) {
            ArchiveTraining.run();
        }
        // Every backend is closed by now: the process ends as soon as the S3 client's native threads
        // have, instead of the second the CRT otherwise waits for them at exit.
        try {
            S3Backend.awaitNativeThreadsEnded(NATIVE_THREADS_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.exit(code);
    }

    /** Runs the command with {@code args}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        // Before any class makes a logger: loading the configuration may already load the backends.
        java.util.List<String> words = java.util.Arrays.asList(args);
        if (!words.contains("serve")) {
            logAt(words.contains("-v") || words.contains("--verbose") ? "info" : "warn", false);
        }
        Stowage top = new Stowage();
        CommandLine line = new CommandLine(top);
        line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        top.environment = environment;
        // The bar is drawn on standard error: only that of the process, and only when a terminal.
        top.progressOnTerminal = err == System.err && Terminal.isStandardError();
        line.setParameterExceptionHandler((e, arguments) -> {
            CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
            e.getCommandLine().getErr().println("error: " + oneLine(e.getMessage()) + " (see: "
                    + spec.qualifiedName() + " --help)");
            return ExitCode.USAGE;
        });
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable cause = unwrap(e);
            cmd.getErr().println("error: " + describe(cause));
            if (top.verbose) {
                cause.printStackTrace(cmd.getErr());
            }
            return isUsage(cause) ? ExitCode.USAGE : ExitCode.FAILED;
        });
        return line.execute(args);
    }

    private Map<String, String> environment = Map.of();

    /**
     * The {@code --set KEY=VALUE} given, in order, split at the first '='. One that is not of that
     * form is a usage error naming it, its value never shown (it may be a secret).
     */
    private Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                String given = eq == 0 ? "nothing before '='" : set.matches("[A-Za-z0-9_.-]{1,64}") ? "'" + set + "' with no '='" : "no '='";
                throw new IllegalArgumentException("--set takes KEY=VALUE, such as --set server.port=9090; got " + given);
            }
            overrides.put(set.substring(0, eq), set.substring(eq + 1));
        }
        return overrides;
    }
    private boolean progressOnTerminal;

    /** Whether standard error is a terminal, where progress is drawn as a bar redrawn in place. */
    boolean progressOnTerminal() {
        return progressOnTerminal;
    }

    /** The configuration file given ({@code --config}, else {@code STOWAGE_CONFIG}), or {@code ./stowage.yaml} when it exists. */
    Optional<Path> configFile() {
        if (config != null) {
            return Optional.of(config);
        }
        String fromEnvironment = environment.get("STOWAGE_CONFIG");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(Path.of(fromEnvironment));
        }
        Path local = Path.of("stowage.yaml");
        return java.nio.file.Files.isRegularFile(local) ? Optional.of(local) : Optional.empty();
    }

    Map<String, String> environment() {
        return environment;
    }

    /** The effective configuration as YAML, each key with where its value came from; secrets hidden. */
    String explain() throws ConfigException {
        return AppConfig.explain(configFile(), environment, overrides());
    }

    /**
     * The effective configuration of a one-shot command: defaults, the file, the environment,
     * {@code --set}, then the command's own {@code options}. Logs only warnings, unless
     * {@code --verbose}: the command prints its own summary.
     */
    AppConfig config(CommandOptions options) throws ConfigException {
        AppConfig config = load(options);
        logAt(verbose ? config.logging().level() : "warn", false);
        return config;
    }

    /** The effective configuration of {@code serve}, a service: it logs at {@code logging.level}, with times. */
    AppConfig serviceConfig(CommandOptions options) throws ConfigException {
        AppConfig config = load(options);
        logAt(config.logging().level(), true);
        return config;
    }

    private AppConfig load(CommandOptions options) throws ConfigException {
        // Every value given is checked, also a --set that a command's own option (--port) overrides;
        // a wrong one is named by where it came from: the file's line, the variable, --set or --port.
        return AppConfig.load(configFile(), environment, overrides(), options);
    }

    /**
     * Sets the log level before the first logger is made (the engine's classes load after this),
     * unless the JVM was given one.
     */
    private static void logAt(String level, boolean withTimes) {
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
        if (level.equals("info")) {
            // Jetty's own start and stop lines say what the app's lines say already, with its internals.
            System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        }
        if (withTimes) {
            System.getProperties().putIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
            System.getProperties().putIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isUsage(Throwable e) {
        return e instanceof ConfigException || e instanceof IllegalArgumentException
                || (e instanceof StorageException se && (se.kind() == ErrorKind.INVALID_CONFIG || se.kind() == ErrorKind.INVALID_KEY));
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return oneLine(message);
    }

    static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
