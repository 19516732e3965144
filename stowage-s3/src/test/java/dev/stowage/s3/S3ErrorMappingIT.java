package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.internal.Futures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * What {@link S3ErrorMapping} makes of failures that the SDK's own client raises, against servers
 * on 127.0.0.1 that misbehave on purpose and against local files that cannot be sent: the shapes
 * that {@code S3ErrorMappingTest} builds by hand, and the SDK texts that the mapping has to match.
 */
class S3ErrorMappingIT {
    private static final String BUCKET = "fake-bucket";
    private static final String KEY = "docs/report.txt";
    private static final AwsCredentialsProvider FAKE_KEYS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFAKE0000", "fake-secret-key"));

    @TempDir
    static Path dir;

    /** What the client is asked to do. */
    @FunctionalInterface
    interface Call {
        CompletableFuture<?> start(S3AsyncClient client) throws Exception;
    }

    /** Each case for each HTTP client, with what the message mentions under that client. */
    static Stream<Arguments> clientFailures() {
        return cases().flatMap(c -> Stream.of(S3HttpClient.values()).map(client -> {
            Object[] a = c.get();
            return Arguments.of(a[0] + " (" + client + ")", client, a[1], a[2], a[3], a[4], a[5], a[6],
                    client == S3HttpClient.NETTY ? a[7] : a[8]);
        }));
    }

    /** name, server, credentials, call, operation, kind, retryable, what the message says under Netty, and under the CRT. */
    private static Stream<Arguments> cases() {
        String sendFailed = "failed: Unable to execute HTTP request: ";
        return Stream.of(
                Arguments.of("nothing listens", (Supplier<FakeServer>) FakeServer::nothingListening, FAKE_KEYS, head(),
                        Operation.STAT, ErrorKind.UNAVAILABLE, true, "cannot connect to http://127.0.0.1:", "cannot connect to http://127.0.0.1:"),
                Arguments.of("reset after the request head", answer(S3ErrorMappingIT::reset), FAKE_KEYS, head(),
                        Operation.STAT, ErrorKind.UNAVAILABLE, true, sendFailed + "Connection reset", sendFailed),
                Arguments.of("reset while the body is sent", answer(S3ErrorMappingIT::reset), FAKE_KEYS, put(8),
                        Operation.UPLOAD, ErrorKind.UNAVAILABLE, true, sendFailed, sendFailed),
                Arguments.of("closed without an answer", answer(Socket::close), FAKE_KEYS, head(),
                        Operation.STAT, ErrorKind.UNAVAILABLE, true, sendFailed + "The connection was closed", sendFailed),
                Arguments.of("response shorter than its Content-Length", answer(S3ErrorMappingIT::truncated), FAKE_KEYS, get(),
                        Operation.READ, ErrorKind.UNAVAILABLE, true, sendFailed + "Response had content-length of 100", sendFailed),
                Arguments.of("no answer for longer than socket_timeout", answer(S3ErrorMappingIT::hold), FAKE_KEYS, head(),
                        Operation.STAT, ErrorKind.UNAVAILABLE, true, "stalled for longer than socket_timeout: ReadTimeoutException",
                        "stalled for longer than socket_timeout: Http connection channel shut down due to failure to meet throughput minimum"),
                // The write and the read timeouts are both socket_timeout: either may end it first.
                Arguments.of("body not read for longer than socket_timeout", answer(S3ErrorMappingIT::hold), FAKE_KEYS, put(32),
                        Operation.UPLOAD, ErrorKind.UNAVAILABLE, true, "stalled for longer than socket_timeout: ",
                        "stalled for longer than socket_timeout: "),
                Arguments.of("a folder as the file to send", answer(S3ErrorMappingIT::drain), FAKE_KEYS,
                        (Call) c -> c.putObject(r -> r.bucket(BUCKET).key(KEY), AsyncRequestBody.fromFile(dir)),
                        Operation.UPLOAD, ErrorKind.IO, false, "cannot read the source file: Is a directory",
                        "cannot read the source file: Is a directory"),
                Arguments.of("a file shorter than announced", answer(S3ErrorMappingIT::drain), FAKE_KEYS, shortFile(),
                        Operation.UPLOAD, ErrorKind.INTEGRITY, true, "the file changed while it was uploaded: Fewer bytes were read",
                        "the file changed while it was uploaded: Fewer bytes were read"),
                Arguments.of("no credentials in the chain", answer(S3ErrorMappingIT::drain), noCredentials(), head(),
                        Operation.STAT, ErrorKind.INVALID_CONFIG, false, "no credentials found", "no credentials found"),
                Arguments.of("a caller's provider that fails", answer(S3ErrorMappingIT::drain), new SealedVault(), head(),
                        Operation.STAT, ErrorKind.INVALID_CONFIG, false, "no credentials found", "no credentials found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientFailures")
    void clientFailure_hasItsKindAndRetryFlag(String name, S3HttpClient httpClient, Supplier<FakeServer> server,
                                              AwsCredentialsProvider credentials, Call call, Operation op, ErrorKind kind,
                                              boolean retryable, String mentions) throws Exception {
        try (FakeServer fake = server.get()) {
            S3Config config = S3Config.builder(S3Preset.GENERIC).endpointUrl("http://127.0.0.1:" + fake.port()).bucketName(BUCKET)
                    .httpClient(httpClient)
                    // The CRT client watches for stalls in whole seconds, two at least.
                    .connectTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(httpClient == S3HttpClient.CRT ? 2 : 1))
                    // Far longer than any case needs: a client's first call can take seconds on a loaded
                    // machine (class loading, the event loop), and must not turn a refusal into a timeout.
                    .requestTimeout(Duration.ofSeconds(45)).callTimeout(Duration.ofSeconds(50)).build();
            Throwable failure;
            try (S3AsyncClient client = S3Clients.client(config, credentials, List.of())) {
                failure = Futures.unwrap(catchThrowable(() -> call.start(client).get(60, TimeUnit.SECONDS)));
            }
            assertThat(failure).as(name).isNotNull();
            StorageException e = new S3ErrorMapping(config).map(failure, op).operation(op).key(KEY).cause(failure).build();
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
            assertThat(e.isRetryable()).as(e.getMessage()).isEqualTo(retryable);
            assertThat(e.detail()).contains(mentions);
            assertThat(e.getMessage()).doesNotContain("\n", "\r", "fake-secret-key");
        }
    }

    /**
     * The multipart upload is gone: no retry of the same request can help. (S3Proxy checks upload
     * ids when aborting, not when storing a part; the answer is the same NoSuchUpload.)
     */
    @Test
    void multipartUploadThatIsGone_isConflictAndNotRetryable() throws Exception {
        String bucket = TestS3.server().createBucket();
        S3Config config = TestS3.config(S3Preset.GENERIC, bucket).build();
        Throwable failure;
        try (S3AsyncClient client = S3Clients.client(config, S3Clients.credentials(config), List.of())) {
            String uploadId = client.createMultipartUpload(r -> r.bucket(bucket).key(KEY)).get(20, TimeUnit.SECONDS).uploadId();
            client.abortMultipartUpload(r -> r.bucket(bucket).key(KEY).uploadId(uploadId)).get(20, TimeUnit.SECONDS);
            failure = Futures.unwrap(catchThrowable(() -> client.abortMultipartUpload(r -> r.bucket(bucket).key(KEY)
                    .uploadId(uploadId)).get(20, TimeUnit.SECONDS)));
        }
        StorageException e = new S3ErrorMapping(config).map(failure, Operation.UPLOAD).build();
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.CONFLICT);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.detail()).startsWith("the multipart upload was aborted or completed meanwhile: NoSuchUpload (HTTP 404)");
    }

    private static Call head() {
        return c -> c.headObject(r -> r.bucket(BUCKET).key(KEY));
    }

    private static Call get() {
        return c -> c.getObject(r -> r.bucket(BUCKET).key(KEY), AsyncResponseTransformer.toBytes());
    }

    /** A PUT of a file of {@code mib} MiB. */
    private static Call put(int mib) {
        return c -> c.putObject(r -> r.bucket(BUCKET).key(KEY), AsyncRequestBody.fromFile(TestS3.randomFile(dir, mib)));
    }

    /** A PUT that announces one byte more than the file holds: the SDK's file body runs out early. */
    private static Call shortFile() {
        return c -> {
            Path file = Files.writeString(dir.resolve("short.txt"), "hello, file");
            long size = Files.size(file);
            return c.putObject(r -> r.bucket(BUCKET).key(KEY).contentLength(size + 1),
                    AsyncRequestBody.fromFile(b -> b.path(file).position(0L).numBytesToRead(size + 1)));
        };
    }

    /** A chain whose one provider reads a profile file without credentials. */
    private static AwsCredentialsProvider noCredentials() {
        ProfileFile empty = ProfileFile.builder().content(new ByteArrayInputStream(new byte[0]))
                .type(ProfileFile.Type.CREDENTIALS).build();
        return AwsCredentialsProviderChain.of(ProfileCredentialsProvider.builder().profileFile(empty).profileName("stowage").build());
    }

    /** A provider of the caller's own, whose secret store is closed. */
    private static final class SealedVault implements AwsCredentialsProvider {
        @Override
        public AwsCredentials resolveCredentials() {
            throw new IllegalStateException("the vault is sealed");
        }
    }

    /** Answers each connection, after reading the request head, with {@code action}. */
    private static Supplier<FakeServer> answer(SocketAction action) {
        return () -> new FakeServer(action);
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0); // closing sends RST instead of FIN
        socket.close();
    }

    private static void truncated(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        socket.close();
    }

    /** Keeps the connection open, reading nothing more, until the server closes. */
    private static void hold(Socket socket) {
    }

    /** Reads whatever comes and never answers. */
    private static void drain(Socket socket) throws IOException {
        socket.getInputStream().transferTo(OutputStream.nullOutputStream());
    }

    @FunctionalInterface
    interface SocketAction {
        void on(Socket socket) throws IOException;
    }

    /**
     * A server on 127.0.0.1 that reads each request's head and then does its action; connections
     * it does not close stay open until {@link #close()}. Its threads are daemons.
     */
    static final class FakeServer implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        FakeServer(SocketAction action) {
            try {
                server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        Thread worker = new Thread(() -> {
                            try {
                                readHead(socket.getInputStream());
                                action.on(socket);
                            } catch (IOException e) {
                                // the client went away first
                            }
                        }, "fake-s3-connection");
                        worker.setDaemon(true);
                        worker.start();
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "fake-s3-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /** Nothing listens on its port. */
        static FakeServer nothingListening() {
            FakeServer closed = new FakeServer(socket -> { });
            closed.close();
            return closed;
        }

        int port() {
            return server.getLocalPort();
        }

        private static void readHead(InputStream in) throws IOException {
            int lineEnds = 0;
            for (int c = in.read(); c != -1; c = in.read()) {
                lineEnds = c == '\n' ? lineEnds + 1 : c == '\r' ? lineEnds : 0;
                if (lineEnds == 2) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            try {
                server.close();
                for (Socket socket : accepted) {
                    socket.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
