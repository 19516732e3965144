package dev.stowage.app;

/** The exit codes of the {@code stowage} command, as documented in its help. */
final class ExitCode {
    /** Everything asked was done. */
    static final int OK = 0;
    /** Some operations failed; what could be kept is kept pending for the next run. */
    static final int FAILED = 1;
    /** Bad arguments or configuration: nothing was done. */
    static final int USAGE = 2;

    private ExitCode() {
    }
}
