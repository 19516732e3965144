package dev.stowage.app;

import dev.stowage.StorageException;
import dev.stowage.sync.PublishListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows how a publish goes: on a terminal, one line redrawn at most five times a second (files,
 * bytes, rate, time left); elsewhere, a line when the work is known and one per failure, for logs.
 * Thread-safe: the sync engine calls it from several threads.
 */
final class ProgressBar implements PublishListener, AutoCloseable {
    private static final long REDRAW_NANOS = Duration.ofMillis(200).toNanos();

    private final PrintWriter err;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile long plannedFiles;
    private volatile long plannedBytes;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void planned(long uploads, long uploadBytes, long deletes) {
        plannedFiles = uploads;
        plannedBytes = uploadBytes;
        files.set(0);
        bytes.set(0);
        if (!terminal && (uploads > 0 || deletes > 0)) {
            synchronized (this) {
                err.printf(Locale.ROOT, "uploading %d files (%s), deleting %d%n", uploads, size(uploadBytes), deletes);
                err.flush();
            }
        }
    }

    @Override
    public void bytesSent(String key, long sent) {
        bytes.addAndGet(sent);
        redraw(false);
    }

    @Override
    public void uploaded(String key, long size) {
        files.incrementAndGet();
        redraw(false);
    }

    @Override
    public void uploadFailed(String key, StorageException error) {
        failed.incrementAndGet();
        line("failed " + key + ": " + error.getMessage());
    }

    @Override
    public void deleteFailed(String key, StorageException error) {
        failed.incrementAndGet();
        line("failed to delete " + key + ": " + error.getMessage());
    }

    /** Draws the last state and ends the line. */
    @Override
    public void close() {
        redraw(true);
        synchronized (this) {
            if (drawn) {
                err.println();
                err.flush();
                drawn = false;
            }
        }
    }

    private synchronized void line(String text) {
        if (drawn) {
            err.print("\r\033[K");
            drawn = false;
        }
        err.println(text);
        err.flush();
    }

    private synchronized void redraw(boolean force) {
        if (!terminal || plannedFiles == 0) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max((now - started) / 1e9, 1e-3);
        long done = bytes.get();
        double rate = done / seconds;
        String eta = rate > 0 && plannedBytes > done ? clock((long) ((plannedBytes - done) / rate)) : "-";
        int width = 24;
        int filled = (int) Math.min(width, plannedBytes == 0 ? width * files.get() / Math.max(plannedFiles, 1)
                : width * done / Math.max(plannedBytes, 1));
        err.printf(Locale.ROOT, "\r\033[K[%s%s] %d/%d files  %s/%s  %s/s  ETA %s%s", "#".repeat(filled),
                " ".repeat(width - filled), files.get(), plannedFiles, size(done), size(plannedBytes), size((long) rate),
                eta, failed.get() > 0 ? "  " + failed.get() + " failed" : "");
        err.flush();
        drawn = true;
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String clock(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
