package dev.stowage.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stowage.ResumeJournal;
import dev.stowage.UploadOptions;
import dev.stowage.internal.NamedThreadFactory;
import dev.stowage.spi.ListingPublisher;
import dev.stowage.s3.S3Backend;
import dev.stowage.s3.S3Config;
import dev.stowage.s3.S3Preset;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the run that writes the class archive does after its command, so that the archive holds the
 * S3 client's classes whatever that first command's target was: the requests a publish to S3 makes
 * (a listing, a small upload, a stat, a listing of multipart uploads) and their answers, against
 * the JDK's HTTP server on a loopback port, answering each as an empty bucket would. Classes a
 * run never loaded come from the jar at every later start: after a first sync to a folder, 0.3 s
 * of each sync to S3. Nothing of it reaches the network or the command's output; a failure only leaves
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
        HttpServer server = null;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", exchange -> answer(exchange, answered));
            server.setExecutor(Executors.newCachedThreadPool(new NamedThreadFactory("stowage-archive-training")));
            server.start();
            Path file = Files.createTempFile("stowage-archive-training", ".html");
            try {
                byte[] bytes = "<p>archive training</p>\n".getBytes(StandardCharsets.UTF_8);
                Files.write(file, bytes);
                exercise(server.getAddress().getPort(), file, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            } finally {
                Files.deleteIfExists(file);
            }
            Json.print(new PrintWriter(new StringWriter()), Json.object().put("trained", true));
        } catch (Exception | LinkageError e) {
            LOG.debug("the class archive is written without the S3 client's classes: {}", e.toString());
        } finally {
            if (server != null) {
                server.stop(0);
                ((ExecutorService) server.getExecutor()).shutdownNow();
            }
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

    /** Answers a request as an empty bucket would. */
    private static void answer(HttpExchange exchange, AtomicInteger answered) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            String query = String.valueOf(exchange.getRequestURI().getRawQuery());
            String body = "";
            int status = 200;
            if (method.equals("HEAD")) {
                status = 404;
            } else if (method.equals("PUT")) {
                exchange.getResponseHeaders().add("ETag", "\"0123456789abcdef0123456789abcdef\"");
            } else if (query.contains("uploads")) {
                body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        + "<Bucket>" + BUCKET + "</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
            } else {
                body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        + "<Name>" + BUCKET + "</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>"
                        + "</ListBucketResult>";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-amz-request-id", "TRAINING");
            if (bytes.length > 0) {
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
            }
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            answered.incrementAndGet();
        }
    }
}
