package dev.stowage.app.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The options of a command that set a configuration key, each with the name it was given by:
 * {@code serve --port 9090} sets {@code server.port}, {@code sync DIR BACKEND-URI} sets
 * {@code backend}. They are the strongest layer, above {@code --set}, and a value that is wrong
 * is reported as coming from its option: {@code server.port: must be 0-65535, got 99999 (from --port)}.
 *
 * <pre>{@code
 * CommandOptions options = CommandOptions.none()
 *         .with("--port", "server.port", port)         // a null value (the option not given) adds nothing
 *         .with("--backend", "backend", backend);
 * AppConfig config = AppConfig.load(file, System.getenv(), overrides, options);
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #toString()} names the options, never their values.
 */
public final class CommandOptions {
    private static final CommandOptions NONE = new CommandOptions(List.of());

    /** One value, the setting it is for, and the option (or parameter) that gave it. */
    record Option(String name, Setting setting, String value) {
    }

    private final List<Option> options;

    private CommandOptions(List<Option> options) {
        this.options = List.copyOf(options);
    }

    /** No options: the configuration as the file, the environment and {@code --set} make it. */
    public static CommandOptions none() {
        return NONE;
    }

    /**
     * These options and one more; the same unless {@code value} is given.
     *
     * @param option the option as the user wrote it ({@code --port}) or a parameter's label ({@code BACKEND-URI})
     * @param key    the dotted key it sets, e.g. {@code server.port}
     * @param value  the value, as text by {@code toString()}; {@code null} when the option was not given
     * @throws IllegalArgumentException if {@code key} is no setting
     */
    public CommandOptions with(String option, String key, Object value) {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(key, "key");
        Setting setting = Setting.byKey(key).orElseThrow(() -> new IllegalArgumentException("key is no setting: " + key));
        if (value == null) {
            return this;
        }
        List<Option> more = new ArrayList<>(options);
        more.add(new Option(option, setting, value.toString()));
        return new CommandOptions(more);
    }

    /** The options given, in the order added. */
    List<Option> options() {
        return options;
    }

    @Override
    public String toString() {
        return options.stream().map(Option::name).collect(Collectors.joining(", ", "CommandOptions[", "]"));
    }
}
