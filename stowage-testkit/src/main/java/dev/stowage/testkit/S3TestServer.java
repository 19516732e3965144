package dev.stowage.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.options.ListContainerOptions;

/**
 * A real S3 server on 127.0.0.1 for tests: S3Proxy in this JVM, SigV4 authentication on, objects
 * kept in a temporary folder. Tests reach it over HTTP like any S3 endpoint, and read what it
 * stores through its blob store directly, a path that shares no code with an S3 client.
 *
 * <pre>{@code
 * S3TestServer s3 = S3TestServer.shared();
 * String bucket = s3.createBucket();
 * // endpoint_url = s3.endpoint(), region = S3TestServer.REGION, credentials = s3.accessKeyId(), s3.secretAccessKey()
 * Optional<byte[]> stored = s3.read(bucket, "docs/a.txt");
 * }</pre>
 *
 * <p>Starting a server takes a second or two, so a test JVM normally shares {@link #shared() one}
 * and gives each test a fresh bucket. Each server has random credentials of its own. Thread-safe.
 *
 * <p>The module using it declares {@code org.gaul:s3proxy} as a test dependency (the testkit's is
 * optional). S3Proxy runs on Jetty 11, so it cannot share a test class path with Jetty 12.
 */
public final class S3TestServer implements AutoCloseable {
    /** The region the server accepts in signatures and bucket locations. */
    public static final String REGION = "us-east-1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final HexFormat HEX = HexFormat.of();
    private static S3TestServer shared;

    private S3Proxy proxy;
    private final boolean ignoreUnknownHeaders;
    private final BlobStoreContext context;
    private final BlobStore store;
    private final Path folder;
    private final URI endpoint;
    private final String accessKeyId;
    private final String secretAccessKey;
    private final AtomicInteger buckets = new AtomicInteger();

    private S3TestServer(S3Proxy proxy, boolean ignoreUnknownHeaders, BlobStoreContext context, Path folder,
                         String accessKeyId, String secretAccessKey) {
        this.proxy = proxy;
        this.ignoreUnknownHeaders = ignoreUnknownHeaders;
        this.context = context;
        this.store = context.getBlobStore();
        this.folder = folder;
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
    }

    /** The server this JVM shares, started on first use and stopped when the JVM exits. */
    public static synchronized S3TestServer shared() {
        if (shared == null) {
            shared = start();
            S3TestServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "s3-test-server-stop"));
        }
        return shared;
    }

    /** Starts a server of its own, on a free port; close it when done. */
    public static S3TestServer start() {
        return start(true);
    }

    /**
     * Starts a server of its own that refuses requests with headers it does not implement (501
     * {@code NotImplemented}), as S3Proxy does by default: {@code DeleteObjects} with the SDK's CRC32
     * header is refused, as by some other S3-compatible stores.
     */
    public static S3TestServer startStrict() {
        return start(false);
    }

    private static S3TestServer start(boolean ignoreUnknownHeaders) {
        SecureRandom random = new SecureRandom();
        String accessKeyId = "AKIDTEST" + HEX.formatHex(random.generateSeed(6)).toUpperCase();
        String secretAccessKey = "test-secret-" + HEX.formatHex(random.generateSeed(16));
        Path folder = null;
        BlobStoreContext context = null;
        try {
            folder = Files.createTempDirectory("s3-test-server-");
            Properties settings = new Properties();
            settings.setProperty("jclouds.filesystem.basedir", folder.toString());
            context = ContextBuilder.newBuilder("transient").credentials("local", "local")
                    .overrides(settings).build(BlobStoreContext.class);
            S3Proxy proxy = started(context.getBlobStore(), URI.create("http://127.0.0.1:0"), accessKeyId,
                    secretAccessKey, ignoreUnknownHeaders);
            return new S3TestServer(proxy, ignoreUnknownHeaders, context, folder, accessKeyId, secretAccessKey);
        } catch (Exception e) {
            if (context != null) {
                context.close();
            }
            deleteQuietly(folder);
            throw new IllegalStateException("could not start the S3 test server: " + e, e);
        }
    }

    private static S3Proxy started(BlobStore store, URI endpoint, String accessKeyId, String secretAccessKey,
                                   boolean ignoreUnknownHeaders) throws Exception {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(endpoint)
                .awsAuthentication(AuthenticationType.AWS_V4, accessKeyId, secretAccessKey)
                // The AWS SDK sends checksum headers S3Proxy does not know, on DeleteObjects even
                // when asked to send checksums only where required.
                .ignoreUnknownHeaders(ignoreUnknownHeaders)
                .build();
        proxy.start();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!"STARTED".equals(proxy.getState())) {
            if (Instant.now().isAfter(deadline)) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT + ": " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return proxy;
    }

    /**
     * Stops answering: the port is closed, connections are refused, and what the server stores is
     * kept for {@link #restart()}. Not for the {@link #shared() shared} server.
     */
    public synchronized void stop() {
        if (this == shared) {
            throw new IllegalStateException("the shared server is not stopped: start one of its own");
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the S3 test server", e);
        }
    }

    /** Starts answering again after {@link #stop()}, on the same port, with what it stored. */
    public synchronized void restart() {
        try {
            proxy = started(store, endpoint, accessKeyId, secretAccessKey, ignoreUnknownHeaders);
        } catch (Exception e) {
            throw new IllegalStateException("could not restart the S3 test server on " + endpoint + ": " + e, e);
        }
    }

    /** The server's URL, {@code http://127.0.0.1:<port>}; buckets are addressed path-style below it. */
    public URI endpoint() {
        return endpoint;
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public String secretAccessKey() {
        return secretAccessKey;
    }

    /** Creates an empty bucket with a name no other call returns, and returns the name. */
    public String createBucket() {
        String name = "bucket-" + buckets.incrementAndGet() + "-" + HEX.formatHex(new SecureRandom().generateSeed(3));
        if (!store.createContainerInLocation(null, name)) {
            throw new IllegalStateException("bucket already exists: " + name);
        }
        return name;
    }

    /** Removes a bucket and everything in it. */
    public void deleteBucket(String bucket) {
        store.deleteContainer(bucket);
    }

    /** The bytes stored under exactly this key, or empty. */
    public Optional<byte[]> read(String bucket, String key) {
        Blob blob = store.getBlob(bucket, key);
        if (blob == null) {
            return Optional.empty();
        }
        try (InputStream in = blob.getPayload().openStream()) {
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The user metadata ({@code x-amz-meta-*}, names without the prefix) of an object, or empty. */
    public Optional<Map<String, String>> userMetadata(String bucket, String key) {
        return Optional.ofNullable(store.blobMetadata(bucket, key)).map(m -> Map.copyOf(m.getUserMetadata()));
    }

    /** The content type stored with an object, or empty. */
    public Optional<String> contentType(String bucket, String key) {
        return Optional.ofNullable(store.blobMetadata(bucket, key))
                .map(m -> m.getContentMetadata().getContentType());
    }

    /** Every key in a bucket, in order. */
    public SortedSet<String> keys(String bucket) {
        SortedSet<String> keys = new TreeSet<>();
        ListContainerOptions options = ListContainerOptions.Builder.recursive();
        while (true) {
            PageSet<? extends StorageMetadata> page = store.list(bucket, options);
            for (StorageMetadata m : page) {
                if (m.getType() == StorageType.BLOB) {
                    keys.add(m.getName());
                }
            }
            if (page.getNextMarker() == null) {
                return keys;
            }
            options = ListContainerOptions.Builder.recursive().afterMarker(page.getNextMarker());
        }
    }

    /** The keys of the multipart uploads started in a bucket and neither completed nor aborted. */
    public List<String> multipartUploads(String bucket) {
        return store.listMultipartUploads(bucket).stream().map(MultipartUpload::blobName).collect(Collectors.toList());
    }

    /** Stops the server and deletes what it stored. */
    @Override
    public synchronized void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the S3 test server", e);
        } finally {
            context.close();
            deleteQuietly(folder);
        }
    }

    @Override
    public String toString() {
        return "S3TestServer[" + endpoint + ", accessKeyId=" + accessKeyId + "]";
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
