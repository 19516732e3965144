package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.UploadProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** An {@link UploadProgress} that records every report, and the thread it came on. Thread-safe. */
final class ProgressLog implements UploadProgress {
    /** One call of {@link #update}. */
    record Report(long bytesDone, long totalBytes, Thread thread) {
        @Override
        public String toString() {
            return "(" + bytesDone + ", " + totalBytes + ") on " + thread.getName();
        }
    }

    private final List<Report> reports = new ArrayList<>();

    @Override
    public synchronized void update(long bytesDone, long totalBytes) {
        reports.add(new Report(bytesDone, totalBytes, Thread.currentThread()));
    }

    /** The reports so far, in the order they came. */
    synchronized List<Report> reports() {
        return List.copyOf(reports);
    }

    /**
     * Checks the promise of {@link UploadProgress} for one attempt of an upload of {@code total}
     * bytes: {@code (0, total)} first, {@code (total, total)} last, never backwards, and every call
     * on a thread that {@code backendThread} accepts.
     */
    static void assertFromZeroToTotal(List<Report> reports, long total, Predicate<Thread> backendThread, String threads) {
        assertThat(reports).as("progress reports").isNotEmpty();
        assertThat(reports.get(0)).as("first of %s", reports).extracting(Report::bytesDone, Report::totalBytes).containsExactly(0L, total);
        assertThat(reports.get(reports.size() - 1)).as("last of %s", reports)
                .extracting(Report::bytesDone, Report::totalBytes).containsExactly(total, total);
        for (int i = 1; i < reports.size(); i++) {
            assertThat(reports.get(i).bytesDone()).as("report %d of %s", i, reports).isGreaterThanOrEqualTo(reports.get(i - 1).bytesDone());
        }
        assertThat(reports).as("progress reports").allSatisfy(report -> {
            assertThat(report.totalBytes()).as("total of %s", report).isEqualTo(total);
            assertThat(backendThread.test(report.thread())).as("%s, on %s", report, threads).isTrue();
        });
    }
}
