package dev.stowage.app;

import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.sync.PublishListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Shows how a publish goes: on a terminal, one line redrawn at most five times a second (files,
 * bytes, rate, time left), kept narrower than the terminal ({@code COLUMNS}, else 80 columns) so
 * that it never wraps; elsewhere, a line when the work is known and one per failure, for logs.
 * The rate counts from when the work is known, and an upload tried again counts its bytes once.
 * Thread-safe: the sync engine calls it from several threads.
 */
final class ProgressBar implements PublishListener, AutoCloseable {
    private static final long REDRAW_NANOS = Duration.ofMillis(200).toNanos();
    private static final int DEFAULT_COLUMNS = 80;
    private static final int BAR_WIDTH = 24;
    /** A bar narrower than this says nothing: the figures alone are drawn. */
    private static final int MIN_BAR_WIDTH = 5;

    private final PrintWriter err;
    private final boolean terminal;
    private final int columns;
    private final LongSupplier nanos;
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** The bytes each upload under way has sent in its current attempt. */
    private final Map<String, Long> sending = new ConcurrentHashMap<>();
    private volatile long plannedFiles;
    private volatile long plannedBytes;
    private volatile long plannedAt;
    private long lastDraw;
    private boolean drawn;
    private boolean closed;

    /** A progress bar as wide as {@code COLUMNS} says the terminal is (80 columns if it does not), on this machine's clock. */
    ProgressBar(PrintWriter err, boolean terminal) {
        this(err, terminal, columns(System.getenv("COLUMNS")), System::nanoTime);
    }

    ProgressBar(PrintWriter err, boolean terminal, int columns, LongSupplier nanos) {
        this.err = err;
        this.terminal = terminal;
        this.columns = columns;
        this.nanos = nanos;
        this.plannedAt = nanos.getAsLong();
        this.lastDraw = plannedAt - REDRAW_NANOS;
    }

    @Override
    public void planned(long uploads, long uploadBytes, long deletes) {
        plannedAt = nanos.getAsLong();
        plannedFiles = uploads;
        plannedBytes = uploadBytes;
        files.set(0);
        bytes.set(0);
        sending.clear();
        if (!terminal && (uploads > 0 || deletes > 0)) {
            synchronized (this) {
                err.printf(Locale.ROOT, "uploading %d files (%s), deleting %d%n", uploads, size(uploadBytes), deletes);
                err.flush();
            }
        }
    }

    @Override
    public void bytesSent(String key, long sent) {
        sending.merge(key, sent, Long::sum);
        bytes.addAndGet(sent);
        redraw(false);
    }

    @Override
    public void retrying(Operation operation, String key, int attempt, Duration delay, StorageException error) {
        // The next attempt sends the file again from its start, and says so from zero.
        Long sent = operation == Operation.UPLOAD ? sending.remove(key) : null;
        if (sent != null) {
            bytes.addAndGet(-sent);
        }
    }

    @Override
    public void uploaded(String key, long size) {
        sending.remove(key);
        files.incrementAndGet();
        redraw(false);
    }

    @Override
    public void uploadFailed(String key, StorageException error) {
        sending.remove(key);
        failed.incrementAndGet();
        line("failed " + key + ": " + error.getMessage());
    }

    @Override
    public void deleteFailed(String key, StorageException error) {
        failed.incrementAndGet();
        line("failed to delete " + key + ": " + error.getMessage());
    }

    /** Draws the last state and ends the line; later calls, and what the engine still reports, draw nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        redraw(true);
        closed = true;
        if (drawn) {
            err.println();
            err.flush();
            drawn = false;
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
        if (!terminal || closed || plannedFiles == 0) {
            return;
        }
        long now = nanos.getAsLong();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max((now - plannedAt) / 1e9, 1e-3);
        long done = bytes.get();
        double rate = done / seconds;
        String eta = rate > 0 && plannedBytes > done ? clock((long) ((plannedBytes - done) / rate)) : "-";
        String figures = String.format(Locale.ROOT, " %d/%d files  %s/%s  %s/s  ETA %s%s", files.get(), plannedFiles,
                size(done), size(plannedBytes), size((long) rate), eta, failed.get() > 0 ? "  " + failed.get() + " failed" : "");
        // One column short of the terminal: a line that fills it wraps, and \r then clears only its last part.
        int room = columns - 1;
        int width = Math.min(BAR_WIDTH, room - 2 - figures.length());
        String line;
        if (width >= MIN_BAR_WIDTH) {
            int filled = (int) Math.min(width, plannedBytes == 0 ? width * files.get() / Math.max(plannedFiles, 1)
                    : width * done / Math.max(plannedBytes, 1));
            line = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "]" + figures;
        } else {
            line = figures.substring(1);
        }
        err.print("\r\033[K" + (line.length() > room ? line.substring(0, Math.max(room, 0)) : line));
        err.flush();
        drawn = true;
    }

    /** The terminal's width as {@code COLUMNS} gives it, or 80. */
    static int columns(String variable) {
        try {
            int n = variable == null ? 0 : Integer.parseInt(variable.trim());
            return n > 0 ? n : DEFAULT_COLUMNS;
        } catch (NumberFormatException e) {
            return DEFAULT_COLUMNS;
        }
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
        // As String.format("%.1f %s") writes it, without its cost: a plan prints one size a file.
        long tenths = Math.round(value * 10);
        return tenths / 10 + "." + tenths % 10 + " " + units[unit];
    }

    private static String clock(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
