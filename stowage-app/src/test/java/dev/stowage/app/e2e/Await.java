package dev.stowage.app.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Polls until a condition holds, with a deadline; no fixed sleeps. */
final class Await {
    private static final Duration POLL = Duration.ofMillis(100);

    private Await() {
    }

    /**
     * Calls {@code probe} until {@code done} accepts its value and returns that value; fails after
     * {@code limit}, naming {@code what} and the last value or exception seen. An exception from the
     * probe counts as "not yet".
     */
    static <T> T until(Duration limit, String what, Callable<T> probe, Predicate<? super T> done) {
        Instant deadline = Instant.now().plus(limit);
        Object last = "nothing yet";
        while (true) {
            try {
                T value = probe.call();
                if (done.test(value)) {
                    return value;
                }
                last = value;
            } catch (Exception e) {
                last = e;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + limit + ": " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted awaiting " + what, e);
            }
        }
    }
}
