package dev.stowage.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WalkAheadTest {
    private static final FileStat STAT = new FileStat(FileStat.Type.FILE, 1, 1, 1, 1);
    private static final int MANY = WalkAhead.BATCH * (WalkAhead.QUEUED + 4) + 7;

    /** Records what it is told, as "file:key", "keep:key" and "problem:path". */
    private static class Recording implements TreeWalk.Visitor {
        final List<String> told = new ArrayList<>();
        final Thread caller = Thread.currentThread();
        boolean onCallersThread = true;

        @Override
        public void file(String key, String source, Path path, FileStat stat) {
            record("file:" + key);
        }

        @Override
        public void keep(String key, boolean folder) {
            record("keep:" + key);
        }

        @Override
        public void problem(Path path, String reason) {
            record("problem:" + path);
        }

        void record(String what) {
            onCallersThread &= Thread.currentThread() == caller;
            told.add(what);
        }
    }

    @Test
    void everythingTheWalkFindsIsTold_inItsOrder_onTheCallersThread() throws Exception {
        List<String> found = new ArrayList<>();
        Recording visitor = new Recording();

        WalkAhead.run(v -> {
            for (int i = 0; i < MANY; i++) {
                String key = String.format("k%06d", i);
                if (i % 1000 == 1) {
                    v.keep(key, true);
                    found.add("keep:" + key);
                } else if (i % 1000 == 2) {
                    v.problem(Path.of(key), "odd");
                    found.add("problem:" + key);
                } else {
                    v.file(key, null, Path.of(key), STAT);
                    found.add("file:" + key);
                }
            }
        }, visitor);

        assertThat(visitor.told).isEqualTo(found);
        assertThat(visitor.onCallersThread).isTrue();
    }

    @Test
    void aFailingWalk_failsTheRun_afterWhatItFoundBefore() {
        Recording visitor = new Recording();

        Throwable e = catchThrowable(() -> WalkAhead.run(v -> {
            v.file("a", null, Path.of("a"), STAT);
            throw new IOException("the root is gone");
        }, visitor));

        assertThat(e).isInstanceOf(IOException.class).hasMessage("the root is gone");
        assertThat(visitor.told).containsExactly("file:a");
    }

    @Test
    void aFailingVisitor_stopsTheWalk_andItsThreadHasEndedWhenTheRunFails() {
        AtomicInteger found = new AtomicInteger();
        Thread[] walker = new Thread[1];
        TreeWalk.Visitor failing = new Recording() {
            @Override
            public void file(String key, String source, Path path, FileStat stat) {
                if (key.equals("k300")) {
                    throw new IllegalStateException("the state cannot be written");
                }
            }
        };

        Throwable e = catchThrowable(() -> WalkAhead.run(v -> {
            walker[0] = Thread.currentThread();
            for (int i = 0; i < 10 * MANY; i++) {
                v.file("k" + i, null, Path.of("k" + i), STAT);
                found.incrementAndGet();
            }
        }, failing));

        assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("the state cannot be written");
        assertThat(walker[0].isAlive()).isFalse();
        assertThat(found.get()).as("the walk stopped early").isLessThan(10 * MANY);
    }
}
