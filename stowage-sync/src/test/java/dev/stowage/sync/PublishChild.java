package dev.stowage.sync;

import dev.stowage.StorageBackend;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.local.LocalBackend;
import dev.stowage.memory.MemoryBackend;
import dev.stowage.s3.S3Backend;
import dev.stowage.s3.S3Config;
import dev.stowage.s3.S3Preset;
import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child process of {@link CrashIT}: publishes a folder, or holds its state, in a JVM of its own
 * for the test to kill.
 *
 * <pre>
 * PublishChild publish ROOT STATE local TARGET_FOLDER BASE_URL
 * PublishChild publish ROOT STATE s3 ENDPOINT BUCKET PREFIX [PART_SIZE]   (credentials in the environment, see below)
 * PublishChild hold ROOT STATE
 * </pre>
 *
 * <p>It prints {@code ready <pid>} once the state is open (and, publishing, just before the run
 * begins), {@code uploaded <n>} every 100 files, {@code sent <bytes>} as parts of files in parts go
 * up (with a {@code PART_SIZE}, files of that size or more go in parts of it), and {@code complete}
 * or {@code incomplete} with the
 * run's summary at the end; {@code hold} then waits. S3 credentials come from
 * {@value #ACCESS_KEY_ENV} and {@value #SECRET_KEY_ENV}, never from the command line. The process
 * exits when its standard input ends, so that it never outlives the test JVM; and a holding child
 * after a minute at most.
 */
public final class PublishChild {
    static final String ACCESS_KEY_ENV = "STOWAGE_CHILD_ACCESS_KEY_ID";
    static final String SECRET_KEY_ENV = "STOWAGE_CHILD_SECRET_ACCESS_KEY";
    static final int COMPLETE = 0;
    static final int INCOMPLETE = 1;
    static final int USAGE = 2;
    private static final Duration HOLD_LIMIT = Duration.ofMinutes(1);

    private PublishChild() {
    }

    public static void main(String[] args) throws Exception {
        exitWhenStdinEnds();
        if (args.length < 3) {
            usage(args);
        }
        Path root = Path.of(args[1]);
        Path state = Path.of(args[2]);
        switch (args[0]) {
            case "hold" -> hold(root, state);
            case "publish" -> publish(root, state, Arrays.copyOfRange(args, 3, args.length));
            default -> usage(args);
        }
    }

    private static void hold(Path root, Path state) throws InterruptedException {
        try (MemoryBackend memory = MemoryBackend.builder().baseUrl("https://cdn.example.com/").build();
             CacheManager manager = CacheManager.builder(root, memory).stateFile(state).build()) {
            System.out.println("ready " + ProcessHandle.current().pid());
            Thread.sleep(HOLD_LIMIT.toMillis());
            System.out.println("held for " + HOLD_LIMIT + ": exiting " + manager);
        }
    }

    private static void publish(Path root, Path state, String[] target) {
        AtomicLong uploaded = new AtomicLong();
        PublishListener progress = new PublishListener() {
            private final AtomicLong sent = new AtomicLong();

            @Override
            public void bytesSent(String key, long bytes) {
                System.out.println("sent " + sent.addAndGet(bytes));
            }

            @Override
            public void uploaded(String key, long size) {
                long n = uploaded.incrementAndGet();
                if (n % 100 == 0) {
                    System.out.println("uploaded " + n);
                }
            }
        };
        PublishReport report;
        try (StorageBackend backend = backend(target);
             CacheManager manager = CacheManager.builder(root, backend).stateFile(state).listener(progress)
                     .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(100), 0.5)).build()) {
            System.out.println("ready " + ProcessHandle.current().pid());
            report = manager.publish().join();
        }
        System.out.println((report.complete() ? "complete " : "incomplete ") + report.summary());
        System.exit(report.complete() ? COMPLETE : INCOMPLETE);
    }

    private static StorageBackend backend(String[] target) {
        if (target.length == 3 && target[0].equals("local")) {
            return LocalBackend.builder().basePath(Path.of(target[1])).baseUrl(target[2]).ownsFiles(true).build();
        }
        if ((target.length == 4 || target.length == 5) && target[0].equals("s3")) {
            S3Config.Builder config = S3Config.builder(S3Preset.GENERIC)
                    .endpointUrl(target[1])
                    .region(S3TestServer.REGION)
                    .pathStyle(true)
                    .bucketName(target[2])
                    .bucketPrefix(target[3])
                    .credentials(requireEnv(ACCESS_KEY_ENV), requireEnv(SECRET_KEY_ENV));
            if (target.length == 5) {
                long partSize = Long.parseLong(target[4]);
                config.multipartThresholdBytes(partSize).partSizeBytes(partSize);
            }
            return S3Backend.create(config.build());
        }
        throw new IllegalArgumentException("target must be 'local FOLDER BASE_URL' or 's3 ENDPOINT BUCKET PREFIX [PART_SIZE]': "
                + String.join(" ", target));
    }

    private static String requireEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the environment variable " + name + " is required");
        }
        return value;
    }

    /** The parent holds the other end of standard input: when it ends, the parent is gone. */
    private static void exitWhenStdinEnds() {
        Thread watch = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // Nothing is sent: only the end matters.
                }
            } catch (IOException e) {
                // Standard input is gone: the same as its end.
            }
            Runtime.getRuntime().halt(USAGE + 1);
        }, "stdin-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static void usage(String[] args) {
        System.err.println("usage: PublishChild publish ROOT STATE (local FOLDER BASE_URL | s3 ENDPOINT BUCKET PREFIX)"
                + " | hold ROOT STATE; got " + String.join(" ", args));
        System.exit(USAGE);
    }
}
