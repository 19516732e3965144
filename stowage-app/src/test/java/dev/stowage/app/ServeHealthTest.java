package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.app.http.Health;
import dev.stowage.sync.FailedOperation;
import dev.stowage.sync.PublishReport;
import dev.stowage.sync.ScanProblem;
import dev.stowage.sync.ScanReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServeHealthTest {
    private final ServeHealth health = new ServeHealth();

    private static PublishReport report(List<FailedOperation> failed, long pending, long problems) {
        List<ScanProblem> listed = problems == 0 ? List.of()
                : List.of(new ScanProblem(Path.of("bad"), "unreadable"));
        ScanReport scan = new ScanReport(3, 30, 0, 0, 0, 0, listed, problems, Duration.ZERO);
        return new PublishReport(scan, 0, 0, 0, failed, failed.size(), 0, false, pending, Duration.ZERO);
    }

    private static FailedOperation failure(ErrorKind kind, String message) {
        return new FailedOperation("a.txt", Operation.UPLOAD, kind, message);
    }

    @Test
    void beforeTheFirstRunEnds_starting_notOk() {
        health.runStarted();

        assertThat(health.health()).isEqualTo(new Health(false, "starting", 0));
    }

    @Test
    void afterACompleteRun_published_ok() {
        health.runEnded(report(List.of(), 0, 0));

        assertThat(health.health()).isEqualTo(new Health(true, "published", 0));
    }

    @Test
    void duringALaterRun_publishing_ok() {
        health.runEnded(report(List.of(), 0, 0));
        health.runStarted();

        assertThat(health.health()).isEqualTo(new Health(true, "publishing", 0));
    }

    @Test
    void failuresThatAreAllTheTargetsOutage_remoteDown_okSinceTheFallbackServes() {
        health.runEnded(report(List.of(failure(ErrorKind.UNAVAILABLE, "cannot connect to http://127.0.0.1:9"),
                failure(ErrorKind.RATE_LIMITED, "slow down")), 2, 0));

        assertThat(health.health()).isEqualTo(new Health(true, "remote down: cannot connect to http://127.0.0.1:9", 2));
    }

    @Test
    void otherFailures_pendingWithTheCountAndTheFirst() {
        health.runEnded(report(List.of(failure(ErrorKind.ACCESS_DENIED, "access denied to a.txt"),
                failure(ErrorKind.UNAVAILABLE, "cannot connect")), 2, 0));

        assertThat(health.health()).isEqualTo(new Health(true, "pending: 2 failed, the first: access denied to a.txt", 2));
    }

    @Test
    void onlyScanProblems_skipped() {
        health.runEnded(report(List.of(), 0, 1));

        assertThat(health.health().status()).isEqualTo("skipped: the scan could not take 1 file");
    }

    @Test
    void aFailedRun_notOk_untilARunSucceeds() {
        health.runEnded(report(List.of(), 0, 0));
        health.runStarted();
        health.runFailed("would delete 8 of 10 files");

        assertThat(health.health()).isEqualTo(new Health(false, "failed: would delete 8 of 10 files", 0));

        health.runStarted();
        assertThat(health.health().ok()).as("still failed while the next run goes").isFalse();
        health.runEnded(report(List.of(), 0, 0));
        assertThat(health.health()).isEqualTo(new Health(true, "published", 0));
    }

    @Test
    void stopping_notOk_whateverCameBefore() {
        health.runEnded(report(List.of(), 0, 0));
        health.stopping();

        assertThat(health.health()).isEqualTo(new Health(false, "stopping", 0));
    }
}
