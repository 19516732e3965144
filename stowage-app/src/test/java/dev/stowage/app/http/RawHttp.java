package dev.stowage.app.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client would send: the request line
 * goes out exactly as given (as ISO-8859-1 bytes, so a test can write any byte), and the response
 * is read as it comes.
 */
final class RawHttp {
    static final int TIMEOUT_MILLIS = 10_000;

    private RawHttp() {
    }

    /** A response: its status, its headers (names in lower case, the last of repeated ones) and its body. */
    record Reply(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + text();
        }
    }

    /** {@code GET target} with {@code Connection: close}, and its response. */
    static Reply get(int port, String target) {
        return exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n");
    }

    /** Sends the request as given on a new connection and reads one response. */
    static Reply exchange(int port, String request) {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        return socket;
    }

    /** Reads one response: its head, then a body of Content-Length bytes, chunked, or up to the end. */
    static Reply read(InputStream in) throws IOException {
        Reply head = readHead(in);
        String length = head.header("content-length");
        byte[] body;
        if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            body = readChunked(in);
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if (head.status() == 304 || head.status() == 204) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
        }
        return new Reply(head.status(), head.headers(), body);
    }

    /** Reads the status line and the headers, and no more; the reply's body is empty. */
    static Reply readHead(InputStream in) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP status line: " + status);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new Reply(Integer.parseInt(parts[1]), headers, new byte[0]);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt(semicolon < 0 ? size.trim() : size.substring(0, semicolon).trim(), 16);
            if (n == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection ended in the middle of a line: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
