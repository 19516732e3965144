package dev.stowage.testkit;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stowage.testkit.FaultyProxy.Fault;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against a plain HTTP server, each fault on its own, with the JDK's client or raw sockets. */
class FaultyProxyTest {
    private final AtomicInteger served = new AtomicInteger();
    private final ExecutorService serverThreads = Executors.newFixedThreadPool(4);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private HttpServer server;

    /** A server that answers {@code ?size=n} with n bytes, and anything else with the request's body. */
    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::answer);
        server.setExecutor(serverThreads);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            served.incrementAndGet();
            String query = exchange.getRequestURI().getQuery();
            if (query != null && query.startsWith("size=")) {
                body = "x".repeat(Integer.parseInt(query.substring(5))).getBytes(ISO_8859_1);
            }
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private FaultyProxy.Builder proxy() {
        return FaultyProxy.builder("127.0.0.1", server.getAddress().getPort());
    }

    private static FaultyProxy.Builder only(FaultyProxy.Builder proxy, Fault fault) {
        return proxy.faults(EnumSet.of(fault)).faultShare(1);
    }

    private HttpResponse<String> post(FaultyProxy proxy, String path, HttpRequest.BodyPublisher body, boolean expectContinue)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(proxy.endpoint().resolve(path)).timeout(Duration.ofSeconds(10))
                .expectContinue(expectContinue).POST(body).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString(ISO_8859_1));
    }

    private HttpResponse<String> get(FaultyProxy proxy, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.endpoint().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(ISO_8859_1));
    }

    /** Sends a raw request on a connection of its own and returns every byte received until the proxy closes it. */
    private static String raw(FaultyProxy proxy, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
        }
    }

    @Test
    void passThrough_relaysLengthChunkedAndExpectContinueBodiesWhole() throws Exception {
        try (FaultyProxy proxy = proxy().faultShare(1).start()) {
            proxy.passThrough(true);
            String body = "a body of some length ".repeat(1000);
            assertThat(post(proxy, "/a", HttpRequest.BodyPublishers.ofString(body), false).body()).isEqualTo(body);
            assertThat(post(proxy, "/b", HttpRequest.BodyPublishers.ofString(body), true).body()).isEqualTo(body);
            // No length known: the client sends the body in chunks.
            HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.ofInputStream(
                    () -> new ByteArrayInputStream(body.getBytes(ISO_8859_1)));
            assertThat(post(proxy, "/c", chunked, false).body()).isEqualTo(body);
            assertThat(get(proxy, "/d?size=100000").body()).hasSize(100_000);

            assertThat(served).hasValue(4);
            assertThat(proxy.requests()).isEqualTo(4);
            assertThat(proxy.injected()).allSatisfy((fault, count) -> assertThat(count).isZero());
        }
    }

    @Test
    void passThrough_servesManyRequestsOnOneConnection() throws Exception {
        try (FaultyProxy proxy = proxy().faultShare(0).start()) {
            String request = "GET /a?size=3 HTTP/1.1\r\nHost: test\r\n\r\n";
            String answers = raw(proxy, request.repeat(2) + request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));

            assertThat(answers.split("HTTP/1.1 200", -1)).hasSize(4);
            assertThat(answers).endsWith("xxx");
            assertThat(served).hasValue(3);
        }
    }

    @Test
    void slowDown_answers503SlowDownItselfAndKeepsTheConnection() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.SLOW_DOWN).start()) {
            HttpResponse<String> response = post(proxy, "/a", HttpRequest.BodyPublishers.ofString("body"), true);
            String twice = raw(proxy, "GET /a HTTP/1.1\r\nHost: test\r\n\r\nGET /b HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("<Code>SlowDown</Code><Message>Please reduce your request rate.</Message>");
            assertThat(twice.split("HTTP/1.1 503", -1)).hasSize(3);
            assertThat(served).hasValue(0);
            assertThat(proxy.injected(Fault.SLOW_DOWN)).isEqualTo(3);
        }
    }

    @Test
    void resetBeforeForwarding_failsTheRequestBeforeItReachesTheServer() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.RESET_BEFORE_FORWARDING).start()) {
            assertThatThrownBy(() -> post(proxy, "/a", HttpRequest.BodyPublishers.ofString("body"), false))
                    .isInstanceOf(IOException.class);
            assertThat(served).hasValue(0);
            assertThat(proxy.faultLog()).containsExactly("RESET_BEFORE_FORWARDING POST /a");
        }
    }

    @Test
    void resetAfterForwarding_failsTheRequestTheServerHasServed() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.RESET_AFTER_FORWARDING).start()) {
            assertThatThrownBy(() -> post(proxy, "/a", HttpRequest.BodyPublishers.ofString("body"), false))
                    .isInstanceOf(IOException.class);
            assertThat(served).hasValue(1);
        }
    }

    @Test
    void cutResponse_relaysTheHeadAndHalfTheBody() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.CUT_RESPONSE).start()) {
            String received = raw(proxy, "GET /a?size=1000 HTTP/1.1\r\nHost: test\r\n\r\n");

            assertThat(received).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 1000");
            assertThat(received.substring(received.indexOf("\r\n\r\n") + 4)).isEqualTo("x".repeat(500));
            assertThat(served).hasValue(1);
        }
    }

    @Test
    void cutResponse_ofAnAnswerWithoutBody_closesBeforeItsFirstByte() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.CUT_RESPONSE).start()) {
            assertThat(raw(proxy, "GET /a HTTP/1.1\r\nHost: test\r\n\r\n")).isEmpty();
            assertThat(served).hasValue(1);
        }
    }

    @Test
    void cutHead_relaysHalfTheHead() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.CUT_HEAD).start()) {
            String received = raw(proxy, "GET /a?size=1000 HTTP/1.1\r\nHost: test\r\n\r\n");

            assertThat(received).startsWith("HTTP/1.1 200").doesNotContain("\r\n\r\n");
            assertThat(served).hasValue(1);
        }
    }

    @Test
    void stall_answersNothingUntilTheClientGivesUp() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.STALL).start()) {
            HttpRequest request = HttpRequest.newBuilder(proxy.endpoint().resolve("/a")).timeout(Duration.ofMillis(300))
                    .POST(HttpRequest.BodyPublishers.ofString("body")).build();

            assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(HttpTimeoutException.class);
            assertThat(served).hasValue(0);
            assertThat(proxy.injected(Fault.STALL)).isEqualTo(1);
        }
    }

    @Test
    void sameSeed_faultsTheSameRequestsTheSameWay_eachKindOnceARound() throws Exception {
        List<List<String>> logs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (FaultyProxy proxy = proxy().faults(EnumSet.complementOf(EnumSet.of(Fault.STALL))).faultShare(0.5).seed(99).start()) {
                for (int i = 0; i < 30; i++) {
                    try {
                        raw(proxy, "GET /r" + i + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
                    } catch (IOException e) {
                        // reset
                    }
                }
                assertThat(proxy.requests()).isEqualTo(30);
                logs.add(proxy.faultLog());
            }
        }
        assertThat(logs.get(0)).hasSizeGreaterThanOrEqualTo(5).isEqualTo(logs.get(1));
        assertThat(logs.get(0).subList(0, 5)).extracting(line -> line.substring(0, line.indexOf(' '))).doesNotHaveDuplicates();
    }

    @Test
    void maxFaultsInARow_letsTheNextTryOfTheSameRequestPass() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.SLOW_DOWN).maxFaultsInARow(2).start()) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                statuses.add(get(proxy, "/same").statusCode());
            }
            statuses.add(get(proxy, "/other").statusCode());

            assertThat(statuses).containsExactly(503, 503, 200, 503);
        }
    }

    @Test
    void sparing_passesTheRequestAndKeepsTheFaultDue() throws Exception {
        try (FaultyProxy proxy = only(proxy(), Fault.SLOW_DOWN).sparing((request, fault) -> request.startsWith("GET /spared")).start()) {
            assertThat(get(proxy, "/spared").statusCode()).isEqualTo(200);
            assertThat(get(proxy, "/other").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void close_endsEveryThreadAndConnectionOfTheProxy() throws Exception {
        FaultyProxy proxy = only(proxy(), Fault.STALL).start();
        String threadName = "faulty-proxy-" + proxy.port();
        try (Socket stalled = new Socket("127.0.0.1", proxy.port());
             Socket idle = new Socket("127.0.0.1", proxy.port())) {
            OutputStream out = stalled.getOutputStream();
            out.write("GET /a HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(ISO_8859_1));
            out.flush();
            awaitUntil("the request to arrive", () -> proxy.requests() == 1);
            assertThat(threadsOf(threadName)).isPositive();

            proxy.close();

            stalled.setSoTimeout(5_000);
            idle.setSoTimeout(5_000);
            assertThat(readOrFail(stalled)).isEqualTo(-1);
            assertThat(readOrFail(idle)).isEqualTo(-1);
            awaitUntil("the proxy's threads to end", () -> threadsOf(threadName) == 0);
            assertThatThrownBy(() -> new Socket("127.0.0.1", proxy.port()).close()).isInstanceOf(IOException.class);
        }
    }

    /** The next byte, or -1 at the end of the stream or when the connection was reset. */
    private static int readOrFail(Socket socket) {
        try {
            return socket.getInputStream().read();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The live threads named {@code name} or {@code name-<n>}. */
    private static long threadsOf(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().equals(name) || t.getName().startsWith(name + "-"))).count();
    }

    /** Polls a condition for at most 10 seconds. */
    private static void awaitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
