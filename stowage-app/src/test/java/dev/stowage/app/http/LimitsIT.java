package dev.stowage.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's limits, and how it starts and stops. */
class LimitsIT {
    @TempDir
    Path dir;

    private HttpSettings settings() throws IOException {
        Path root = Files.createDirectories(dir.resolve("site"));
        Files.writeString(root.resolve("a.txt"), "plain a");
        return HttpSettings.defaults(root).withPort(0);
    }

    /** Sends {@code GET /big.bin} on {@code socket}; a small receive buffer keeps most of the file on the server's side until read. */
    private static InputStream startDownload(Socket socket, int port) throws IOException {
        socket.setReceiveBufferSize(64 * 1024);
        socket.setSoTimeout(RawHttp.TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.getOutputStream().write(get(port, "/big.bin").getBytes(StandardCharsets.ISO_8859_1));
        return new BufferedInputStream(socket.getInputStream());
    }

    private static String get(int port, String target, String... headerLines) {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    @Test
    void oversizedHeader_431() throws IOException {
        try (HttpServer server = HttpServer.start(settings().withMaxHeaderBytes(2048))) {
            RawHttp.Reply fits = RawHttp.exchange(server.port(), get(server.port(), "/a.txt", "Connection: close", "X-Filler: " + "a".repeat(1000)));
            RawHttp.Reply big = RawHttp.exchange(server.port(), get(server.port(), "/a.txt", "Connection: close", "X-Filler: " + "a".repeat(4000)));

            assertThat(fits.status()).isEqualTo(200);
            assertThat(big.status()).isEqualTo(431);
            assertThat(big.text()).doesNotContain("plain a");
        }
    }

    @Test
    void oversizedRequestLine_414() throws IOException {
        try (HttpServer server = HttpServer.start(settings().withMaxHeaderBytes(2048))) {
            RawHttp.Reply reply = RawHttp.get(server.port(), "/" + "a".repeat(4000) + ".txt");

            assertThat(reply.status()).isEqualTo(414);
        }
    }

    @Test
    void idleConnection_closedAfterIdleTimeout() throws IOException {
        try (HttpServer server = HttpServer.start(settings().withIdleTimeout(Duration.ofMillis(300)));
                Socket socket = RawHttp.connect(server.port())) {
            long start = System.nanoTime();

            int read = socket.getInputStream().read();

            assertThat(read).as("the server closed the silent connection").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
    }

    @Test
    void maxConnections_nextOneWaitsUntilOneCloses() throws IOException {
        try (HttpServer server = HttpServer.start(settings().withMaxConnections(1))) {
            int port = server.port();
            Socket first = RawHttp.connect(port);
            first.getOutputStream().write(get(port, "/a.txt").getBytes(StandardCharsets.ISO_8859_1));
            assertThat(RawHttp.read(first.getInputStream()).status()).as("the first is served, and kept open").isEqualTo(200);

            try (Socket second = RawHttp.connect(port)) {
                second.getOutputStream().write(get(port, "/a.txt", "Connection: close").getBytes(StandardCharsets.ISO_8859_1));
                // A negative check needs a bound: half a second without an answer while the first is open.
                second.setSoTimeout(500);
                assertThatThrownBy(() -> second.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

                first.close();
                second.setSoTimeout(RawHttp.TIMEOUT_MILLIS);
                RawHttp.Reply reply = RawHttp.read(second.getInputStream());

                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.text()).isEqualTo("plain a");
            }
        }
    }

    @Test
    void close_waitsForDownloadInFlight_thenRefusesConnections() throws Exception {
        HttpSettings settings = settings().withStopTimeout(Duration.ofSeconds(60));
        long size = 64L << 20;
        byte[] expected = writeRandomFile(settings.root().resolve("big.bin"), size);
        HttpServer server = HttpServer.start(settings);
        int port = server.port();
        CompletableFuture<Void> closing;
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long count = 0;

        try (Socket socket = new Socket()) {
            InputStream in = startDownload(socket, port);
            RawHttp.Reply head = RawHttp.readHead(in);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Long.toString(size));
            count += copy(in, received, 1 << 20);

            closing = CompletableFuture.runAsync(server::close, runnable -> new Thread(runnable, "closing").start());
            await(() -> refused(port), Duration.ofSeconds(10));
            assertThat(closing).as("close waits while the download is in flight").isNotDone();

            count += copy(in, received, size - count);
            assertThat(in.read()).as("the response ends, and the connection with it").isEqualTo(-1);
        }
        closing.get(30, TimeUnit.SECONDS);

        assertThat(count).isEqualTo(size);
        assertThat(received.digest()).as("byte-exact").isEqualTo(expected);
        assertThat(refused(port)).as("refused after close").isTrue();
    }

    /** A client that pauses (rate limiting, a slow phone) is not cut off: only idleTimeout and stopTimeout bound the stop. */
    @Test
    void close_downloadThatPausesForSeconds_stillCompletes() throws Exception {
        HttpSettings settings = settings().withStopTimeout(Duration.ofSeconds(60)).withIdleTimeout(Duration.ofSeconds(30));
        long size = 16L << 20;
        byte[] expected = writeRandomFile(settings.root().resolve("big.bin"), size);
        HttpServer server = HttpServer.start(settings);
        int port = server.port();
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        CompletableFuture<Void> closing;
        long count;

        try (Socket socket = new Socket()) {
            InputStream in = startDownload(socket, port);
            assertThat(RawHttp.readHead(in).status()).isEqualTo(200);
            count = copy(in, received, 1 << 20);

            closing = CompletableFuture.runAsync(server::close, runnable -> new Thread(runnable, "closing").start());
            await(() -> refused(port), Duration.ofSeconds(10));
            Thread.sleep(2500); // the client reads nothing for 2.5 s: Jetty's own shutdown idle timeout is 1 s

            count += copy(in, received, size - count);
        }
        closing.get(30, TimeUnit.SECONDS);

        assertThat(count).isEqualTo(size);
        assertThat(received.digest()).as("byte-exact").isEqualTo(expected);
    }

    @Test
    void close_downloadStalledPastStopTimeout_cutShort() throws Exception {
        HttpSettings settings = settings().withStopTimeout(Duration.ofMillis(300));
        long size = 64L << 20;
        writeRandomFile(settings.root().resolve("big.bin"), size);
        HttpServer server = HttpServer.start(settings);
        int port = server.port();
        MessageDigest ignored = MessageDigest.getInstance("SHA-256");

        try (Socket socket = new Socket()) {
            InputStream in = startDownload(socket, port);
            assertThat(RawHttp.readHead(in).status()).isEqualTo(200);
            long count = copy(in, ignored, 64 * 1024);
            long start = System.nanoTime();

            server.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close is bounded by the stop timeout").isLessThan(Duration.ofSeconds(5));
            try {
                count += copy(in, ignored, size);
            } catch (IOException reset) {
                // The server closed the connection with data unread: what was received is what counts.
            }
            assertThat(count).as("the stalled download was cut short").isLessThan(size);
        }
        assertThat(Files.readString(Path.of("target", "app-tests.log"))).contains("were cut short");
        assertThat(refused(port)).isTrue();
    }

    @Test
    void close_twice_secondDoesNothing() throws IOException {
        HttpServer server = HttpServer.start(settings());
        int port = server.port();

        server.close();
        server.close();

        assertThat(refused(port)).isTrue();
    }

    @Test
    void portInUse_illegalStateNamingHostAndPort() throws IOException {
        try (HttpServer first = HttpServer.start(settings())) {
            int port = first.port();

            assertThatThrownBy(() -> HttpServer.start(settings().withPort(port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageNotContaining("\n");
            assertThat(RawHttp.get(port, "/a.txt").status()).as("the first still serves").isEqualTo(200);
        }
    }

    @Test
    void rootNotAFolder_illegalArgumentNamingIt() throws IOException {
        HttpSettings settings = settings();
        Path file = Files.writeString(dir.resolve("file.txt"), "x");

        assertThatThrownBy(() -> HttpServer.start(HttpSettings.defaults(file).withPort(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("root").hasMessageContaining("file.txt");
        assertThatThrownBy(() -> HttpServer.start(HttpSettings.defaults(dir.resolve("missing")).withPort(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("root").hasMessageContaining("missing");
        assertThat(settings.root()).isDirectory();
    }

    /** Bound to 127.0.0.1 only: another loopback address of this machine gets no answer on the port. */
    @Test
    void bindsOnlyToTheHost() throws IOException {
        try (HttpServer server = HttpServer.start(settings())) {
            assertThat(RawHttp.get(server.port(), "/a.txt").status()).isEqualTo(200);

            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.2", server.port()), 2000);
                }
            }).isInstanceOf(IOException.class);
        }
    }

    private static byte[] writeRandomFile(Path file, long size) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(7);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
                digest.update(chunk);
            }
        }
        return digest.digest();
    }

    private static long copy(InputStream in, MessageDigest digest, long count) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long done = 0;
        while (done < count) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, count - done));
            if (n < 0) {
                break;
            }
            digest.update(buffer, 0, n);
            done += n;
        }
        return done;
    }

    private static boolean refused(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not so after " + timeout);
            }
            Thread.sleep(5);
        }
    }
}
