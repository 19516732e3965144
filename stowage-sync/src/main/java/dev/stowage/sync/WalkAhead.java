package dev.stowage.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link TreeWalk} on a thread of its own, ahead of the visitor it feeds: what the walk
 * finds reaches the visitor on the caller's thread, in the walk's order and in batches. The walk's
 * system calls (listing folders, one {@code stat} per entry) and the merge with the state then run
 * on two cores at once. At most {@value #QUEUED} batches of {@value #BATCH} entries wait.
 * Used once.
 */
final class WalkAhead {
    static final int BATCH = 256;
    static final int QUEUED = 16;
    /** Put after the last batch. */
    private static final List<Event> END = new ArrayList<>(0);

    /** The walk, given the visitor it reports to. */
    interface Walk {
        void run(TreeWalk.Visitor visitor) throws IOException;
    }

    /** What the walk found, to be told to the visitor. */
    private interface Event {
        void tell(TreeWalk.Visitor visitor);
    }

    private record FileFound(String key, String source, Path path, FileStat stat) implements Event {
        @Override
        public void tell(TreeWalk.Visitor visitor) {
            visitor.file(key, source, path, stat);
        }
    }

    private record Kept(String key, boolean folder) implements Event {
        @Override
        public void tell(TreeWalk.Visitor visitor) {
            visitor.keep(key, folder);
        }
    }

    private record Problem(Path path, String reason) implements Event {
        @Override
        public void tell(TreeWalk.Visitor visitor) {
            visitor.problem(path, reason);
        }
    }

    /** Thrown on the walk's thread once the caller has stopped reading: the walk ends there. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("the scan stopped reading the walk", null, false, false);
        }
    }

    private final BlockingQueue<List<Event>> queue = new ArrayBlockingQueue<>(QUEUED);
    private volatile boolean stopped;
    private volatile Throwable walkFailure;
    /** The batch being filled; the walk's thread alone touches it. */
    private List<Event> batch = new ArrayList<>(BATCH);

    private WalkAhead() {
    }

    /**
     * Runs {@code walk} on another thread and tells {@code visitor}, on this one, all it finds;
     * returns once the walk has ended and everything was told. What the walk or the visitor
     * throws is thrown here, after the walk's thread has ended.
     */
    static void run(Walk walk, TreeWalk.Visitor visitor) throws IOException {
        new WalkAhead().feed(walk, visitor);
    }

    private void feed(Walk walk, TreeWalk.Visitor visitor) throws IOException {
        Thread walker = new Thread(() -> walkAndEnd(walk), "stowage-scan-walk");
        walker.setDaemon(true);
        walker.start();
        boolean interrupted = false;
        try {
            while (true) {
                List<Event> events;
                try {
                    events = queue.take();
                } catch (InterruptedException e) {
                    interrupted = true; // a scan is not interruptible: it ends, or fails
                    continue;
                }
                if (events == END) {
                    break;
                }
                for (Event event : events) {
                    event.tell(visitor);
                }
            }
        } finally {
            stopped = true;
            queue.clear(); // a walk waiting to put a batch sees the stop at once
            while (true) {
                try {
                    walker.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable failure = walkFailure;
        if (failure instanceof IOException) {
            throw (IOException) failure;
        } else if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        } else if (failure instanceof Error) {
            throw (Error) failure;
        } else if (failure != null) {
            throw new UncheckedIOException(new IOException(failure));
        }
    }

    /** On the walk's thread: the walk, its last batch (also after a failure), then the end. */
    private void walkAndEnd(Walk walk) {
        try {
            walk.run(new TreeWalk.Visitor() {
                @Override
                public void file(String key, String source, Path path, FileStat stat) {
                    add(new FileFound(key, source, path, stat));
                }

                @Override
                public void keep(String key, boolean folder) {
                    add(new Kept(key, folder));
                }

                @Override
                public void problem(Path path, String reason) {
                    add(new Problem(path, reason));
                }
            });
        } catch (Stopped e) {
            return;
        } catch (Throwable e) {
            walkFailure = e;
        }
        try {
            if (!batch.isEmpty()) {
                put(batch); // what was found before a failure is told too, as it would be without the thread
            }
            put(END);
        } catch (Stopped e) {
            // The caller stopped reading: it no longer waits for the end.
        }
    }

    private void add(Event event) {
        batch.add(event);
        if (batch.size() == BATCH) {
            put(batch);
            batch = new ArrayList<>(BATCH);
        }
    }

    private void put(List<Event> events) {
        try {
            while (!queue.offer(events, 50, TimeUnit.MILLISECONDS)) {
                if (stopped) {
                    throw new Stopped();
                }
            }
        } catch (InterruptedException e) {
            throw new Stopped();
        }
        if (stopped) {
            throw new Stopped();
        }
    }
}
