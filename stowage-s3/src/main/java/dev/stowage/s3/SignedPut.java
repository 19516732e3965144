package dev.stowage.s3;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.reactivestreams.Subscriber;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.async.SdkHttpContentPublisher;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * A {@code PutObject} or {@code UploadPart} of a body held in memory, signed here (AWS Signature
 * Version 4, the payload's SHA-256 signed) and sent straight on the backend's HTTP client, without
 * the SDK's request pipeline, whose marshalling, interceptors and signer cost a small upload more
 * CPU than sending it. Only for what it can send exactly as the SDK would: an endpoint of the
 * configuration, no SDK checksums (the signed SHA-256 guards the body, and a whole object's
 * {@code Content-MD5} besides), headers of printable ASCII. An error answer
 * fails the request with the {@link S3Exception} the SDK would have made of it (status, code,
 * message, request id and headers), which the backend's error mapping reads. Thread-safe.
 */
final class SignedPut {
    private final String scheme;
    private final String host;
    private final int port;
    /** The Host header's value: the host, with the port unless it is the scheme's own. */
    private final String hostHeader;
    /** The encoded path before the object key: the endpoint's path, and the bucket for path-style requests. */
    private final String pathBefore;
    private final Optional<String> acl;
    /** How long an answer is waited for: {@code request_timeout}, or {@code call_timeout} if shorter. */
    private final Duration attemptTimeout;
    /** Whether that is {@code call_timeout}, which then fails the request as the SDK's call timeout does. */
    private final boolean callBound;
    private final Supplier<AwsCredentials> credentials;
    private final Supplier<SdkAsyncHttpClient> http;
    private final ScheduledExecutorService timer;
    private final SigV4 signer;

    private SignedPut(S3Config config, URI endpoint, Supplier<AwsCredentials> credentials, Supplier<SdkAsyncHttpClient> http,
                     ScheduledExecutorService timer) {
        String bucket = config.bucketName();
        this.signer = new SigV4(config.region());
        this.scheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
        int defaultPort = scheme.equals("https") ? 443 : 80;
        this.port = endpoint.getPort() == -1 ? defaultPort : endpoint.getPort();
        String endpointHost = endpoint.getHost();
        this.host = config.pathStyle() ? endpointHost : bucket + "." + endpointHost;
        this.hostHeader = port == defaultPort ? host : host + ":" + port;
        String basePath = endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replaceAll("/+$", "");
        this.pathBefore = config.pathStyle() ? basePath + "/" + SdkHttpUtils.urlEncode(bucket) + "/" : basePath + "/";
        this.acl = config.acl();
        this.callBound = config.callTimeout().compareTo(config.requestTimeout()) <= 0;
        this.attemptTimeout = callBound ? config.callTimeout() : config.requestTimeout();
        this.credentials = credentials;
        this.http = http;
        this.timer = timer;
    }

    /**
     * The signed PUTs of a configuration, if it can have them: an endpoint of its own (http or https),
     * no SDK checksums, no interceptors (which would not see the request), and a bucket that is a
     * host name's first label when requests are not path-style.
     */
    static Optional<SignedPut> of(S3Config config, boolean interceptors, AwsCredentialsProvider credentials,
                                 Supplier<SdkAsyncHttpClient> http, ScheduledExecutorService timer) {
        Optional<URI> endpoint = config.endpointUrl();
        if (interceptors || config.sdkChecksums() || endpoint.isEmpty() || endpoint.get().getHost() == null
                || !(config.pathStyle() || config.bucketName().indexOf('.') < 0)
                || endpoint.get().getRawQuery() != null) {
            return Optional.empty();
        }
        String scheme = String.valueOf(endpoint.get().getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.empty();
        }
        return Optional.of(new SignedPut(config, endpoint.get(), credentials::resolveCredentials, http, timer));
    }

    /**
     * Whether headers of these values are sent here as the SDK would send them: printable ASCII
     * without spaces at either end or in a row (which signing would have to fold), metadata names
     * of token characters, no two of which differ in case alone (they would be one header here).
     */
    static boolean sendable(String contentType, Map<String, String> metadata, Optional<String> cacheControl) {
        if (!plain(contentType) || !cacheControl.map(SignedPut::plain).orElse(true)) {
            return false;
        }
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (!token(e.getKey()) || !plain(e.getValue()) || !names.add(e.getKey().toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends the object: {@code body}'s remaining bytes, whose SHA-256 (hex) and MD5 (base64) are
     * given, under the object key with these headers. Resolves the credentials first, which may
     * block: call it on the I/O executor.
     *
     * @return the object's ETag, null if the answer had none; an error answer, or none, fails it as the SDK would
     */
    CompletableFuture<String> send(String objectKey, ByteBuffer body, String sha256Hex, String md5Base64,
                                   String contentType, Map<String, String> metadata, Optional<String> cacheControl) {
        TreeMap<String, String> headers = objectHeaders(contentType, metadata, cacheControl);
        headers.put("content-md5", md5Base64);
        return put(objectKey, new TreeMap<>(), headers, AsyncRequestBody.fromRemainingByteBufferUnsafe(body), body.remaining(),
                sha256Hex);
    }

    /**
     * Sends the object from a file, its first {@code sizeBytes} read as they are sent, with the
     * SHA-256 they are meant to have signed and no {@code Content-MD5}: only for a store that checks
     * the body against the signed SHA-256 ({@link S3Preset#checksSignedPayload()}), which then refuses
     * bytes that are not those. Resolves the credentials first, which may block: call it on the I/O
     * executor.
     *
     * @return the object's ETag, null if the answer had none; an error answer, or none, fails it as the SDK would
     */
    CompletableFuture<String> sendFile(String objectKey, Path source, long sizeBytes, String sha256Hex,
                                       String contentType, Map<String, String> metadata, Optional<String> cacheControl) {
        AsyncRequestBody body = AsyncRequestBody.fromFile(c -> c.path(source).position(0L).numBytesToRead(sizeBytes)
                .chunkSizeInBytes(MultipartUpload.FILE_CHUNK_BYTES));
        return put(objectKey, new TreeMap<>(), objectHeaders(contentType, metadata, cacheControl), body, sizeBytes, sha256Hex);
    }

    /** The headers of a {@code PutObject} but those of its body. */
    private TreeMap<String, String> objectHeaders(String contentType, Map<String, String> metadata,
                                                  Optional<String> cacheControl) {
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("content-type", contentType);
        cacheControl.ifPresent(v -> headers.put("cache-control", v));
        acl.ifPresent(v -> headers.put("x-amz-acl", v));
        metadata.forEach((name, value) -> headers.put("x-amz-meta-" + name.toLowerCase(Locale.ROOT), value));
        return headers;
    }

    /**
     * Sends one part of a multipart upload ({@code UploadPart}): {@code body}'s remaining bytes,
     * whose SHA-256 (hex) is given and signed, which the server checks the bytes against. Resolves
     * the credentials first, which may block: call it on the I/O executor.
     *
     * @return the part's ETag, null if the answer had none; an error answer, or none, fails it as the SDK would
     */
    CompletableFuture<String> sendPart(String objectKey, String uploadId, int partNumber, ByteBuffer body, String sha256Hex) {
        TreeMap<String, String> query = new TreeMap<>();
        query.put("partNumber", Integer.toString(partNumber));
        query.put("uploadId", uploadId);
        return put(objectKey, query, new TreeMap<>(), AsyncRequestBody.fromRemainingByteBufferUnsafe(body), body.remaining(),
                sha256Hex);
    }

    /**
     * A PUT of the body, of {@code length} bytes, under the object key, with these query parameters
     * (sorted, raw) and headers (lower-case names).
     */
    private CompletableFuture<String> put(String objectKey, SortedMap<String, String> query, TreeMap<String, String> headers,
                                          AsyncRequestBody body, long length, String sha256Hex) {
        String path = pathBefore + SdkHttpUtils.urlEncodeIgnoreSlashes(objectKey);
        headers.put("host", hostHeader);
        headers.put("content-length", Long.toString(length));
        headers.put("x-amz-content-sha256", sha256Hex);
        long now = System.currentTimeMillis();
        String amzDate = SigV4.amzDate(now);
        headers.put("x-amz-date", amzDate);
        AwsCredentials identity = credentials.get();
        if (identity instanceof AwsSessionCredentials) {
            headers.put("x-amz-security-token", ((AwsSessionCredentials) identity).sessionToken());
        }
        StringBuilder canonicalQuery = new StringBuilder();
        query.forEach((name, value) -> canonicalQuery.append(canonicalQuery.length() == 0 ? "" : "&")
                .append(SdkHttpUtils.urlEncode(name)).append('=').append(SdkHttpUtils.urlEncode(value)));
        headers.put("authorization", signer.authorization(identity, "PUT", amzDate, path, canonicalQuery.toString(),
                headers, sha256Hex));

        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT)
                .protocol(scheme).host(host).port(port).encodedPath(path);
        query.forEach(request::putRawQueryParameter);
        headers.forEach(request::putHeader);
        SignedPutAnswer answer = new SignedPutAnswer();
        CompletableFuture<Void> execution = http.get().execute(AsyncExecuteRequest.builder()
                .request(request.build())
                .requestContentPublisher(new Content(body))
                .responseHandler(answer)
                .build());
        execution.whenComplete((ok, error) -> {
            if (error != null) {
                answer.fail(error);
            }
        });
        long timeoutMillis = attemptTimeout.toMillis();
        ScheduledFuture<?> timeout = timer.schedule(() -> answer.fail(callBound
                ? ApiCallTimeoutException.create(timeoutMillis)
                : ApiCallAttemptTimeoutException.create(timeoutMillis)), timeoutMillis, TimeUnit.MILLISECONDS);
        answer.result().whenComplete((head, error) -> {
            timeout.cancel(false);
            if (error != null) {
                execution.cancel(true);
            }
        });
        return answer.result();
    }

    private static boolean plain(String value) {
        if (value.isEmpty() || value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ') {
            return value.isEmpty();
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || (c == ' ' && value.charAt(i - 1) == ' ')) {
                return false;
            }
        }
        return true;
    }

    private static boolean token(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** The body, as the HTTP client takes it. */
    private static final class Content implements SdkHttpContentPublisher {
        private final AsyncRequestBody body;

        Content(AsyncRequestBody body) {
            this.body = body;
        }

        @Override
        public Optional<Long> contentLength() {
            return body.contentLength();
        }

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
            body.subscribe(subscriber);
        }
    }
}
