package dev.stowage.app.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A configuration that cannot be used, said in one line that names the setting (or the file) and
 * where the value came from:
 * {@code server.port: must be 0-65535, got 99999 (from STOWAGE_SERVER_PORT)}.
 *
 * <p>The message never holds a secret: the value of {@code server.token}, and anything that looks
 * like a credential, is left out. It carries no cause, since the parser's own exceptions quote the
 * lines around the fault, secrets included. Immutable.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String source;

    /**
     * @param setting the dotted key or environment variable at fault, or {@code config file PATH}
     *                with the line and column where the file itself is at fault
     * @param problem what is wrong, one line, without the value if it may be secret
     * @param source  where the value came from ({@code STOWAGE_SERVER_PORT}, {@code stowage.yaml line 3},
     *                {@code --set}, a command's option such as {@code --port}), or {@code null} when the
     *                setting already says it
     */
    ConfigException(String setting, String problem, String source) {
        super(setting + ": " + problem + (source == null ? "" : " (from " + source + ")"));
        this.setting = Objects.requireNonNull(setting, "setting");
        this.source = source;
    }

    /**
     * What the message is about: a dotted key ({@code server.port}), a variable
     * ({@code STOWAGE_SEVER_PORT}), or the file ({@code config file stowage.yaml line 3 column 8}).
     */
    public String setting() {
        return setting;
    }

    /** Where the faulty value came from: a file and line, an environment variable, {@code --set} or a command's option. */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }
}
