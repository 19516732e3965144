package dev.stowage.app.http;

import dev.stowage.MediaTypes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ResourceService;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request: the files below the base path, the manifest, the health check, the
 * metrics and the rescan trigger (see {@link Route}); anything else is {@code 404}. Thread-safe;
 * blocks its thread on file-system look-ups and on the settings' suppliers.
 *
 * <p>A file request is answered in three steps. The raw path is decoded once into a key
 * ({@link PathKeys}; malformed: {@code 400}). A hidden key is {@code 404}. {@link FileLookup}
 * finds the regular file, following links only while they stay inside the folder; not found, a
 * folder or a link out: {@code 404}. A small file asked for whole is then sent at once; any other
 * request goes to Jetty's {@link ResourceService}, with its ranges and conditional requests. Both
 * read the file from its real path, the one that was checked. A path ending in
 * '/' names no key, so folders are {@code 404} and no index file is served in their place.
 */
final class Router extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final String JSON = "application/json";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** Request headers that make a GET more than "the whole file". */
    private static final List<HttpHeader> NOT_PLAIN = List.of(HttpHeader.RANGE, HttpHeader.IF_RANGE, HttpHeader.IF_MATCH,
            HttpHeader.IF_NONE_MATCH, HttpHeader.IF_MODIFIED_SINCE, HttpHeader.IF_UNMODIFIED_SINCE);
    private static final HttpField ACCEPT_RANGES = new PreEncodedHttpField(HttpHeader.ACCEPT_RANGES, "bytes");

    private final HttpSettings settings;
    private final FileLookup files;
    private final ResourceService resources = new ResourceService();
    private final SmallFileCache smallFiles = new SmallFileCache(SmallFileCache.MAX_BYTES);
    private final Map<String, HttpField> contentTypes = new ConcurrentHashMap<>();
    private final Optional<byte[]> tokenDigest;

    /**
     * @param settings the server's settings
     * @param root     the real path of {@code settings.root()}
     */
    Router(HttpSettings settings, Path root) {
        // Jetty calls handle() on the thread that read the request; whatever may block longer than
        // a small file's read goes to the server's thread pool from there (see handle).
        super(InvocationType.NON_BLOCKING);
        this.settings = settings;
        this.files = new FileLookup(root, settings.hiddenFolders());
        this.tokenDigest = settings.bearerToken().map(Router::sha256);
        resources.setEtags(true);
        resources.setAcceptRanges(true);
        resources.setDirAllowed(false);
        addBean(resources);
    }

    /**
     * Runs on the thread that read the request, as nginx's workers do: a file is looked up and a
     * small one read and sent there, at the cost of a few system calls on files the page cache
     * mostly holds. Everything else (ranges and large files through {@link ResourceService}, the
     * manifest, health, metrics, a rescan) goes to the server's thread pool, where it may block.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        Route route = Route.of(path, settings.basePath());
        if (route == Route.FILES) {
            file(request, response, callback, path.substring(settings.basePath().length()));
        } else {
            inPool(request, callback, () -> {
                switch (route) {
                    case MANIFEST -> manifest(request, response, callback);
                    case HEALTHZ -> health(request, response, callback);
                    case METRICS -> metrics(request, response, callback);
                    case RESCAN -> rescan(request, response, callback);
                    default -> Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                }
            });
        }
        return true;
    }

    /** Runs the step on the server's thread pool; what it throws fails the request. */
    private static void inPool(Request request, Callback callback, Runnable step) {
        request.getComponents().getExecutor().execute(() -> {
            try {
                step.run();
            } catch (Throwable e) {
                callback.failed(e);
            }
        });
    }

    private void file(Request request, Response response, Callback callback, String rawKey) {
        if (!readOnly(request, response, callback)) {
            return;
        }
        if (rawKey.isEmpty() || rawKey.endsWith("/")) {
            // A folder: no listing, no index file in its place.
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return;
        }
        String key;
        try {
            key = PathKeys.decode(rawKey);
        } catch (PathKeys.MalformedPathException e) {
            LOG.debug("400 for the path {}: {}", request.getHttpURI().getPath(), e.getMessage());
            Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400);
            return;
        }
        Optional<FileLookup.Found> found = files.isHidden(key) ? Optional.empty() : files.find(key);
        if (found.isEmpty()) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return;
        }
        Path path = found.get().path();
        BasicFileAttributes attributes = found.get().attributes();
        String mediaType = MediaTypes.guess(key);
        // A kept file was read with these attributes, its permissions among them: it is readable.
        SmallFileCache.Kept hit = isPlainSmallGet(request, attributes.size()) ? smallFiles.get(path, attributes) : null;
        if (hit != null) {
            // Headers as ResourceService sends them, encoded when the file was kept.
            sendPlainly(response, callback, hit.bytes(), hit.etag(), hit.lastModified(), contentType(mediaType), hit.contentLength());
            return;
        }
        if (!Files.isReadable(path)) {
            LOG.warn("cannot serve {}: the server may not read {}", key, path);
            Response.writeError(request, response, callback, HttpStatus.FORBIDDEN_403);
            return;
        }
        send(request, response, callback, path, attributes, mediaType, smallFiles);
    }

    private void manifest(Request request, Response response, Callback callback) {
        if (!readOnly(request, response, callback)) {
            return;
        }
        Optional<Path> manifest = settings.manifest().get();
        BasicFileAttributes attributes = null;
        if (manifest.isPresent()) {
            try {
                attributes = Files.readAttributes(manifest.get(), BasicFileAttributes.class);
            } catch (IOException e) {
                LOG.debug("no manifest to serve at {}: {}", manifest.get(), e.toString());
            }
        }
        if (attributes == null || !attributes.isRegularFile()) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return;
        }
        // The manifest changes with every publish: caches must ask again, and the ETag makes that cheap.
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        send(request, response, callback, manifest.get(), attributes, JSON, null); // its path is not one FileLookup found
    }

    /**
     * Sends a file read from disk; a small one asked for whole is kept.
     *
     * @param kept where a small file's bytes are kept to be sent again; null to keep nothing
     */
    private void send(Request request, Response response, Callback callback, Path path, BasicFileAttributes attributes,
            String mediaType, SmallFileCache kept) {
        ByteBufferPool.Sized buffers = new ByteBufferPool.Sized(request.getComponents().getByteBufferPool(), true, BUFFER_BYTES);
        FileContent content = new FileContent(path, attributes, mediaType, buffers, HttpMethod.HEAD.is(request.getMethod()));
        if (isPlainSmallGet(request, attributes.size())) {
            ByteBuffer bytes;
            try {
                bytes = content.readAll();
            } catch (IOException e) {
                callback.failed(e);
                return;
            }
            if (kept != null) {
                bytes = kept.put(path, attributes, bytes, Instant.now());
            }
            sendPlainly(response, callback, bytes, content.getETag(), content.getLastModified(), content.getContentType(),
                    content.getContentLength());
        } else {
            inPool(request, callback,
                    () -> resources.doGet(ifRangeHolds(request, content) ? request : withoutRange(request), response, callback, content));
        }
    }

    /**
     * Whether the request asks for a small file whole: a plain GET (no range, no condition), which
     * is answered at once, in one write, with the headers {@link ResourceService} would send,
     * without its look-ups on the way; ResourceService answers any other.
     */
    private static boolean isPlainSmallGet(Request request, long size) {
        if (!HttpMethod.GET.is(request.getMethod()) || size > FileContent.SMALL_BYTES) {
            return false;
        }
        HttpFields headers = request.getHeaders();
        for (HttpHeader header : NOT_PLAIN) {
            if (headers.contains(header)) {
                return false;
            }
        }
        return true;
    }

    private static void sendPlainly(Response response, Callback callback, ByteBuffer bytes, HttpField etag, HttpField lastModified,
                                    HttpField contentType, HttpField contentLength) {
        response.setStatus(HttpStatus.OK_200);
        HttpFields.Mutable out = response.getHeaders();
        out.put(etag);
        out.put(lastModified);
        out.put(contentType);
        out.put(ACCEPT_RANGES);
        out.put(contentLength);
        response.write(true, bytes, callback);
    }

    /** The Content-Type header of a media type, encoded once: there are as many as media types guessed. */
    private HttpField contentType(String mediaType) {
        return contentTypes.computeIfAbsent(mediaType, type -> new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, type));
    }

    /**
     * Whether a {@code Range} may be honoured: there is no {@code If-Range}, or it names the file as
     * it is now, by its strong ETag or its exact modification time (RFC 9110, section 13.1.5).
     * Jetty's ResourceService does not look at {@code If-Range}: this does, before it runs.
     */
    private static boolean ifRangeHolds(Request request, FileContent content) {
        String ifRange = request.getHeaders().get(HttpHeader.IF_RANGE);
        if (ifRange == null || !request.getHeaders().contains(HttpHeader.RANGE)) {
            return true;
        }
        ifRange = ifRange.trim();
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            return ifRange.equals(content.getETag().getValue());
        }
        try {
            Instant date = ZonedDateTime.parse(ifRange, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return date.getEpochSecond() == content.getLastModifiedInstant().getEpochSecond();
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static Request withoutRange(Request request) {
        HttpFields headers = HttpFields.build(request.getHeaders()).remove(HttpHeader.RANGE).asImmutable();
        return new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return headers;
            }
        };
    }

    private void health(Request request, Response response, Callback callback) {
        if (!readOnly(request, response, callback)) {
            return;
        }
        Health health = settings.health().get();
        write(response, callback, health.ok() ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503, JSON, health.toJson());
    }

    private void metrics(Request request, Response response, Callback callback) {
        Optional<PrometheusMeterRegistry> registry = settings.metrics();
        if (registry.isEmpty()) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return;
        }
        if (!readOnly(request, response, callback)) {
            return;
        }
        write(response, callback, HttpStatus.OK_200, PROMETHEUS_TEXT, registry.get().scrape());
    }

    private void rescan(Request request, Response response, Callback callback) {
        if (tokenDigest.isEmpty()) {
            // No token configured: the endpoint does not exist.
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return;
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
            return;
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"stowage\"");
            Response.writeError(request, response, callback, HttpStatus.UNAUTHORIZED_401);
            return;
        }
        // Digests of equal length, compared in constant time: the time taken says nothing of the token.
        if (!MessageDigest.isEqual(sha256(authorization.substring(7).trim()), tokenDigest.get())) {
            LOG.info("refused a rescan from {}: wrong bearer token", Request.getRemoteAddr(request));
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"stowage\", error=\"invalid_token\"");
            Response.writeError(request, response, callback, HttpStatus.UNAUTHORIZED_401);
            return;
        }
        boolean started;
        try {
            started = settings.rescan().getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("the rescan asked for over HTTP failed to start", e);
            Response.writeError(request, response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500);
            return;
        }
        if (!started) {
            LOG.info("refused a rescan from {}: stopping", Request.getRemoteAddr(request));
            write(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "text/plain; charset=UTF-8", "stopping: no rescan\n");
            return;
        }
        LOG.info("rescan asked for by {}", Request.getRemoteAddr(request));
        write(response, callback, HttpStatus.ACCEPTED_202, "text/plain; charset=UTF-8", "rescan started\n");
    }

    /** Whether the method is GET or HEAD; if not, answers {@code 405} and returns false. */
    private static boolean readOnly(Request request, Response response, Callback callback) {
        if (HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod())) {
            return true;
        }
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
        return false;
    }

    private static void write(Response response, Callback callback, int status, String mediaType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, mediaType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
