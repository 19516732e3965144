package dev.stowage.app.config;

/**
 * What is wrong with one value, before the setting and source are known: the text that follows
 * {@code key:} in a {@link ConfigException}. Checked, so no path forgets to name the source.
 */
final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String problem) {
        super(problem, null, false, false);
    }
}
