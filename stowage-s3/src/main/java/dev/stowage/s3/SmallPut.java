package dev.stowage.s3;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.async.SdkAsyncHttpResponseHandler;
import software.amazon.awssdk.http.async.SdkHttpContentPublisher;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * A {@code PutObject} of a body held in memory, signed here (AWS Signature Version 4, the payload's
 * SHA-256 signed) and sent straight on the backend's HTTP client, without the SDK's request
 * pipeline, whose marshalling, interceptors and signer cost a small upload more CPU than sending
 * it. Only for what it can send exactly as the SDK would: an endpoint of the configuration, no SDK
 * checksums ({@code Content-MD5} guards the body), headers of printable ASCII. An error answer
 * fails the request with the {@link S3Exception} the SDK would have made of it (status, code,
 * message, request id and headers), which the backend's error mapping reads. Thread-safe.
 */
final class SmallPut {
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HmacSHA256 in this JVM", e);
        }
    });
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    });

    private final String bucket;
    private final String region;
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
    /** The signing key of the last day, region and secret used. */
    private volatile SigningKey signingKey;

    private SmallPut(S3Config config, URI endpoint, Supplier<AwsCredentials> credentials, Supplier<SdkAsyncHttpClient> http,
                     ScheduledExecutorService timer) {
        this.bucket = config.bucketName();
        this.region = config.region();
        this.scheme = endpoint.getScheme().toLowerCase(java.util.Locale.ROOT);
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
     * The small PUT of a configuration, if it can have one: an endpoint of its own (http or https),
     * no SDK checksums, no interceptors (which would not see the request), and a bucket that is a
     * host name's first label when requests are not path-style.
     */
    static Optional<SmallPut> of(S3Config config, boolean interceptors, AwsCredentialsProvider credentials,
                                 Supplier<SdkAsyncHttpClient> http, ScheduledExecutorService timer) {
        Optional<URI> endpoint = config.endpointUrl();
        if (interceptors || config.sdkChecksums() || endpoint.isEmpty() || endpoint.get().getHost() == null
                || !(config.pathStyle() || config.bucketName().indexOf('.') < 0)
                || endpoint.get().getRawQuery() != null) {
            return Optional.empty();
        }
        String scheme = String.valueOf(endpoint.get().getScheme()).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.empty();
        }
        return Optional.of(new SmallPut(config, endpoint.get(), credentials::resolveCredentials, http, timer));
    }

    /**
     * Whether headers of these values are sent here as the SDK would send them: printable ASCII
     * without spaces at either end or in a row (which signing would have to fold), metadata names
     * of token characters.
     */
    static boolean sendable(String contentType, Map<String, String> metadata, Optional<String> cacheControl) {
        if (!plain(contentType) || !cacheControl.map(SmallPut::plain).orElse(true)) {
            return false;
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (!token(e.getKey()) || !plain(e.getValue())) {
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
                                            String contentType, Map<String, String> metadata,
                                            Optional<String> cacheControl) {
        long length = body.remaining();
        String path = pathBefore + SdkHttpUtils.urlEncodeIgnoreSlashes(objectKey);
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("host", hostHeader);
        headers.put("content-length", Long.toString(length));
        headers.put("content-md5", md5Base64);
        headers.put("content-type", contentType);
        cacheControl.ifPresent(v -> headers.put("cache-control", v));
        acl.ifPresent(v -> headers.put("x-amz-acl", v));
        metadata.forEach((name, value) -> headers.put("x-amz-meta-" + name.toLowerCase(java.util.Locale.ROOT), value));
        headers.put("x-amz-content-sha256", sha256Hex);
        long now = System.currentTimeMillis();
        String amzDate = amzDate(now);
        headers.put("x-amz-date", amzDate);
        AwsCredentials identity = credentials.get();
        if (identity instanceof AwsSessionCredentials) {
            headers.put("x-amz-security-token", ((AwsSessionCredentials) identity).sessionToken());
        }
        headers.put("authorization", authorization(identity, amzDate, path, headers, sha256Hex));

        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT)
                .protocol(scheme).host(host).port(port).encodedPath(path);
        headers.forEach(request::putHeader);
        Answer answer = new Answer();
        AsyncRequestBody content = AsyncRequestBody.fromRemainingByteBufferUnsafe(body);
        CompletableFuture<Void> execution = http.get().execute(AsyncExecuteRequest.builder()
                .request(request.build())
                .requestContentPublisher(new Content(content))
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
        answer.result.whenComplete((head, error) -> {
            timeout.cancel(false);
            if (error != null) {
                execution.cancel(true);
            }
        });
        return answer.result;
    }

    /** The {@code Authorization} header of a request with these (lower-case, sorted) headers. */
    private String authorization(AwsCredentials identity, String amzDate, String path, TreeMap<String, String> headers,
                                 String payloadSha256) {
        String day = amzDate.substring(0, 8);
        StringBuilder canonical = new StringBuilder(512).append("PUT\n").append(path).append("\n\n");
        StringBuilder signed = new StringBuilder(160);
        headers.forEach((name, value) -> {
            canonical.append(name).append(':').append(value).append('\n');
            if (signed.length() > 0) {
                signed.append(';');
            }
            signed.append(name);
        });
        canonical.append('\n').append(signed).append('\n').append(payloadSha256);
        String scope = day + "/" + region + "/s3/aws4_request";
        MessageDigest sha256 = SHA256.get();
        String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + HEX.formatHex(sha256.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] signature = hmac(signingKey(identity.secretAccessKey(), day), toSign);
        return ALGORITHM + " Credential=" + identity.accessKeyId() + "/" + scope + ", SignedHeaders=" + signed
                + ", Signature=" + HEX.formatHex(signature);
    }

    private byte[] signingKey(String secret, String day) {
        SigningKey key = signingKey;
        if (key == null || !key.day.equals(day) || !key.secret.equals(secret)) {
            byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
            k = hmac(k, region);
            k = hmac(k, "s3");
            k = hmac(k, "aws4_request");
            key = new SigningKey(day, secret, k);
            signingKey = key;
        }
        return key.key;
    }

    private static byte[] hmac(byte[] key, String data) {
        Mac mac = HMAC.get();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with HmacSHA256", e);
        }
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'} in UTC. */
    static String amzDate(long epochMillis) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000), 0, ZoneOffset.UTC);
        char[] c = new char[16];
        digits(c, 0, t.getYear(), 4);
        digits(c, 4, t.getMonthValue(), 2);
        digits(c, 6, t.getDayOfMonth(), 2);
        c[8] = 'T';
        digits(c, 9, t.getHour(), 2);
        digits(c, 11, t.getMinute(), 2);
        digits(c, 13, t.getSecond(), 2);
        c[15] = 'Z';
        return new String(c);
    }

    private static void digits(char[] into, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            into[i] = (char) ('0' + value % 10);
            value /= 10;
        }
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

    /** The exception the SDK makes of an S3 error answer, with what the backend's mapping reads of it. */
    static S3Exception errorOf(SdkHttpResponse head, String body) {
        String code = first(CODE, body);
        String message = first(MESSAGE, body);
        String requestId = head.firstMatchingHeader("x-amz-request-id").orElse(null);
        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(code).errorMessage(message)
                .serviceName("S3").sdkHttpResponse(head).build();
        return (S3Exception) S3Exception.builder()
                .message((message != null ? message : "HTTP " + head.statusCode()) + " (Service: S3, Status Code: "
                        + head.statusCode() + ", Request ID: " + requestId + ")")
                .statusCode(head.statusCode())
                .requestId(requestId)
                .extendedRequestId(head.firstMatchingHeader("x-amz-id-2").orElse(null))
                .awsErrorDetails(details)
                .build();
    }

    private static String first(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        return m.find() ? unescape(m.group(1)) : null;
    }

    private static String unescape(String xml) {
        return xml.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    /** A day's signing key, and what it was derived from (a class, not a record: its text must not show the secret). */
    private static final class SigningKey {
        final String day;
        final String secret;
        final byte[] key;

        SigningKey(String day, String secret, byte[] key) {
            this.day = day;
            this.secret = secret;
            this.key = key;
        }
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

    /** The answer: the object's ETag once a successful answer has ended, else the error it stands for. */
    private static final class Answer implements SdkAsyncHttpResponseHandler {
        /** The most of an error answer's body that is read: S3's are a few hundred bytes. */
        private static final int MAX_ERROR_BYTES = 64 * 1024;

        final CompletableFuture<String> result = new CompletableFuture<>();
        private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
        private volatile SdkHttpResponse head;

        @Override
        public void onHeaders(SdkHttpResponse headers) {
            head = headers;
        }

        @Override
        public void onStream(Publisher<ByteBuffer> stream) {
            stream.subscribe(new Subscriber<ByteBuffer>() {
                @Override
                public void onSubscribe(Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(ByteBuffer bytes) {
                    SdkHttpResponse h = head;
                    if (h != null && !h.isSuccessful()) {
                        synchronized (errorBody) {
                            int take = Math.min(bytes.remaining(), MAX_ERROR_BYTES - errorBody.size());
                            for (int i = 0; i < take; i++) {
                                errorBody.write(bytes.get());
                            }
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    fail(t);
                }

                @Override
                public void onComplete() {
                    ended();
                }
            });
        }

        private void ended() {
            SdkHttpResponse h = head;
            if (h == null) {
                fail(new IllegalStateException("the answer ended without its head"));
            } else if (h.isSuccessful()) {
                result.complete(h.firstMatchingHeader("ETag").orElse(null));
            } else {
                String body;
                synchronized (errorBody) {
                    body = errorBody.toString(StandardCharsets.UTF_8);
                }
                result.completeExceptionally(errorOf(h, body));
            }
        }

        @Override
        public void onError(Throwable error) {
            fail(error);
        }

        void fail(Throwable error) {
            Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            result.completeExceptionally(e instanceof SdkException ? e
                    : SdkClientException.builder().message("Unable to execute HTTP request: " + e.getMessage()).cause(e).build());
        }
    }
}
