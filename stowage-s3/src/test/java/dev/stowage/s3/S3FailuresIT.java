package dev.stowage.s3;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.testkit.S3TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * How {@link S3Backend} fails against wrong settings and misbehaving servers: the right kind and a
 * one-line message naming the operation, key and backend, within the configured timeouts, without
 * SDK retries, and without multipart uploads or parts left behind.
 */
class S3FailuresIT {
    private static final String KEY = "docs/report.txt";
    private static final String FAKE_BUCKET = "fake-bucket";
    private static final List<Operation> OPERATIONS = List.of(Operation.UPLOAD, Operation.STAT, Operation.DELETE);
    /** Enough calls that the SDK's Netty client, left to itself, leaves some unanswered (one in ten or twenty). */
    private static final int CALLS_TO_UNREACHABLE = 200;

    @TempDir
    static Path dir;
    static Path small;
    static Path large;

    @BeforeAll
    static void files() throws Exception {
        small = Files.writeString(dir.resolve("small.txt"), "hello, failures");
        byte[] bytes = new byte[11 << 20];
        new Random(7).nextBytes(bytes);
        large = Files.write(dir.resolve("large.bin"), bytes);
    }

    @ParameterizedTest
    @EnumSource(names = {"UPLOAD", "STAT", "DELETE"})
    void aWrongSecretIsAccessDeniedNamingTheSettingButNoSecret(Operation op) throws Exception {
        String bucket = server().createBucket();
        String wrongSecret = "wrong-secret-" + UUID.randomUUID();
        S3Config config = shortTimeouts(TestS3.config(S3Preset.GENERIC, bucket)
                .credentials(server().accessKeyId(), wrongSecret)).build();
        try (S3Backend s3 = S3Backend.create(config)) {
            StorageException e = failure(op, start(s3, op), bucket, ErrorKind.ACCESS_DENIED);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains("secret_access_key");
            assertThat(stackTrace(e)).doesNotContain(wrongSecret, server().secretAccessKey());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"UPLOAD", "STAT", "DELETE"})
    void anUnknownAccessKeyIsAccessDenied(Operation op) throws Exception {
        String bucket = server().createBucket();
        S3Config config = shortTimeouts(TestS3.config(S3Preset.GENERIC, bucket)
                .credentials("AKIDUNKNOWN0000", server().secretAccessKey())).build();
        try (S3Backend s3 = S3Backend.create(config)) {
            StorageException e = failure(op, start(s3, op), bucket, ErrorKind.ACCESS_DENIED);
            assertThat(e.isRetryable()).isFalse();
            assertThat(stackTrace(e)).doesNotContain(server().secretAccessKey());
        }
    }

    /** Stat included: a missing bucket must not pass for a missing key. */
    @ParameterizedTest
    @EnumSource(names = {"UPLOAD", "STAT", "DELETE"})
    void aMissingBucketIsInvalidConfigNamingTheBucket(Operation op) throws Exception {
        String bucket = "missing-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Backend s3 = S3Backend.create(shortTimeouts(TestS3.config(S3Preset.GENERIC, bucket)).build())) {
            StorageException e = failure(op, start(s3, op), bucket, ErrorKind.INVALID_CONFIG);
            assertThat(e.detail()).contains("'" + bucket + "'");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"UPLOAD", "STAT", "DELETE"})
    void anEndpointWithNothingListeningIsUnavailableAndRetryable(Operation op) throws Exception {
        try (RefusingPort refusing = new RefusingPort();
             S3Backend s3 = S3Backend.create(fake(refusing.port()).build())) {
            StorageException e = failure(op, start(s3, op), FAKE_BUCKET, ErrorKind.UNAVAILABLE);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.detail()).startsWith("cannot connect to http://127.0.0.1:" + refusing.port());
        }
    }

    /**
     * Every call says it cannot connect, none waits for request_timeout: the SDK's Netty client
     * alone now and then loses the failure of a connection to a host that has not answered yet
     * (see {@link ProbingHttpClient}).
     */
    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void everyCallToAnEndpointWithNothingListeningSaysItCannotConnect(S3HttpClient client) throws Exception {
        try (RefusingPort refusing = new RefusingPort();
             S3Backend s3 = S3Backend.create(fake(refusing.port()).httpClient(client).build())) {
            for (int call = 0; call < CALLS_TO_UNREACHABLE; call++) {
                StorageException e = failure(Operation.STAT, s3.stat(KEY), FAKE_BUCKET, ErrorKind.UNAVAILABLE);
                assertThat(e.detail()).as("call %d", call).startsWith("cannot connect to http://127.0.0.1:" + refusing.port());
            }
        }
    }

    /** The same for a host name that does not resolve (.invalid never does, RFC 6761). */
    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void everyCallToAnEndpointThatDoesNotResolveSaysSo(S3HttpClient client) throws Exception {
        S3Config config = shortTimeouts(S3Config.builder(S3Preset.GENERIC).endpointUrl("http://s3.stowage.invalid")
                .bucketName(FAKE_BUCKET).credentials("AKIDFAKE0000", "fake-secret-key")).httpClient(client).build();
        // The CRT asks the resolver again at every call (about 0.1 s each here), where the JDK keeps a failed lookup.
        int calls = client == S3HttpClient.CRT ? CALLS_TO_UNREACHABLE / 10 : CALLS_TO_UNREACHABLE;
        try (S3Backend s3 = S3Backend.create(config)) {
            for (int call = 0; call < calls; call++) {
                StorageException e = failure(Operation.STAT, s3.stat(KEY), FAKE_BUCKET, ErrorKind.UNAVAILABLE);
                assertThat(e.detail()).as("call %d", call).startsWith("unknown host s3.stowage.invalid");
            }
        }
    }

    /**
     * Calls to a host that has answered go straight to the SDK's client, which fails them at once
     * when the host stops: it loses only failures of connections to a host that has not answered yet.
     */
    @ParameterizedTest
    @EnumSource(S3HttpClient.class)
    void everyCallToAnEndpointThatAnsweredAndStoppedSaysItCannotConnect(S3HttpClient client) throws Exception {
        try (ErrorAnsweringServer server = new ErrorAnsweringServer(403, "AccessDenied", "Access Denied");
             S3Backend s3 = S3Backend.create(fake(server.port()).httpClient(client).build())) {
            failure(Operation.STAT, s3.stat(KEY), FAKE_BUCKET, ErrorKind.ACCESS_DENIED);
            server.close();
            // The first call may still find the connection the server closed in the pool.
            failure(Operation.STAT, s3.stat(KEY), FAKE_BUCKET, ErrorKind.UNAVAILABLE);
            for (int call = 0; call < CALLS_TO_UNREACHABLE; call++) {
                StorageException e = failure(Operation.STAT, s3.stat(KEY), FAKE_BUCKET, ErrorKind.UNAVAILABLE);
                assertThat(e.detail()).as("call %d", call).startsWith("cannot connect to http://127.0.0.1:" + server.port());
            }
        }
    }

    /** The three operations at once, so that the test takes one socket_timeout, not three. */
    @Test
    void aServerThatNeverAnswersIsUnavailableWithinTheTimeouts() throws Exception {
        try (StalledServer stalled = new StalledServer();
             S3Backend s3 = S3Backend.create(fake(stalled.port()).build())) {
            long start = System.nanoTime();
            Map<Operation, CompletableFuture<?>> calls = new EnumMap<>(Operation.class);
            OPERATIONS.forEach(op -> calls.put(op, start(s3, op)));
            for (Operation op : OPERATIONS) {
                StorageException e = failure(op, calls.get(op), FAKE_BUCKET, ErrorKind.UNAVAILABLE);
                assertThat(e.isRetryable()).isTrue();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isLessThan(Duration.ofSeconds(8)); // call_timeout is 5 s
            assertThat(stalled.connections()).isPositive();
        }
    }

    static Stream<Arguments> errorAnswers() {
        return Stream.of(
                Arguments.of(503, "SlowDown", "Please reduce your request rate.", ErrorKind.RATE_LIMITED, true),
                Arguments.of(500, "InternalError", "We encountered an internal error. Please try again.", ErrorKind.UNAVAILABLE, true),
                Arguments.of(403, "AccessDenied", "Access Denied", ErrorKind.ACCESS_DENIED, false))
                .flatMap(a -> OPERATIONS.stream().map(op -> Arguments.of(op, a.get()[0], a.get()[1], a.get()[2], a.get()[3], a.get()[4])));
    }

    @ParameterizedTest(name = "{0} answered {1} {2}")
    @MethodSource("errorAnswers")
    void anErrorAnswerHasItsKindAfterExactlyOneRequest(Operation op, int status, String code, String message,
                                                       ErrorKind kind, boolean retryable) throws Exception {
        try (ErrorAnsweringServer server = new ErrorAnsweringServer(status, code, message);
             S3Backend s3 = S3Backend.create(fake(server.port()).build())) {
            StorageException e = failure(op, start(s3, op), FAKE_BUCKET, kind);
            assertThat(e.isRetryable()).as(e.getMessage()).isEqualTo(retryable);
            assertThat(server.requests()).as("no SDK retries").hasSize(1);
        }
    }

    @Test
    void aMultipartUploadWhosePartFailsIsAbortedAndLeavesNothing() throws Exception {
        String bucket = server().createBucket();
        ExecutionInterceptor failPartTwo = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission ctx, ExecutionAttributes attributes) {
                if (ctx.request() instanceof UploadPartRequest && ((UploadPartRequest) ctx.request()).partNumber() == 2) {
                    throw new IllegalStateException("part 2 fails on purpose");
                }
            }
        };
        RecordedRequests recorded = new RecordedRequests();
        try (S3Backend s3 = S3Backend.builder(multipart(bucket)).interceptor(recorded).interceptor(failPartTwo).build()) {
            failure(Operation.UPLOAD, s3.uploadFile(large, KEY), bucket, null);
            assertThat(recorded.of("AbortMultipartUploadRequest")).hasSize(1);
            assertNothingLeftOnceEveryRequestEnded(recorded, bucket);
        }
    }

    @Test
    void cancellingAMultipartUploadInFlightAbortsItAndLeavesNothing() throws Exception {
        String bucket = server().createBucket();
        CompletableFuture<Void> firstPartSeen = new CompletableFuture<>();
        CountDownLatch cancelled = new CountDownLatch(1);
        ExecutionInterceptor holdFirstPart = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission ctx, ExecutionAttributes attributes) {
                if (ctx.request() instanceof UploadPartRequest && firstPartSeen.complete(null)) {
                    try {
                        cancelled.await(10, SECONDS); // the part stays in flight until the caller has cancelled
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        RecordedRequests recorded = new RecordedRequests();
        try (S3Backend s3 = S3Backend.builder(multipart(bucket)).interceptor(recorded).interceptor(holdFirstPart).build()) {
            CompletableFuture<?> upload = s3.uploadFile(large, KEY);
            firstPartSeen.get(20, SECONDS);
            assertThat(server().multipartUploads(bucket)).containsExactly(KEY);

            assertThat(upload.cancel(true)).isTrue();
            cancelled.countDown();

            assertThat(upload).isCancelled();
            awaitUntil("the upload to be aborted", () -> !recorded.of("AbortMultipartUploadRequest").isEmpty());
            assertThat(recorded.of("CompleteMultipartUploadRequest")).isEmpty();
            assertNothingLeftOnceEveryRequestEnded(recorded, bucket);
        }
    }

    /**
     * Waits for every SDK call to end (a part still in flight may land after the abort), then
     * checks that the bucket holds neither a multipart upload nor an object nor a stray part.
     */
    private static void assertNothingLeftOnceEveryRequestEnded(RecordedRequests recorded, String bucket) throws Exception {
        awaitUntil("every request to end", () -> recorded.running() == 0);
        awaitUntil("no multipart upload left in " + bucket, () -> server().multipartUploads(bucket).isEmpty());
        assertThat(server().keys(bucket)).as("objects and parts in " + bucket).isEmpty();
    }

    private static CompletableFuture<?> start(S3Backend s3, Operation op) {
        switch (op) {
            case UPLOAD:
                return s3.uploadFile(small, KEY);
            case STAT:
                return s3.stat(KEY);
            case DELETE:
                return s3.deleteFile(KEY);
            default:
                throw new IllegalArgumentException(op.toString());
        }
    }

    /**
     * How the call failed: a {@link StorageException} of the kind (any kind if {@code null}) whose
     * message is one line naming the operation, key and backend.
     */
    private static StorageException failure(Operation op, CompletableFuture<?> future, String bucket, ErrorKind kind) {
        Throwable thrown = catchThrowable(() -> future.get(20, SECONDS));
        assertThat(thrown).as("%s of %s", op, KEY).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).as("%s of %s", op, KEY).isInstanceOf(StorageException.class);
        StorageException e = (StorageException) thrown.getCause();
        if (kind != null) {
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
        }
        assertThat(e.operation()).isEqualTo(op);
        assertThat(e.getMessage()).doesNotContain("\n", "\r").doesNotContainPattern("\\bnull\\b")
                .contains(" at " + op + " [", "backend=s3:" + bucket, "key=" + KEY);
        return e;
    }

    private static S3TestServer server() {
        return TestS3.server();
    }

    /** Short timeouts, so that a stalled server fails the call fast instead of hanging it. */
    private static S3Config.Builder shortTimeouts(S3Config.Builder config) {
        return config.connectTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(3)).callTimeout(Duration.ofSeconds(5));
    }

    /** A configuration for a fake server on 127.0.0.1. */
    private static S3Config.Builder fake(int port) {
        return shortTimeouts(S3Config.builder(S3Preset.GENERIC).endpointUrl("http://127.0.0.1:" + port)
                .bucketName(FAKE_BUCKET).credentials("AKIDFAKE0000", "fake-secret-key"));
    }

    private static S3Config multipart(String bucket) {
        return shortTimeouts(TestS3.config(S3Preset.GENERIC, bucket))
                .multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).build();
    }

    private static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** Polls a condition for at most 10 seconds. */
    private static void awaitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
