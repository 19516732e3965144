package dev.stowage.app.config;

import dev.stowage.StorageException;
import dev.stowage.spi.BackendUri;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Durations and flags read as backend URIs read them, so {@code 30s} or {@code yes} means the same
 * in {@code s3://bucket?socket_timeout=30s} and in the configuration: units {@code ms}, {@code s},
 * {@code m}, {@code h}; {@code true}/{@code yes}/{@code 1} and {@code false}/{@code no}/{@code 0}.
 * Stateless.
 */
final class Grammar {
    private static final String NAME = "value";

    private Grammar() {
    }

    /** The duration {@code text} says, or empty if it is not one (or too large). */
    static Optional<Duration> duration(String text) {
        try {
            return holding(text).durationSetting(NAME);
        } catch (StorageException e) {
            return Optional.empty();
        }
    }

    /** The flag {@code text} says, or empty if it is neither true nor false. */
    static Optional<Boolean> flag(String text) {
        try {
            return Optional.of(holding(text).flag(NAME, false));
        } catch (StorageException e) {
            return Optional.empty();
        }
    }

    /**
     * The shortest exact form of a duration in those units: {@code 500ms}, {@code 30s}, {@code 5m},
     * {@code 1h}; {@code 0s} for zero.
     */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    // BackendUri's readers are instance methods over a URI's settings: a URI holding one setting
    // reuses them as they are, rather than a second grammar that could drift from the first.
    private static BackendUri holding(String text) {
        return new BackendUri("config", Optional.empty(), "", Map.of(NAME, text));
    }
}
