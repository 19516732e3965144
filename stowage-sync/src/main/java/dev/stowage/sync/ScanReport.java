package dev.stowage.sync;

import java.time.Duration;
import java.util.List;

/**
 * What one scan found and did.
 *
 * @param files        regular files in the snapshot after the scan
 * @param bytes        their total size
 * @param hashedFiles  files read and hashed this time (new, changed, or too recent to trust)
 * @param hashedBytes  bytes read to hash them: zero for a rescan of an unchanged tree
 * @param removedFiles files of the last scan that are gone
 * @param sweptTemps   stale temporary files and folders left by a crashed upload, removed
 * @param problems     the first problems met, in the order met (at most {@value #MAX_PROBLEMS})
 * @param problemCount how many problems there were in all
 * @param elapsed      how long the scan took
 */
public record ScanReport(long files, long bytes, long hashedFiles, long hashedBytes, long removedFiles,
                         long sweptTemps, List<ScanProblem> problems, long problemCount, Duration elapsed) {

    /** The most problems a report lists; the count goes on. */
    public static final int MAX_PROBLEMS = 1000;

    public ScanReport {
        problems = List.copyOf(problems);
    }
}
