package dev.stowage.app.config;

import java.nio.file.Path;

/**
 * Where a value came from, as error messages and {@link AppConfig#explain} name it:
 * {@code default}, {@code stowage.yaml line 3}, {@code STOWAGE_SERVER_PORT}, {@code --set}, or a
 * command's own option such as {@code --port}. Immutable.
 */
record Source(Kind kind, String name) {
    /** The layers, weakest first: a later one overrides an earlier one. */
    enum Kind { DEFAULT, FILE, ENVIRONMENT, OVERRIDE, OPTION }

    static final Source DEFAULT = new Source(Kind.DEFAULT, "default");
    static final Source OVERRIDE = new Source(Kind.OVERRIDE, "--set");

    static Source file(Path file, int line) {
        return new Source(Kind.FILE, file + " line " + line);
    }

    static Source environment(String variable) {
        return new Source(Kind.ENVIRONMENT, variable);
    }

    /** A command's option or parameter: {@code --port}, {@code BACKEND-URI}. */
    static Source option(String name) {
        return new Source(Kind.OPTION, name);
    }

    @Override
    public String toString() {
        return name;
    }
}
