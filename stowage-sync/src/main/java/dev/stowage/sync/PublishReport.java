package dev.stowage.sync;

import java.time.Duration;
import java.util.List;

/**
 * What one publish did. Partial failure is data: the run's future fails only when the run cannot
 * start; files that could not be published are in {@link #failed()} and stay pending.
 *
 * @param scan             the scan the run began with (the last one, when it scanned more than once)
 * @param uploaded         files the backend confirmed this run
 * @param uploadedBytes    their total size
 * @param deleted          removed files the backend confirmed deleted
 * @param failed           the first operations that failed (at most {@value #MAX_LISTED})
 * @param failedCount      how many failed in all
 * @param deletesHeldBack  removed files not deleted because an upload failed or the manifest is not up
 * @param manifestUploaded whether a new manifest went to the backend
 * @param pending          operations pending after the run
 * @param elapsed          how long the run took
 */
public record PublishReport(ScanReport scan, long uploaded, long uploadedBytes, long deleted,
                            List<FailedOperation> failed, long failedCount, long deletesHeldBack,
                            boolean manifestUploaded, long pending, Duration elapsed) {

    /** The most failures a report lists; the count goes on. */
    public static final int MAX_LISTED = 1000;

    public PublishReport {
        failed = List.copyOf(failed);
    }

    /**
     * True when everything in the folder is published and nothing is pending: no operation failed,
     * no delete was held back, and the scan skipped no file it should have taken (an unreadable
     * file, a name that makes no key).
     */
    public boolean complete() {
        return failedCount == 0 && pending == 0 && deletesHeldBack == 0 && scan.problemCount() == 0;
    }

    /** True when the run sent nothing at all: the target already held the folder. */
    public boolean nothingToDo() {
        return uploaded == 0 && deleted == 0 && failedCount == 0 && !manifestUploaded;
    }

    /** One line for a log or a terminal. */
    public String summary() {
        StringBuilder line = new StringBuilder()
                .append(scan.files()).append(" files: ").append(uploaded).append(" uploaded (")
                .append(uploadedBytes).append(" bytes), ").append(deleted).append(" deleted");
        if (failedCount > 0) {
            line.append(", ").append(failedCount).append(" failed");
        }
        if (deletesHeldBack > 0) {
            line.append(", ").append(deletesHeldBack).append(" deletes held back");
        }
        if (pending > 0) {
            line.append(", ").append(pending).append(" pending");
        }
        if (scan.problemCount() > 0) {
            line.append(", ").append(scan.problemCount()).append(" skipped by the scan");
        }
        return line.append(" in ").append(elapsed.toMillis()).append(" ms").toString();
    }
}
