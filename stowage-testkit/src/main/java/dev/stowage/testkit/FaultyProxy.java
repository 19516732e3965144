package dev.stowage.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * A TCP proxy on 127.0.0.1 that relays HTTP/1.1 to one server, such as the in-process S3 server,
 * and breaks a share of the requests on the way as a bad network or a busy S3 would: resets,
 * stalls, answers cut short and {@code 503 SlowDown}.
 *
 * <pre>{@code
 * try (FaultyProxy proxy = FaultyProxy.builder("127.0.0.1", s3.endpoint().getPort())
 *         .faultShare(0.3).seed(42).maxFaultsInARow(2).start()) {
 *     StorageBackend backend = StorageBackends.open("s3://bucket?endpoint=" + proxy.endpoint() + "&socket_timeout=1s");
 *     // ... use the backend ...
 *     assertThat(proxy.injected(FaultyProxy.Fault.STALL)).isPositive();
 * }
 * }</pre>
 *
 * <p>It works request by request on keep-alive client connections, and sends each request to the
 * server on a new connection. It parses just enough HTTP/1.1 for that: bodies framed by
 * {@code Content-Length} or {@code Transfer-Encoding: chunked}, {@code Expect: 100-continue}
 * (answered by the proxy), interim {@code 1xx} answers (dropped) and {@code Connection: close};
 * not protocol upgrades. It relays bytes unchanged, so signatures over the {@code Host} header stay
 * valid.
 *
 * <p>A request's body is read in full before any of it is sent on, so the server never receives
 * part of a body, whatever happens to the client: with S3Proxy's {@code filesystem-nio2} store, a
 * body cut mid-way leaves a broken part file that fails later listings. No {@link Fault} sends part
 * of a request either. Request bodies are limited to 64 MiB and heads to 64 KiB.
 *
 * <p>Which requests fail, and how, follows from the seed: the n-th request that arrives is
 * faulted with probability {@link Builder#faultShare(double) faultShare} (unless the proxy passes
 * through, the request is {@link Builder#sparing spared} or was faulted
 * {@link Builder#maxFaultsInARow maxFaultsInARow} times in a row), and the faults come in rounds
 * that each hold every enabled fault once, in an order drawn from the seed; so once
 * {@code faults().size()} faults were injected, each kind was. Requests that arrive in the same
 * order meet the same faults.
 *
 * <p>Thread-safe. Each connection runs on a thread of its own; {@link #close()} closes every socket
 * and waits for those threads to end. A stalled connection is held until the client closes it, the
 * proxy is closed, or {@link Builder#stallLimit(Duration) stallLimit} has passed.
 */
public final class FaultyProxy implements AutoCloseable {
    /** How a request is broken. */
    public enum Fault {
        /** The connection is reset (RST) as soon as the request head has arrived: nothing reaches the server. */
        RESET_BEFORE_FORWARDING,
        /**
         * The whole request reaches the server, which acts on it; the connection is reset (RST) once
         * the server has answered, and the answer is dropped.
         */
        RESET_AFTER_FORWARDING,
        /**
         * What the client sends is read, nothing is forwarded, and nothing is answered, not even
         * {@code 100 Continue}: only the client's timeout ends it.
         */
        STALL,
        /**
         * The request reaches the server; its answer is relayed, head and half its body, then the
         * connection is closed. An answer without a body is dropped whole before the close.
         */
        CUT_RESPONSE,
        /**
         * The request reaches the server; its answer is relayed up to half its head, then the
         * connection is closed. The AWS SDK's Netty client (2.57) takes such an answer for a whole
         * one: a HEAD without its Content-Length, an UploadPart without its ETag.
         */
        CUT_HEAD,
        /**
         * The proxy answers {@code 503 SlowDown} with an S3 error body itself; nothing reaches the
         * server, and the connection stays open.
         */
        SLOW_DOWN
    }

    private static final int MAX_HEAD_BYTES = 64 << 10;
    private static final int MAX_HEADER_LINES = 200;
    private static final int MAX_BODY_BYTES = 64 << 20;
    private static final int MAX_REQUESTS_PER_CONNECTION = 100_000;
    private static final int MAX_LOGGED_FAULTS = 10_000;
    /** How long the proxy waits for the server's answer before it gives the connection up. */
    private static final int SERVER_TIMEOUT_MILLIS = 60_000;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] SLOW_DOWN_BODY = ascii("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
            + "<RequestId>faulty-proxy</RequestId></Error>");

    private final String targetHost;
    private final int targetPort;
    private final double faultShare;
    private final Set<Fault> faults;
    private final int maxFaultsInARow;
    private final BiPredicate<String, Fault> spared;
    private final Duration stallLimit;
    private final ServerSocket server;
    private final ExecutorService threads;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    // Guarded by this: the sequence of decisions drawn from the seed.
    private final Random random;
    private final List<Fault> round = new ArrayList<>();
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private final Map<String, Integer> inARow = new HashMap<>();
    private final List<String> log = new ArrayList<>();
    private int requests;
    private boolean passThrough;

    private volatile boolean closed;

    private FaultyProxy(Builder b) throws IOException {
        this.targetHost = b.targetHost;
        this.targetPort = b.targetPort;
        this.faultShare = b.faultShare;
        this.faults = Collections.unmodifiableSet(EnumSet.copyOf(b.faults));
        this.maxFaultsInARow = b.maxFaultsInARow;
        this.spared = b.spared;
        this.stallLimit = b.stallLimit;
        this.random = new Random(b.seed);
        for (Fault fault : Fault.values()) {
            injected.put(fault, 0);
        }
        server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        String name = "faulty-proxy-" + server.getLocalPort();
        AtomicInteger count = new AtomicInteger();
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::acceptUntilClosed, name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A builder for a proxy to {@code targetHost:targetPort}. */
    public static Builder builder(String targetHost, int targetPort) {
        return new Builder(targetHost, targetPort);
    }

    /** The port the proxy listens on, on 127.0.0.1. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}: the endpoint to give clients instead of the server's. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** The faults this proxy injects. */
    public Set<Fault> faults() {
        return faults;
    }

    /**
     * Stops ({@code true}) or resumes ({@code false}) injecting faults. Requests that arrive while
     * passing through still draw from the seed, so the sequence of decisions does not shift.
     */
    public synchronized void passThrough(boolean on) {
        passThrough = on;
    }

    /** How many faults of this kind were injected so far. */
    public synchronized int injected(Fault fault) {
        return injected.get(Objects.requireNonNull(fault, "fault"));
    }

    /** How many faults of each kind were injected so far, every kind listed. */
    public synchronized Map<Fault, Integer> injected() {
        return Collections.unmodifiableMap(new EnumMap<>(injected));
    }

    /**
     * The faults injected so far, in order, each as {@code FAULT METHOD target}, such as
     * {@code "STALL PUT /bucket/a.txt"}; the first 10,000.
     */
    public synchronized List<String> faultLog() {
        return List.copyOf(log);
    }

    /** How many requests arrived so far, faulted or not. */
    public synchronized int requests() {
        return requests;
    }

    /** Closes every connection, stops listening and waits up to 5 s for the proxy's threads to end. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        sockets.forEach(FaultyProxy::closeQuietly);
        threads.shutdownNow();
        try {
            acceptor.join(CLOSE_WAIT.toMillis());
            threads.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultyProxy[127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort + ", injected=" + injected() + "]";
    }

    private void acceptUntilClosed() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(client);
            try {
                threads.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                release(client); // closing
            }
        }
    }

    /** The fault for the next request, or {@code null} to pass it on; draws from the seed once per request. */
    private synchronized Fault decide(String request) {
        requests++;
        boolean draw = random.nextDouble() < faultShare;
        if (!draw || passThrough || inARow.getOrDefault(request, 0) >= maxFaultsInARow) {
            inARow.remove(request);
            return null;
        }
        if (round.isEmpty()) {
            round.addAll(faults);
            Collections.shuffle(round, random);
        }
        Fault fault = round.remove(round.size() - 1);
        if (spared.test(request, fault)) {
            round.add(fault); // still the next one due
            inARow.remove(request);
            return null;
        }
        inARow.merge(request, 1, Integer::sum);
        injected.merge(fault, 1, Integer::sum);
        if (log.size() < MAX_LOGGED_FAULTS) {
            log.add(fault + " " + request);
        }
        return fault;
    }

    /** Relays the requests of one client connection, one after the other. */
    private void serve(Socket client) {
        try {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = new BufferedOutputStream(client.getOutputStream());
            for (int n = 0; n < MAX_REQUESTS_PER_CONNECTION && !closed; n++) {
                if (!exchange(client, in, out)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client or the server went away, or spoke something this proxy does not: drop the connection.
        } finally {
            release(client);
        }
    }

    /** One request and its answer; false when the client connection is to be closed. */
    private boolean exchange(Socket client, InputStream in, OutputStream out) throws IOException {
        Head request = Head.read(in);
        if (request == null) {
            return false; // the client closed the connection between requests
        }
        Fault fault = decide(request.method() + " " + request.target());
        if (fault == Fault.RESET_BEFORE_FORWARDING) {
            reset(client);
            return false;
        }
        if (fault == Fault.STALL) {
            stall(client, in);
            return false;
        }
        if (request.header("expect").filter(v -> v.equalsIgnoreCase("100-continue")).isPresent()) {
            out.write(CONTINUE); // the whole body is read before anything goes on
            out.flush();
        }
        byte[] body = readAll(in, request.bodyFraming(false));
        if (fault == Fault.SLOW_DOWN) {
            slowDown(out, request);
            return !request.closes();
        }

        try (Upstream upstream = new Upstream()) {
            Head response = upstream.exchange(request, body);
            if (fault == Fault.RESET_AFTER_FORWARDING) {
                reset(client);
                return false;
            }
            Framing framing = response.bodyFraming(request.method().equals("HEAD"));
            if (fault == Fault.CUT_RESPONSE) {
                // Never within the head, which is CUT_HEAD.
                byte[] answer = readAll(upstream.in, framing);
                if (answer.length > 0) {
                    out.write(response.raw());
                    out.write(answer, 0, answer.length / 2);
                    out.flush();
                }
                client.shutdownOutput();
                return false;
            }
            if (fault == Fault.CUT_HEAD) {
                out.write(response.raw(), 0, response.raw().length / 2);
                out.flush();
                client.shutdownOutput();
                return false;
            }
            out.write(response.raw());
            copy(upstream.in, out, framing);
            out.flush();
            return !(framing.untilClose() || request.closes() || response.closes());
        }
    }

    /** Reads what the client sends, and never answers, until it closes the connection. */
    private void stall(Socket client, InputStream in) throws IOException {
        long deadline = System.nanoTime() + stallLimit.toNanos();
        byte[] buffer = new byte[8192];
        for (long left = stallLimit.toMillis(); left > 0 && !closed; left = (deadline - System.nanoTime()) / 1_000_000) {
            client.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
            try {
                if (in.read(buffer) < 0) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                return;
            }
        }
    }

    private static void slowDown(OutputStream out, Head request) throws IOException {
        boolean head = request.method().equals("HEAD");
        out.write(ascii("HTTP/1.1 503 Slow Down\r\n"
                + "Content-Type: application/xml\r\n"
                + "x-amz-request-id: faulty-proxy\r\n"
                + "Content-Length: " + (head ? 0 : SLOW_DOWN_BODY.length) + "\r\n"
                + (request.closes() ? "Connection: close\r\n" : "")
                + "\r\n"));
        if (!head) {
            out.write(SLOW_DOWN_BODY);
        }
        out.flush();
    }

    /** Closes with a TCP reset rather than an orderly close. */
    private void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed: nothing to reset
        }
        release(socket);
    }

    private void release(Socket socket) {
        closeQuietly(socket);
        sockets.remove(socket);
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A body, whole and as framed on the wire (chunk lines included), read into memory. */
    private static byte[] readAll(InputStream in, Framing framing) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        copy(in, new LimitedOutputStream(body, MAX_BODY_BYTES), framing);
        return body.toByteArray();
    }

    /** Copies a body as framed on the wire. */
    private static void copy(InputStream in, OutputStream out, Framing framing) throws IOException {
        if (framing.chunked()) {
            copyChunked(in, out);
        } else if (framing.untilClose()) {
            in.transferTo(out);
        } else {
            copyExactly(in, out, framing.length());
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[(int) Math.min(64 << 10, Math.max(1, length))];
        for (long left = length; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the body ended " + left + " bytes early");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /** Copies chunks up to the last one and the trailers after it, each line as it came. */
    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        // Each chunk takes at least one line: the byte limit on the body bounds the chunks too.
        for (int chunks = 0; chunks <= MAX_BODY_BYTES; chunks++) {
            String line = copyLine(in, out);
            int semicolon = line.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("not a chunk size: " + line);
            }
            if (size == 0) {
                for (int lines = 0; lines < MAX_HEADER_LINES; lines++) {
                    if (copyLine(in, out).isEmpty()) {
                        return;
                    }
                }
                throw new IOException("more than " + MAX_HEADER_LINES + " trailer lines");
            }
            if (size > MAX_BODY_BYTES) {
                throw new IOException("chunk of " + size + " bytes");
            }
            copyExactly(in, out, size);
            if (!copyLine(in, out).isEmpty()) {
                throw new IOException("no line end after a chunk");
            }
        }
        throw new IOException("too many chunks");
    }

    /** Copies one line, CRLF included, and returns it without its line end. */
    private static String copyLine(InputStream in, OutputStream out) throws IOException {
        String line = readLine(in, out);
        if (line == null) {
            throw new IOException("the body ended early");
        }
        return line;
    }

    /**
     * Reads one line, writing it to {@code sink} as it came, and returns it without its line end;
     * {@code null} if the stream ends before its first byte.
     */
    private static String readLine(InputStream in, OutputStream sink) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < MAX_HEAD_BYTES; i++) {
            int c = in.read();
            if (c < 0) {
                if (i == 0) {
                    return null;
                }
                throw new IOException("the stream ended within a line");
            }
            sink.write(c);
            if (c == '\n') {
                int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                return line.substring(0, end);
            }
            line.append((char) c);
        }
        throw new IOException("a line longer than " + MAX_HEAD_BYTES + " bytes");
    }

    /** How a body is delimited: a length, chunks, or the end of the connection. */
    private record Framing(long length, boolean chunked, boolean untilClose) {
        static final Framing NONE = new Framing(0, false, false);
    }

    /**
     * A request or status line with its headers, and the bytes they came as.
     *
     * @param raw     the head as received, its blank line included
     * @param start   the request or status line
     * @param headers the headers by lower-case name, the values of a repeated one joined by commas
     */
    private record Head(byte[] raw, String start, Map<String, String> headers) {
        /** Reads a head; {@code null} if the stream ends before its first byte. */
        static Head read(InputStream in) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            List<String> lines = new ArrayList<>();
            for (int i = 0; i <= MAX_HEADER_LINES && raw.size() <= MAX_HEAD_BYTES; i++) {
                String line = readLine(in, raw);
                if (line == null) {
                    if (raw.size() == 0) {
                        return null;
                    }
                    throw new IOException("the head ended early");
                }
                if (line.isEmpty() && lines.isEmpty()) {
                    raw.reset(); // blank lines before a request line are allowed (RFC 9112, 2.2)
                } else if (line.isEmpty()) {
                    return new Head(raw.toByteArray(), lines.get(0), parse(lines));
                } else {
                    lines.add(line);
                }
            }
            throw new IOException("a head of more than " + MAX_HEADER_LINES + " lines or " + MAX_HEAD_BYTES + " bytes");
        }

        private static Map<String, String> parse(List<String> lines) throws IOException {
            Map<String, String> headers = new HashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("not a header line: " + line);
                }
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            return headers;
        }

        String method() {
            return part(0);
        }

        String target() {
            return part(1);
        }

        int status() throws IOException {
            try {
                return Integer.parseInt(part(1));
            } catch (NumberFormatException e) {
                throw new IOException("not a status line: " + start);
            }
        }

        private String part(int index) {
            String[] parts = start.split(" ", 3);
            return index < parts.length ? parts[index] : "";
        }

        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name));
        }

        /** Whether the connection ends after this message. */
        boolean closes() {
            boolean http10 = start.startsWith("HTTP/1.0") || start.endsWith("HTTP/1.0");
            String connection = header("connection").orElse(http10 ? "close" : "keep-alive").toLowerCase(Locale.ROOT);
            return Arrays.stream(connection.split(",")).map(String::trim).anyMatch("close"::equals);
        }

        /** How the body after this head is delimited; {@code noBody} for the answer to a HEAD request. */
        Framing bodyFraming(boolean noBody) throws IOException {
            boolean response = start.startsWith("HTTP/");
            if (noBody || (response && (status() == 204 || status() == 304 || status() / 100 == 1))) {
                return Framing.NONE;
            }
            if (header("transfer-encoding").map(v -> v.toLowerCase(Locale.ROOT).endsWith("chunked")).orElse(false)) {
                return new Framing(0, true, false);
            }
            Optional<String> length = header("content-length");
            if (length.isPresent()) {
                try {
                    long n = Long.parseLong(length.get());
                    if (n < 0) {
                        throw new NumberFormatException();
                    }
                    return new Framing(n, false, false);
                } catch (NumberFormatException e) {
                    throw new IOException("not a Content-Length: " + length.get());
                }
            }
            // A request without either has no body; an answer then runs until the connection closes.
            return response ? new Framing(0, false, true) : Framing.NONE;
        }
    }

    /** An output stream that fails once more than a limit was written to it. */
    private static final class LimitedOutputStream extends OutputStream {
        private final OutputStream out;
        private long left;

        LimitedOutputStream(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            take(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            take(len);
            out.write(b, off, len);
        }

        private void take(int n) throws IOException {
            left -= n;
            if (left < 0) {
                throw new IOException("a body larger than " + MAX_BODY_BYTES + " bytes");
            }
        }
    }

    /**
     * A connection to the server for one request. A connection of its own for each request costs
     * little on loopback, and no request can meet a kept-alive connection the server has just closed.
     */
    private final class Upstream implements Closeable {
        private final Socket socket = new Socket();
        private InputStream in;

        /** Sends the request and returns the head of the server's answer, past any interim {@code 1xx}. */
        Head exchange(Head request, byte[] body) throws IOException {
            sockets.add(socket);
            if (closed) {
                throw new IOException("the proxy is closed");
            }
            socket.connect(new InetSocketAddress(targetHost, targetPort), SERVER_TIMEOUT_MILLIS);
            socket.setSoTimeout(SERVER_TIMEOUT_MILLIS);
            in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            out.write(request.raw());
            out.write(body);
            out.flush();
            for (int i = 0; i < MAX_HEADER_LINES; i++) {
                Head response = Head.read(in);
                if (response == null) {
                    throw new IOException("the server closed the connection without answering");
                }
                if (response.status() / 100 != 1) {
                    return response;
                }
            }
            throw new IOException("too many interim answers");
        }

        @Override
        public void close() {
            release(socket);
        }
    }

    /**
     * Settings of a {@link FaultyProxy}. By default it faults a fifth of the requests, every kind of
     * fault, with seed 1, holds a stall for up to 60 s, and may fault the same request any number of
     * times in a row.
     */
    public static final class Builder {
        private final String targetHost;
        private final int targetPort;
        private double faultShare = 0.2;
        private long seed = 1;
        private Set<Fault> faults = EnumSet.allOf(Fault.class);
        private int maxFaultsInARow = Integer.MAX_VALUE;
        private BiPredicate<String, Fault> spared = (request, fault) -> false;
        private Duration stallLimit = Duration.ofSeconds(60);

        private Builder(String targetHost, int targetPort) {
            this.targetHost = Objects.requireNonNull(targetHost, "targetHost");
            if (targetPort < 1 || targetPort > 65535) {
                throw new IllegalArgumentException("targetPort must be from 1 to 65535: " + targetPort);
            }
            this.targetPort = targetPort;
        }

        /** The share of requests to fault, from 0 (none) to 1 (every one). */
        public Builder faultShare(double share) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("share must be from 0 to 1: " + share);
            }
            this.faultShare = share;
            return this;
        }

        /** The seed that decides which requests are faulted, and how. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The kinds of fault to inject; at least one. */
        public Builder faults(Set<Fault> faults) {
            Objects.requireNonNull(faults, "faults");
            if (faults.isEmpty()) {
                throw new IllegalArgumentException("faults must name at least one fault");
            }
            this.faults = EnumSet.copyOf(faults);
            return this;
        }

        /**
         * At most this many faults in a row for the same request ({@code METHOD target}): the next
         * one passes. A client that retries more often than this then always gets through.
         */
        public Builder maxFaultsInARow(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max must be >= 1: " + max);
            }
            this.maxFaultsInARow = max;
            return this;
        }

        /**
         * Faults never to inject into some requests: the predicate gets the request as
         * {@code METHOD target}, such as {@code "POST /bucket/key?uploads"}, and the fault due. A
         * spared request passes, and the fault stays due for the next faulted request.
         */
        public Builder sparing(BiPredicate<String, Fault> requestAndFault) {
            this.spared = Objects.requireNonNull(requestAndFault, "requestAndFault");
            return this;
        }

        /** The longest a stalled connection is held before the proxy closes it. */
        public Builder stallLimit(Duration limit) {
            Objects.requireNonNull(limit, "limit");
            if (limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("limit must be positive: " + limit);
            }
            this.stallLimit = limit;
            return this;
        }

        /**
         * Starts the proxy on a free port of 127.0.0.1.
         *
         * @throws UncheckedIOException if it cannot listen
         */
        public FaultyProxy start() {
            try {
                return new FaultyProxy(this);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the faulty proxy", e);
            }
        }
    }
}
