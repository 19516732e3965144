package dev.stowage.s3;

import dev.stowage.StorageBackend;
import dev.stowage.testkit.S3TestServer;
import dev.stowage.testkit.StorageBackendContract;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link S3Backend} against the backend contract, on a real S3 server, one fresh bucket per test.
 * The server is this class's own, not the shared one: it is started from a thread group of its own,
 * so that every thread it starts, then or when busy, is told apart from the backend's when the
 * contract checks that close() ends the backend's threads.
 */
class S3BackendContractIT extends StorageBackendContract {
    private static final ThreadGroup SERVER_THREADS = new ThreadGroup("s3-test-server");
    private static S3TestServer server;
    private String bucket;

    @BeforeAll
    static void startServer() throws Exception {
        FutureTask<S3TestServer> start = new FutureTask<>(S3TestServer::start);
        new Thread(SERVER_THREADS, start, "s3-test-server-start").start();
        server = start.get();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private S3Config config() {
        return S3Config.builder(S3Preset.GENERIC)
                .endpointUrl(server.endpoint().toString())
                .region(S3TestServer.REGION)
                .pathStyle(true)
                .bucketName(bucket)
                .credentials(server.accessKeyId(), server.secretAccessKey())
                .build();
    }

    @Override
    protected StorageBackend createBackend() {
        bucket = server.createBucket();
        return S3Backend.create(config());
    }

    @Override
    protected Optional<StorageBackend> createBackendOn(Executor executor) {
        return Optional.of(S3Backend.builder(config()).executor(executor).build());
    }

    /** The test server keeps objects in memory: each test's bucket goes once the test is over. */
    @AfterEach
    void deleteBucket() {
        if (bucket != null) {
            server.deleteBucket(bucket);
        }
    }

    @Override
    protected Optional<byte[]> readObject(String key) {
        return server.read(bucket, key);
    }

    @Override
    protected Set<String> storedNames() {
        return Set.copyOf(server.keys(bucket));
    }

    /** A cancelled multipart upload is aborted in the background. */
    @Override
    protected void awaitNoLeftovers() throws Exception {
        awaitUntil("no multipart upload is left in " + bucket, () -> server.multipartUploads(bucket).isEmpty());
    }

    /**
     * Threads that are not this backend's own, or that every S3 backend in the JVM shares by design:
     * <ul>
     *   <li>the test server's, started from {@link #SERVER_THREADS};</li>
     *   <li>the JDK's default pool for asynchronous file channels, through which the SDK's file
     *       request bodies read: daemon threads that end after 60 s idle, named by
     *       {@link JdkFileReadThreads} in these tests.</li>
     * </ul>
     * Everything else a backend starts (its I/O, MD5 and timer threads, its HTTP client's event
     * loops) is its own, and its close() must end it.
     */
    @Override
    protected boolean mayOutliveTheBackend(Thread thread) {
        ThreadGroup group = thread.getThreadGroup();
        String name = thread.getName();
        return (group != null && SERVER_THREADS.parentOf(group)) || name.startsWith(JdkFileReadThreads.PREFIX);
    }
}
