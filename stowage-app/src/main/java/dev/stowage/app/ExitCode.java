package dev.stowage.app;

/** The exit codes of the {@code stowage} command, as documented in its help. */
final class ExitCode {
    /** Everything asked was done. */
    static final int OK = 0;
    /** Some operations failed; what could be kept is kept pending for the next run. */
    static final int FAILED = 1;
    /** Bad arguments or configuration: nothing was done. */
    static final int USAGE = 2;

    /** The help's line for 0, for the commands that do one operation. */
    static final String DONE = "0:done";
    /** The help's line for 1, for the commands that do one operation. */
    static final String OPERATION_FAILED = "1:the backend could not do it (the error says why)";
    /** The help's line for 2. */
    static final String BAD_USAGE = "2:bad arguments or configuration (a key that breaks the key rules too); nothing was done";

    private ExitCode() {
    }
}
