package dev.stowage.app.doctor;

/**
 * Where the doctor puts the clean-up that must run if the JVM stops mid-run (Ctrl-C, SIGTERM):
 * the runtime's shutdown hooks, which run on threads of their own while the checks may still be
 * running.
 */
interface ExitHooks {
    /** Runs {@code hook} when the JVM stops. */
    void add(Thread hook);

    /** Takes {@code hook} back; does nothing once the JVM is stopping, when the hook runs anyway. */
    void remove(Thread hook);

    /** The JVM's shutdown hooks. */
    static ExitHooks runtime() {
        return new ExitHooks() {
            @Override
            public void add(Thread hook) {
                Runtime.getRuntime().addShutdownHook(hook);
            }

            @Override
            public void remove(Thread hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // The JVM is stopping: the hook runs, and finds the probe objects removed.
                }
            }
        };
    }
}
