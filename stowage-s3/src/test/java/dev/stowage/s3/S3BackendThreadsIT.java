package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;

/**
 * The threads an S3Backend runs on are its own, or the caller's: closing it ends every thread it
 * started, and none of the caller's.
 */
@Timeout(120)
class S3BackendThreadsIT {
    /**
     * Thread names of a backend and its SDK client (the CRT's event loops among them), and Netty's
     * JVM-wide executor, which ends after a second idle.
     */
    private static final List<String> TRANSIENT = List.of("stowage-s3-", "sdk-async-response-", "AwsEventLoop", "globalEventExecutor-");
    private static final Duration SETTLE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void close_afterUploadsStatListAndDeletes_leavesTheJvmsThreadsAsTheyWere(S3HttpClient client) throws Exception {
        // Threads of other test classes may come and go meanwhile: only those started here count.
        // The warm-up starts what lives as long as the JVM (the CRT's name resolution, say).
        Set<Thread> initial = liveThreads();
        exercise(S3Backend.builder(config(client)), "warm-up", initial);
        Set<Thread> before = awaitSettled(initial);

        List<String> during = exercise(S3Backend.builder(config(client)), "measured", before);

        String eventLoop = client == S3HttpClient.NETTY ? "stowage-s3-netty-" : "AwsEventLoop";
        assertThat(during).as("threads the backend ran on while open")
                .anyMatch(n -> n.startsWith("stowage-s3-io-")).anyMatch(n -> n.startsWith("stowage-s3-md5-"))
                .anyMatch(n -> n.startsWith(eventLoop)).anyMatch(n -> n.startsWith("stowage-s3-timer-"))
                .anyMatch(n -> n.startsWith("sdk-async-response-"));
        awaitNoneNewSince(before);
    }

    /** What a process about to exit waits for: the CRT's native threads of backends already closed. */
    @Test
    void awaitNativeThreadsEnded_onceTheCrtBackendsAreClosed_isTrue() throws Exception {
        exercise(S3Backend.builder(config(S3HttpClient.CRT)), "native threads", liveThreads());

        assertThat(S3Backend.awaitNativeThreadsEnded(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void theCallersEventLoops_withTheCrtClient_areRefused() {
        SdkEventLoopGroup eventLoops = SdkEventLoopGroup.builder().numberOfThreads(1).threadFactory(named("callers-netty")).build();
        try {
            S3Backend.Builder builder = S3Backend.builder(config(S3HttpClient.CRT)).eventLoopGroup(eventLoops);
            assertThatThrownBy(builder::build).isInstanceOfSatisfying(StorageException.class, e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG);
                assertThat(e.getMessage()).contains("http_client=netty");
            });
        } finally {
            eventLoops.eventLoopGroup().shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void close_leavesTheCallersExecutorSchedulerAndEventLoopsRunning() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2, named("callers-io"));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(named("callers-timer"));
        SdkEventLoopGroup eventLoops = SdkEventLoopGroup.builder().numberOfThreads(1).threadFactory(named("callers-netty")).build();
        Set<Thread> initial = liveThreads();
        try {
            List<String> during = exercise(S3Backend.builder(config(S3HttpClient.NETTY)).executor(executor).scheduler(scheduler).eventLoopGroup(eventLoops),
                    "with the caller's threads", initial);

            assertThat(during).as("threads while open").anyMatch(n -> n.startsWith("callers-io"))
                    .anyMatch(n -> n.startsWith("callers-netty")).anyMatch(n -> n.startsWith("callers-timer")).noneMatch(n -> n.startsWith("stowage-s3-io-"))
                    .noneMatch(n -> n.startsWith("stowage-s3-netty-")).noneMatch(n -> n.startsWith("stowage-s3-timer-"));
            assertThat(executor.isShutdown()).isFalse();
            assertThat(scheduler.isShutdown()).isFalse();
            assertThat(eventLoops.eventLoopGroup().isShuttingDown()).isFalse();
            assertThat(executor.submit(() -> "still runs").get(10, TimeUnit.SECONDS)).isEqualTo("still runs");
            assertThat(scheduler.schedule(() -> "still runs", 1, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS)).isEqualTo("still runs");
            Set<String> left = names(awaitThreadsWithout(initial, "stowage-s3-", "sdk-async-response-"));
            assertThat(left).as("threads the backend made, left after close")
                    .noneMatch(n -> n.startsWith("stowage-s3-") || n.startsWith("sdk-async-response-"));
        } finally {
            executor.shutdown();
            scheduler.shutdown();
            eventLoops.eventLoopGroup().shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * A hash waits on its I/O thread for its MD5 side: with one I/O thread and several large files
     * at once, MD5 work queued behind the hashing that waits for it would never run.
     */
    @Test
    void oneIoThread_severalLargeUploadsAtOnce_allComplete() throws Exception {
        S3Config config = config(S3HttpClient.CRT);
        try (S3Backend s3 = S3Backend.builder(config).ioThreads(1).build()) {
            List<CompletableFuture<?>> uploads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                uploads.add(s3.uploadFile(TestS3.randomFile(dir, 6 + i), "large-" + i + ".bin"));
            }
            for (CompletableFuture<?> upload : uploads) {
                upload.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(TestS3.server().keys(config.bucketName())).containsExactly("large-0.bin", "large-1.bin", "large-2.bin");
    }

    /**
     * A single PUT and a multipart upload, stat, list, delete and a batch delete; the names of the
     * threads alive just before close that were not among {@code initial}.
     */
    private List<String> exercise(S3Backend.Builder builder, String round, Set<Thread> initial) throws Exception {
        Path small = Files.writeString(dir.resolve(round + ".txt"), "small " + round);
        Path medium = TestS3.randomFile(dir, 2); // one PUT, hashed with MD5 on a thread of its own
        Path large = TestS3.randomFile(dir, 11);
        try (S3Backend s3 = builder.build()) {
            await(s3.uploadFile(small, "small.txt"));
            await(s3.uploadFile(medium, "medium.bin"));
            await(s3.uploadFile(large, "large.bin"));
            assertThat(await(s3.stat("large.bin"))).isPresent();
            assertThat(await(s3.forEach("", o -> { }))).isEqualTo(3);
            await(s3.deleteFile("small.txt"));
            assertThat(await(s3.deleteFiles(List.of("medium.bin", "large.bin"))).isComplete()).isTrue();
            return newSince(initial).stream().map(Thread::getName).collect(Collectors.toList());
        }
    }

    private static S3Config config(S3HttpClient client) {
        return TestS3.freshBucket().httpClient(client).multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).partConcurrency(2).build();
    }

    /** The threads once those that backends closed here started have ended. */
    private static Set<Thread> awaitSettled(Set<Thread> initial) throws InterruptedException {
        return awaitThreadsWithout(initial, TRANSIENT.toArray(String[]::new));
    }

    /** Waits until no thread started since {@code initial} has one of the prefixes; returns the live threads. */
    private static Set<Thread> awaitThreadsWithout(Set<Thread> initial, String... prefixes) throws InterruptedException {
        Instant deadline = Instant.now().plus(SETTLE);
        while (true) {
            Set<Thread> started = newSince(initial);
            if (started.stream().noneMatch(t -> Arrays.stream(prefixes).anyMatch(t.getName()::startsWith))) {
                return liveThreads();
            }
            assertThat(Instant.now()).as("waiting for threads to end: %s", names(started)).isBefore(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits until every thread started since {@code before} has ended. */
    private static void awaitNoneNewSince(Set<Thread> before) throws InterruptedException {
        Instant deadline = Instant.now().plus(SETTLE);
        while (true) {
            Set<Thread> added = newSince(before);
            if (added.isEmpty()) {
                return;
            }
            assertThat(Instant.now()).as("waiting for the threads started by the backend to end: %s", names(added))
                    .isBefore(deadline);
            Thread.sleep(20);
        }
    }

    private static Set<Thread> newSince(Set<Thread> initial) {
        Set<Thread> now = liveThreads();
        now.removeAll(initial);
        return now;
    }

    /**
     * The live threads but those of the in-process S3 server, whose pool grows and shrinks with its
     * load (they run S3Proxy's shaded Jetty), and those of the JDK's pool of file reads, which is
     * the JVM's, not the backend's ({@link JdkFileReadThreads}).
     */
    private static Set<Thread> liveThreads() {
        Set<Thread> threads = new HashSet<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.isAlive() && !thread.getName().startsWith(JdkFileReadThreads.PREFIX)
                    && Arrays.stream(stack).noneMatch(frame -> frame.getClassName().startsWith("org.gaul."))) {
                threads.add(thread);
            }
        });
        return threads;
    }

    private static Set<String> names(Set<Thread> threads) {
        return threads.stream().map(Thread::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    private static ThreadFactory named(String prefix) {
        return task -> {
            Thread t = new Thread(task, prefix + "-" + System.nanoTime());
            t.setDaemon(true);
            return t;
        };
    }
}
