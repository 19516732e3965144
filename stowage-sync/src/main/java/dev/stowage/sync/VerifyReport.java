package dev.stowage.sync;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a verify found, and what its repair did.
 *
 * @param listed        objects the target listed under its prefix
 * @param published     files the state records as published
 * @param differences   the first differences found, in key order (at most {@value #MAX_LISTED})
 * @param counts        how many differences of each kind there were in all
 * @param repair        the publish that repaired them, when asked to repair
 * @param extrasDeleted extra objects deleted by the repair
 * @param extrasHeldBack extra objects the repair did not delete because they were more than the
 *                      allowed share of the published files
 * @param elapsed       how long it took
 */
public record VerifyReport(long listed, long published, List<Difference> differences,
                           Map<Difference.Kind, Long> counts, Optional<PublishReport> repair,
                           long extrasDeleted, long extrasHeldBack, Duration elapsed) {

    /** The most differences a report lists; the counts go on. */
    public static final int MAX_LISTED = 1000;

    public VerifyReport {
        differences = List.copyOf(differences);
        EnumMap<Difference.Kind, Long> all = new EnumMap<>(Difference.Kind.class);
        for (Difference.Kind kind : Difference.Kind.values()) {
            all.put(kind, counts.getOrDefault(kind, 0L));
        }
        counts = java.util.Collections.unmodifiableMap(all);
    }

    /** True when the target holds exactly what the state says, unrecorded files aside. */
    public boolean clean() {
        return counts.entrySet().stream()
                .allMatch(e -> e.getKey() == Difference.Kind.UNRECORDED || e.getValue() == 0);
    }

    /** How many differences there were, of every kind. */
    public long differenceCount() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
