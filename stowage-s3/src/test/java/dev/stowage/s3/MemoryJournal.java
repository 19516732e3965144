package dev.stowage.s3;

import dev.stowage.ResumeJournal;
import dev.stowage.ResumePoint;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ResumeJournal} in memory, as the sync engine's SQLite one behaves within a process; it
 * can be told to fail each of its calls, as a broken database would. Thread-safe.
 */
final class MemoryJournal implements ResumeJournal {
    /** What the journal does when called. */
    enum Failing { NOTHING, FIND, SAVE, REMOVE, HOLDS }

    private final Map<String, ResumePoint> points = new ConcurrentHashMap<>();
    private final Set<String> threads = ConcurrentHashMap.newKeySet();
    private volatile Failing failing = Failing.NOTHING;

    /** From now on, the calls of that kind throw. */
    MemoryJournal failing(Failing failing) {
        this.failing = failing;
        return this;
    }

    @Override
    public Optional<ResumePoint> find(String key) {
        fail(Failing.FIND);
        return Optional.ofNullable(points.get(key));
    }

    @Override
    public void save(ResumePoint point) {
        fail(Failing.SAVE);
        points.put(point.key(), point);
    }

    @Override
    public void remove(String key, String uploadId) {
        fail(Failing.REMOVE);
        points.computeIfPresent(key, (k, point) -> point.uploadId().equals(uploadId) ? null : point);
    }

    @Override
    public boolean holds(String key, String uploadId) {
        fail(Failing.HOLDS);
        return ResumeJournal.super.holds(key, uploadId);
    }

    /** Records a point as a process before this one saved it: neither failing nor counted as a call. */
    void saved(ResumePoint point) {
        points.put(point.key(), point);
    }

    /** Every record, by key, without failing. */
    Map<String, ResumePoint> points() {
        return Map.copyOf(points);
    }

    /** The names of the threads the journal was called on. */
    Set<String> threads() {
        return Set.copyOf(threads);
    }

    private void fail(Failing call) {
        threads.add(Thread.currentThread().getName());
        if (failing == call) {
            throw new IllegalStateException("journal database is locked (" + call + ")");
        }
    }
}
