package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.StorageBackend;
import dev.stowage.StorageBackends;
import dev.stowage.StorageException;
import dev.stowage.sync.CacheManager;
import dev.stowage.sync.PublishReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PublishMetrics metrics = new PublishMetrics(registry);

    @TempDir
    Path dir;

    private double count(String name, String outcome) {
        return registry.get(name).tag("outcome", outcome).counter().count();
    }

    private long timed(String name, String outcome) {
        return registry.get(name).tag("outcome", outcome).timer().count();
    }

    @Test
    void aRealRun_countsAndTimesEachUpload_theBytes_theRunAndItsScan() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "aaaa");
        Files.writeString(dir.resolve("b.txt"), "bb");
        try (StorageBackend memory = StorageBackends.open("memory:");
             CacheManager manager = CacheManager.builder(dir, memory).listener(metrics).build()) {
            PublishReport report = manager.publish().join();
            metrics.ran(report);
        }

        assertThat(count("stowage.uploads", "success")).isEqualTo(2);
        assertThat(timed("stowage.upload.duration", "success")).isEqualTo(2);
        assertThat(timed("stowage.upload.duration", "failure")).isZero();
        assertThat(registry.get("stowage.upload.bytes").counter().count()).isEqualTo(6);
        assertThat(count("stowage.publishes", "success")).isEqualTo(1);
        assertThat(registry.get("stowage.publish.duration").timer().count()).isEqualTo(1);
        assertThat(registry.get("stowage.scan.duration").timer().count()).isEqualTo(1);
        assertThat(registry.get("stowage.pending").gauge().value()).isZero();
    }

    @Test
    void aFailedUpload_isTimedAsAFailure_fromItsStart() {
        metrics.uploadStarted("a.txt", 4);
        metrics.uploadFailed("a.txt", StorageException.builder(ErrorKind.UNAVAILABLE, "down").build());

        assertThat(count("stowage.uploads", "failure")).isEqualTo(1);
        assertThat(timed("stowage.upload.duration", "failure")).isEqualTo(1);
        assertThat(registry.get("stowage.upload.duration").tag("outcome", "failure").timer().totalTime(TimeUnit.NANOSECONDS))
                .isPositive();
    }

    @Test
    void anUploadNeverStarted_countsButIsNotTimed() {
        metrics.uploaded("a.txt", 4);

        assertThat(count("stowage.uploads", "success")).isEqualTo(1);
        assertThat(timed("stowage.upload.duration", "success")).isZero();
    }

    @Test
    void aFailedRun_countsAsAFailedPublish() {
        metrics.failed();

        assertThat(count("stowage.publishes", "failure")).isEqualTo(1);
        assertThat(count("stowage.publishes", "success")).isZero();
    }
}
