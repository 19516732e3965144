package dev.stowage.app.config;

import java.nio.file.Path;

/**
 * Where a value came from, as error messages and {@link AppConfig#explain} name it:
 * {@code default}, {@code stowage.yaml line 3}, {@code STOWAGE_SERVER_PORT} or {@code --set}.
 * Immutable.
 */
record Source(Kind kind, String name) {
    /** The layers, weakest first: a later one overrides an earlier one. */
    enum Kind { DEFAULT, FILE, ENVIRONMENT, OVERRIDE }

    static final Source DEFAULT = new Source(Kind.DEFAULT, "default");
    static final Source OVERRIDE = new Source(Kind.OVERRIDE, "--set");

    static Source file(Path file, int line) {
        return new Source(Kind.FILE, file + " line " + line);
    }

    static Source environment(String variable) {
        return new Source(Kind.ENVIRONMENT, variable);
    }

    @Override
    public String toString() {
        return name;
    }
}
