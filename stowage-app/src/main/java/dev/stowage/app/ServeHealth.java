package dev.stowage.app;

import dev.stowage.ErrorKind;
import dev.stowage.app.http.Health;
import dev.stowage.sync.FailedOperation;
import dev.stowage.sync.PublishReport;
import java.util.Set;

/**
 * What {@code stowage serve}'s {@code /healthz} says, from the runs it has seen. Not ok ({@code 503})
 * while {@code starting} (the first run has not ended), after a run that {@code failed: ...} (was
 * refused, or could not read its state) until one succeeds, and while {@code stopping}. Ok
 * ({@code 200}) and {@code published}, {@code publishing} during a later run, {@code remote down: ...}
 * when the last run's failures were the target's outage (the local fallback serves the files
 * meanwhile), {@code pending: ...} when other failures left files pending, and
 * {@code skipped: ...} when the scan could not take some files. Thread-safe.
 */
final class ServeHealth {
    /** The failures that say the target is out of reach, rather than that one file is at fault. */
    private static final Set<ErrorKind> OUTAGE = Set.of(ErrorKind.UNAVAILABLE, ErrorKind.RATE_LIMITED);

    private PublishReport last;
    private String failure;
    private boolean publishing;
    private boolean stopping;

    synchronized void runStarted() {
        publishing = true;
    }

    synchronized void runEnded(PublishReport report) {
        publishing = false;
        last = report;
        failure = null;
    }

    /** A run that failed or was refused as a whole; {@code reason} is one line. */
    synchronized void runFailed(String reason) {
        publishing = false;
        failure = reason;
    }

    synchronized void stopping() {
        stopping = true;
    }

    synchronized Health health() {
        long pending = last == null ? 0 : last.pending();
        if (stopping) {
            return new Health(false, "stopping", pending);
        }
        if (failure != null) {
            return new Health(false, "failed: " + failure, pending);
        }
        if (last == null) {
            return new Health(false, "starting", 0);
        }
        if (publishing) {
            return new Health(true, "publishing", pending);
        }
        return new Health(true, status(last), pending);
    }

    private static String status(PublishReport report) {
        if (report.failedCount() > 0) {
            FailedOperation first = report.failed().get(0);
            boolean outage = report.failed().stream().allMatch(f -> OUTAGE.contains(f.kind()));
            return (outage ? "remote down: " : "pending: " + report.failedCount() + " failed, the first: ")
                    + first.message();
        }
        if (report.pending() > 0 || report.deletesHeldBack() > 0) {
            return "pending: " + report.pending() + " operations wait for the next run";
        }
        if (report.scan().problemCount() > 0) {
            long skipped = report.scan().problemCount();
            return "skipped: the scan could not take " + skipped + (skipped == 1 ? " file" : " files");
        }
        return "published";
    }
}
