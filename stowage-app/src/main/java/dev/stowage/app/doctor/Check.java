package dev.stowage.app.doctor;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one check: its name, how it ended, what was seen, and what to do about it.
 * Immutable.
 *
 * @param name   the check, e.g. {@code upload}
 * @param status how it ended
 * @param detail what was seen, on one line; for a skipped check, why it was skipped
 * @param advice what to do, for a check that failed or warns; empty otherwise
 */
public record Check(String name, Status status, String detail, Optional<String> advice) {
    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(advice, "advice");
        detail = oneLine(detail);
        advice = advice.map(Check::oneLine);
    }

    static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, Optional.empty());
    }

    static Check warn(String name, String detail, String advice) {
        return new Check(name, Status.WARN, detail, Optional.of(advice));
    }

    static Check fail(String name, String detail, String advice) {
        return new Check(name, Status.FAIL, detail, Optional.of(advice));
    }

    static Check skip(String name, String why) {
        return new Check(name, Status.SKIP, why, Optional.empty());
    }

    /** The check as one line: {@code ok   upload: ...}, {@code FAIL access: ... — what to do}. */
    public String line() {
        return String.format("%-4s %s: %s", status.label(), name, detail) + advice.map(a -> " — " + a).orElse("");
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
