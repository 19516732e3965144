package dev.stowage.app;

import dev.stowage.ResumeJournal;
import dev.stowage.UploadOptions;
import dev.stowage.spi.ListingPublisher;
import dev.stowage.s3.S3Backend;
import dev.stowage.s3.S3Config;
import dev.stowage.s3.S3Preset;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the run that writes the class archive does after its command, so that the archive holds the
 * S3 client's classes whatever that first command's target was: the requests a publish to S3 makes
 * (a listing, a small upload, a stat, a listing of multipart uploads) and their answers, against
 * a responder on a loopback port that answers each as an empty bucket would. Classes a run never
 * loaded come from the jar at every later start: after a first sync to a folder, 0.4 s of each
 * sync to S3. Nothing of it reaches the network or the command's output; a failure only leaves
 * those classes out.
 */
final class ArchiveTraining {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveTraining.class);
    /** Set by the launcher on the run that writes the archive. */
    static final String PROPERTY = "stowage.archive.training";
    private static final String BUCKET = "archive-training";
    private static final long WAIT_SECONDS = 5;
    private static final String ACCESS_KEY_ID = "aws.accessKeyId";
    private static final String SECRET_ACCESS_KEY = "aws.secretAccessKey";

    private ArchiveTraining() {
    }

    /** Whether this run writes the class archive. */
    static boolean asked() {
        return Boolean.getBoolean(PROPERTY);
    }

    /**
     * Makes the requests against the loopback responder; never throws.
     *
     * @return the number of requests the responder answered
     */
    static int run() {
        AtomicInteger answered = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Thread responder = new Thread(() -> respond(server, answered), "stowage-archive-training");
            responder.setDaemon(true);
            responder.start();
            Path file = Files.createTempFile("stowage-archive-training", ".html");
            try {
                byte[] bytes = "<p>archive training</p>\n".getBytes(StandardCharsets.UTF_8);
                Files.write(file, bytes);
                exercise(server.getLocalPort(), file, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            } finally {
                Files.deleteIfExists(file);
            }
            Json.print(new PrintWriter(new StringWriter()), Json.object().put("trained", true));
        } catch (Exception | LinkageError e) {
            LOG.debug("the class archive is written without the S3 client's classes: {}", e.toString());
        }
        return answered.get();
    }

    /**
     * The requests, with credentials found the way a command finds them when none are configured
     * (the SDK's chain, which then takes them from system properties set for the while).
     */
    private static void exercise(int port, Path file, String sha256) throws Exception {
        S3Config config = S3Config.builder(S3Preset.MINIO).endpointUrl("http://127.0.0.1:" + port).bucketName(BUCKET).build();
        String id = System.getProperty(ACCESS_KEY_ID);
        String secret = System.getProperty(SECRET_ACCESS_KEY);
        System.setProperty(ACCESS_KEY_ID, "archive-training");
        System.setProperty(SECRET_ACCESS_KEY, "archive-training-secret");
        try (S3Backend s3 = S3Backend.create(config)) {
            ListingPublisher.count(s3.list(""), 1).get(WAIT_SECONDS, TimeUnit.SECONDS);
            s3.uploadFile(file, "index.html", UploadOptions.builder().sha256(sha256).build()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            s3.stat("absent.html").get(WAIT_SECONDS, TimeUnit.SECONDS);
            s3.abortStaleUploads(Duration.ofDays(1), ResumeJournal.NONE).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            restore(ACCESS_KEY_ID, id);
            restore(SECRET_ACCESS_KEY, secret);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    /**
     * Answers every request of every connection as an empty bucket would, until the socket closes;
     * each connection on a thread of its own, as the client may keep one open while it opens another.
     */
    private static void respond(ServerSocket server, AtomicInteger answered) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // the socket closed: training is over
            }
            Thread connection = new Thread(() -> answerAll(socket, answered), "stowage-archive-training-connection");
            connection.setDaemon(true);
            connection.start();
        }
    }

    private static void answerAll(Socket socket, AtomicInteger answered) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (String request; (request = requestHead(in)) != null; answered.incrementAndGet()) {
                out.write(answer(request).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // the client closed the connection
        }
    }

    /** Reads a request's line and headers, and skips its body; null at the end of the connection. */
    private static String requestHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        long length = 0;
        for (String line; !(line = line(in)).isEmpty(); ) {
            head.append(line).append('\n');
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        if (head.length() == 0) {
            return null;
        }
        in.skipNBytes(length);
        return head.toString();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static String answer(String request) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        String method = request.substring(0, request.indexOf(' '));
        String target = request.substring(method.length() + 1, request.indexOf(' ', method.length() + 1));
        String body = "";
        String status = "200 OK";
        String extra = "";
        if (method.equals("HEAD")) {
            status = "404 Not Found";
        } else if (method.equals("PUT")) {
            extra = "ETag: \"0123456789abcdef0123456789abcdef\"\r\n";
        } else if (target.contains("uploads")) {
            body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<Bucket>" + BUCKET + "</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
        } else {
            body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<Name>" + BUCKET + "</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>"
                    + "</ListBucketResult>";
        }
        return "HTTP/1.1 " + status + "\r\nDate: " + date + "\r\nx-amz-request-id: TRAINING\r\n" + extra
                + (body.isEmpty() ? "" : "Content-Type: application/xml\r\n")
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }
}
