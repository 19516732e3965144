package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.await;
import static dev.stowage.testkit.StorageBackendContract.expectFailure;
import static dev.stowage.testkit.StorageBackendContract.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.stowage.StorageBackend#close()}: idempotent; every operation afterwards fails
 * {@code CLOSED} in its future; an upload in flight is stored or fails {@code CLOSED}; and the
 * threads the backend started end.
 */
abstract class CloseContract extends ContractGroup {
    /** How long a closed backend's threads may take to end: an HTTP client's event loops wait out a quiet period. */
    private static final Duration THREADS_END_WITHIN = Duration.ofSeconds(10);
    /** Threads of the JVM and of JUnit that may start during any test: not the backend's. */
    private static final Set<String> JVM_AND_JUNIT_THREADS = Set.of("junit-jupiter-timeout-watcher", "Attach Listener");

    CloseContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void close_thenEveryOperation_failsClosedInItsFuture() throws Exception {
        Path source = source(utf8("too late"));
        Set<String> before = storedNames();

        backend().close();
        backend().close(); // idempotent

        expectFailure(backend().uploadFile(source, "late.txt"), ErrorKind.CLOSED, Operation.UPLOAD, "late.txt");
        expectFailure(backend().deleteFile("late.txt"), ErrorKind.CLOSED, Operation.DELETE, "late.txt");
        expectFailure(backend().stat("late.txt"), ErrorKind.CLOSED, Operation.STAT, "late.txt");
        expectFailure(backend().forEach("a/", info -> { }), ErrorKind.CLOSED, Operation.LIST, "a/");
        expectFailure(backend().deleteFiles(List.of("a.txt")), ErrorKind.CLOSED, Operation.DELETE, null);
        assertThat(storedNames()).isEqualTo(before);
    }

    @Test
    void close_whileUploadsAreInFlight_eachIsStoredOrFailsClosed() throws Exception {
        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            uploads.add(backend().uploadFile(source(utf8("in flight " + i)), "inflight/" + i + ".txt"));
        }
        backend().close();

        for (int i = 0; i < uploads.size(); i++) {
            Throwable failure = failureOf(uploads.get(i));
            if (failure == null) {
                assertStored("inflight/" + i + ".txt", utf8("in flight " + i));
            } else {
                assertThat(failure).as("a failed upload during close").isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.CLOSED));
            }
        }
        awaitNoLeftovers();
    }

    @Test
    void close_afterWork_everyThreadStartedSinceTheTestClassBeganEnds() throws Exception {
        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            uploads.add(backend().uploadFile(source(utf8("thread " + i)), "threads/" + i + ".txt"));
        }
        for (CompletableFuture<URI> upload : uploads) {
            await(upload);
        }
        await(backend().stat("threads/0.txt"));
        await(backend().forEach("threads/", info -> { }));
        await(backend().deleteFile("threads/0.txt"));
        await(backend().deleteFiles(List.of("threads/1.txt", "threads/2.txt")));

        backend().close();

        // Every backend the test class opened is closed now: what it started must end.
        Set<Thread> before = suite.threadsBeforeAnyBackend();
        StorageBackendContract.pollUntil(THREADS_END_WITHIN, () -> threadsStartedSince(before).isEmpty());
        assertThat(describe(threadsStartedSince(before)))
                .as("threads started since the test class began, still alive %s after close", THREADS_END_WITHIN).isEmpty();
    }

    private List<Thread> threadsStartedSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && !JVM_AND_JUNIT_THREADS.contains(t.getName())
                        && !suite.mayOutliveTheBackend(t))
                .collect(Collectors.toList());
    }

    /** Each thread's name with where it waits, for a failure message that says whose it is. */
    private static List<String> describe(List<Thread> threads) {
        Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
        return threads.stream().map(t -> t.getName() + " " + Arrays.stream(stacks.getOrDefault(t, new StackTraceElement[0]))
                .limit(8).map(StackTraceElement::toString).collect(Collectors.joining(" < ", "[", "]")))
                .sorted().collect(Collectors.toList());
    }
}
