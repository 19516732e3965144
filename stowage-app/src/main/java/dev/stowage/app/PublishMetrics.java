package dev.stowage.app;

import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.sync.PublishListener;
import dev.stowage.sync.PublishReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sync engine's events as Micrometer meters: uploads and deletes by outcome, each upload's
 * duration by outcome (from its start to its end, retries included), bytes sent, retries, runs by
 * outcome, run and scan durations, and the operations pending. Thread-safe.
 */
final class PublishMetrics implements PublishListener {
    private final Counter uploaded;
    private final Counter uploadFailed;
    private final Counter deleted;
    private final Counter deleteFailed;
    private final Counter bytes;
    private final Counter retries;
    private final Timer uploadTimes;
    private final Timer failedUploadTimes;
    private final Counter runs;
    private final Counter failedRuns;
    private final Timer publishes;
    private final Timer scans;
    private final AtomicLong pending = new AtomicLong();
    private final Map<String, Long> started = new ConcurrentHashMap<>();

    PublishMetrics(MeterRegistry registry) {
        uploaded = Counter.builder("stowage.uploads").tag("outcome", "success").register(registry);
        uploadFailed = Counter.builder("stowage.uploads").tag("outcome", "failure").register(registry);
        deleted = Counter.builder("stowage.deletes").tag("outcome", "success").register(registry);
        deleteFailed = Counter.builder("stowage.deletes").tag("outcome", "failure").register(registry);
        bytes = Counter.builder("stowage.upload.bytes").baseUnit("bytes").register(registry);
        retries = Counter.builder("stowage.retries").register(registry);
        uploadTimes = Timer.builder("stowage.upload.duration").tag("outcome", "success").register(registry);
        failedUploadTimes = Timer.builder("stowage.upload.duration").tag("outcome", "failure").register(registry);
        runs = Counter.builder("stowage.publishes").tag("outcome", "success").register(registry);
        failedRuns = Counter.builder("stowage.publishes").tag("outcome", "failure").register(registry);
        publishes = Timer.builder("stowage.publish.duration").register(registry);
        scans = Timer.builder("stowage.scan.duration").register(registry);
        registry.gauge("stowage.pending", pending);
    }

    @Override
    public void uploadStarted(String key, long size) {
        started.put(key, System.nanoTime());
    }

    @Override
    public void bytesSent(String key, long sent) {
        bytes.increment(sent);
    }

    @Override
    public void uploaded(String key, long size) {
        uploaded.increment();
        timeSince(key, uploadTimes);
    }

    @Override
    public void uploadFailed(String key, StorageException error) {
        uploadFailed.increment();
        timeSince(key, failedUploadTimes);
    }

    private void timeSince(String key, Timer timer) {
        Long start = started.remove(key);
        if (start != null) {
            timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void retrying(Operation operation, String key, int attempt, Duration delay, StorageException error) {
        retries.increment();
    }

    @Override
    public void deleted(String key) {
        deleted.increment();
    }

    @Override
    public void deleteFailed(String key, StorageException error) {
        deleteFailed.increment();
    }

    /** Records a finished run. */
    void ran(PublishReport report) {
        runs.increment();
        publishes.record(report.elapsed());
        scans.record(report.scan().elapsed());
        pending.set(report.pending());
    }

    /** Records a run that failed or was refused as a whole. */
    void failed() {
        failedRuns.increment();
    }

    long pending() {
        return pending.get();
    }
}
