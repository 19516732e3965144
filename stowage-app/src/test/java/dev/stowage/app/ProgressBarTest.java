package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the progress bar writes, on a terminal and elsewhere, timed by a clock the test moves. */
class ProgressBarTest {
    private static final String REDRAW = "\r\033[K";
    private static final long MIB = 1 << 20;

    final StringWriter written = new StringWriter();
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private ProgressBar bar(boolean terminal, int columns) {
        return new ProgressBar(new PrintWriter(written, true), terminal, columns, nanos::get);
    }

    private void pass(Duration time) {
        nanos.addAndGet(time.toNanos());
    }

    /** Each state drawn: the text after each redraw, up to the next. */
    private List<String> drawn() {
        return Arrays.stream(written.toString().split("\r\033\\[K", -1)).skip(1).map(String::stripTrailing).toList();
    }

    @Test
    void closedTwice_drawsTheLastStateOnce_andEndsItsLine() {
        ProgressBar bar = bar(true, 80);
        bar.planned(2, 2 * MIB, 0);
        pass(Duration.ofSeconds(1));
        bar.bytesSent("a", MIB);
        bar.uploaded("a", MIB);
        bar.bytesSent("b", MIB);
        bar.uploaded("b", MIB);

        bar.close();
        String once = written.toString();
        bar.close(); // as try-with-resources does after the command's own close, once the summary is printed
        pass(Duration.ofSeconds(1));
        bar.bytesSent("late", 1);

        assertThat(written.toString()).isEqualTo(once).endsWith(System.lineSeparator());
        assertThat(drawn().get(drawn().size() - 1)).contains("2/2 files", "2.0 MiB/2.0 MiB");
    }

    @Test
    void theLine_fitsTheTerminal_shorteningTheBarFirst_thenLeavingItOut() {
        ProgressBar bar = bar(true, 80);
        bar.planned(1234, 90L * 1024 * MIB, 0);
        pass(Duration.ofSeconds(3));
        bar.bytesSent("a", 100 * MIB);
        bar.uploadFailed("b", StorageException.builder(ErrorKind.ACCESS_DENIED, "no").build());
        pass(Duration.ofSeconds(1));
        bar.bytesSent("a", 1);

        String line = drawn().get(drawn().size() - 1);
        assertThat(line.length()).as(line).isLessThan(80);
        assertThat(line).matches("\\[ {5,23}] 0/1234 files  100\\.0 MiB/90\\.0 GiB  25\\.0 MiB/s  ETA 1:01:\\d\\d  1 failed");

        ProgressBar huge = bar(true, 80);
        huge.planned(123_456, 900L * 1024 * MIB, 0);
        huge.uploadFailed("b", StorageException.builder(ErrorKind.ACCESS_DENIED, "no").build());
        pass(Duration.ofSeconds(1));
        huge.bytesSent("a", 1000 * MIB);
        assertThat(drawn().get(drawn().size() - 1)).hasSizeLessThan(80).startsWith("0/123456 files  1000.0 MiB/900.0 GiB");

        ProgressBar narrow = bar(true, 40);
        narrow.planned(3, 3 * MIB, 0);
        pass(Duration.ofSeconds(1));
        narrow.bytesSent("a", MIB);
        assertThat(drawn().get(drawn().size() - 1)).hasSizeLessThan(40).startsWith("0/3 files");
    }

    @Test
    void theRate_countsFromWhenTheWorkIsKnown_notFromTheScan() {
        ProgressBar bar = bar(true, 100);
        pass(Duration.ofMinutes(10)); // scanning and hashing a large folder
        bar.planned(10, 10 * MIB, 0);
        pass(Duration.ofSeconds(1));

        bar.bytesSent("a", MIB);

        assertThat(drawn().get(drawn().size() - 1)).contains("1.0 MiB/10.0 MiB", "1.0 MiB/s", "ETA 0:00:09");
    }

    @Test
    void anUploadTriedAgain_countsItsBytesOnce() {
        ProgressBar bar = bar(true, 100);
        bar.planned(1, 10 * MIB, 0);
        pass(Duration.ofSeconds(1));
        bar.bytesSent("big", 6 * MIB);
        StorageException reset = StorageException.builder(ErrorKind.UNAVAILABLE, "connection reset").retryable(true).build();
        bar.retrying(Operation.UPLOAD, "big", 1, Duration.ofMillis(200), reset);
        pass(Duration.ofSeconds(1));
        bar.bytesSent("big", 4 * MIB); // the retry starts its count again

        assertThat(drawn().get(drawn().size() - 1)).contains("4.0 MiB/10.0 MiB");

        bar.bytesSent("big", 6 * MIB);
        bar.uploaded("big", 10 * MIB);
        bar.close();
        assertThat(drawn().get(drawn().size() - 1)).contains("1/1 files", "10.0 MiB/10.0 MiB");
    }

    @Test
    void notATerminal_writesPlainLines_neverARedraw() {
        ProgressBar bar = bar(false, 80);
        bar.planned(2, 3 * MIB, 1);
        pass(Duration.ofSeconds(1));
        bar.bytesSent("a", MIB);
        bar.uploadFailed("b", StorageException.builder(ErrorKind.ACCESS_DENIED, "no").key("b").build());
        bar.close();

        assertThat(written.toString()).doesNotContain("\r", "\033")
                .startsWith("uploading 2 files (3.0 MiB), deleting 1" + System.lineSeparator())
                .contains("failed b: ");
    }

    @Test
    void nothingToUpload_drawsNothing() {
        ProgressBar bar = bar(true, 80);
        bar.planned(0, 0, 3);
        pass(Duration.ofSeconds(1));
        bar.close();

        assertThat(written.toString()).isEmpty();
    }

    @Test
    void sizes_readAsFormatWritesThem() {
        java.util.Random random = new java.util.Random(7);
        java.util.List<Long> sizes = new java.util.ArrayList<>(java.util.List.of(0L, 1L, 1023L, 1024L, 1075L, 1076L,
                1048524L, 1048525L, 1048575L, 1048576L, 2L << 30, Long.MAX_VALUE));
        for (int i = 0; i < 100_000; i++) {
            sizes.add(random.nextLong() >>> random.nextInt(64));
        }
        for (long bytes : sizes) {
            String expected = bytes < 1024 ? bytes + " B" : formatted(bytes);
            assertThat(ProgressBar.size(bytes)).as("%d bytes", bytes).isEqualTo(expected);
        }
    }

    private static String formatted(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
