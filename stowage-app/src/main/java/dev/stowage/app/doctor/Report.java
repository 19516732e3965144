package dev.stowage.app.doctor;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Doctor} found: each check in the order run, and the settings it suggests. Immutable.
 *
 * @param backend   the backend URI as parsed, secrets hidden; empty if it could not be parsed
 * @param checks    every check, in order
 * @param suggested the preset and settings that fit what was seen
 * @param verdict   the run as a whole
 */
public record Report(Optional<String> backend, List<Check> checks, Suggestion suggested, Verdict verdict) {
    /** The run as a whole. */
    public enum Verdict {
        /** Every check that matters passed; some may warn or be skipped. */
        PASSED,
        /** Some check failed. */
        FAILED,
        /** The URI or the configuration is wrong: the backend could not be opened, or the store refuses its settings. */
        BAD_CONFIGURATION
    }

    public Report {
        Objects.requireNonNull(backend, "backend");
        checks = List.copyOf(checks);
        Objects.requireNonNull(suggested, "suggested");
        Objects.requireNonNull(verdict, "verdict");
    }

    /** How many checks ended with this status. */
    public long count(Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    /** The check of this name, if it ran. */
    public Optional<Check> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** One line: how many checks passed, warned, failed and were skipped. */
    public String summary() {
        long warnings = count(Status.WARN);
        return count(Status.OK) + " ok, " + warnings + (warnings == 1 ? " warning, " : " warnings, ")
                + count(Status.FAIL) + " failed, " + count(Status.SKIP) + " skipped";
    }
}
