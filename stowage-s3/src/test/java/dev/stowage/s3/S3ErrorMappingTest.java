package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.WriteTimeoutException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.xml.stream.XMLStreamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link S3ErrorMapping}, table by table: every expected kind and retry flag is written here, not
 * read from the mapping, so that a wrong row of the mapping fails a row of these tables.
 */
class S3ErrorMappingTest {
    private static final String ENDPOINT = "http://127.0.0.1:9000";
    private static final S3ErrorMapping PATH_STYLE = new S3ErrorMapping(
            S3Config.builder(S3Preset.GENERIC).endpointUrl(ENDPOINT).bucketName("media").build());
    private static final S3ErrorMapping VIRTUAL_HOST = new S3ErrorMapping(
            S3Config.builder(S3Preset.GENERIC).endpointUrl("https://s3.example.com").bucketName("media").pathStyle(false).build());

    @TempDir
    static Path dir;

    /** One row of {@link S3ErrorMapping#BY_CODE} as it should be: a usual status, kind, retry flag, and words of its advice. */
    record Code(String code, int status, ErrorKind kind, boolean retryable, String advice) {
    }

    static final List<Code> EVERY_CODE = List.of(
            new Code("NoSuchKey", 404, ErrorKind.NOT_FOUND, false, "no object under this key"),
            new Code("NoSuchBucket", 404, ErrorKind.INVALID_CONFIG, false, "bucket 'media' does not exist at " + ENDPOINT),
            new Code("InvalidBucketName", 400, ErrorKind.INVALID_CONFIG, false, "rejects the bucket name 'media'"),
            new Code("InvalidAccessKeyId", 403, ErrorKind.ACCESS_DENIED, false, "check access_key_id"),
            new Code("SignatureDoesNotMatch", 403, ErrorKind.ACCESS_DENIED, false, "check secret_access_key"),
            new Code("AccessDenied", 403, ErrorKind.ACCESS_DENIED, false, "not allowed to do this on bucket 'media'"),
            new Code("AllAccessDisabled", 403, ErrorKind.ACCESS_DENIED, false, "all access to bucket 'media' is disabled"),
            new Code("AccountProblem", 403, ErrorKind.ACCESS_DENIED, false, "a problem with the account"),
            new Code("ExpiredToken", 400, ErrorKind.ACCESS_DENIED, false, "session token has expired"),
            new Code("InvalidToken", 400, ErrorKind.ACCESS_DENIED, false, "session token is not valid"),
            new Code("AuthorizationHeaderMalformed", 400, ErrorKind.INVALID_CONFIG, false, "another region than 'us-east-1': check region"),
            new Code("PermanentRedirect", 301, ErrorKind.INVALID_CONFIG, false, "bucket 'media' is in another region than 'us-east-1'"),
            new Code("IllegalLocationConstraintException", 400, ErrorKind.INVALID_CONFIG, false,
                    "bucket 'media' is in another region than 'us-east-1'"),
            new Code("RequestTimeTooSkewed", 403, ErrorKind.INVALID_CONFIG, false, "fix the clock"),
            new Code("SlowDown", 503, ErrorKind.RATE_LIMITED, true, "the server asks to slow down"),
            new Code("Throttling", 400, ErrorKind.RATE_LIMITED, true, "the server asks to slow down"),
            new Code("ThrottlingException", 400, ErrorKind.RATE_LIMITED, true, "the server asks to slow down"),
            new Code("TooManyRequests", 429, ErrorKind.RATE_LIMITED, true, "too many requests"),
            new Code("TooManyRequestsException", 429, ErrorKind.RATE_LIMITED, true, "too many requests"),
            new Code("RequestLimitExceeded", 503, ErrorKind.RATE_LIMITED, true, "request limit exceeded"),
            new Code("ServiceUnavailable", 503, ErrorKind.RATE_LIMITED, true, "unavailable for now"),
            new Code("InternalError", 500, ErrorKind.UNAVAILABLE, true, "internal error"),
            new Code("RequestTimeout", 400, ErrorKind.UNAVAILABLE, true, "timed out reading the request"),
            new Code("RequestTimeoutException", 408, ErrorKind.UNAVAILABLE, true, "the server timed out"),
            new Code("PriorRequestNotComplete", 400, ErrorKind.UNAVAILABLE, true, "an earlier request is still running"),
            new Code("BadDigest", 400, ErrorKind.INTEGRITY, true, "does not match its Content-MD5"),
            new Code("XAmzContentSHA256Mismatch", 400, ErrorKind.INTEGRITY, true, "does not match its SHA-256"),
            new Code("IncompleteBody", 400, ErrorKind.INTEGRITY, true, "fewer bytes than announced"),
            new Code("InvalidDigest", 400, ErrorKind.UNEXPECTED, false, "rejects the Content-MD5 header"),
            new Code("NotImplemented", 501, ErrorKind.UNSUPPORTED, false, "sdk_checksums=false"),
            new Code("EntityTooLarge", 400, ErrorKind.UNSUPPORTED, false, "larger than the server accepts"),
            new Code("KeyTooLongError", 400, ErrorKind.INVALID_KEY, false, "longer than the server accepts"),
            new Code("OperationAborted", 409, ErrorKind.CONFLICT, true, "a conflicting operation is in progress"),
            new Code("NoSuchUpload", 404, ErrorKind.CONFLICT, false, "the multipart upload was aborted or completed meanwhile"),
            new Code("PreconditionFailed", 412, ErrorKind.CONFLICT, false, "a precondition of the request does not hold"));

    static Stream<Code> everyCode() {
        return EVERY_CODE.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyCode")
    void map_everyCodeOfTheTable_hasItsKindRetryFlagAndFilledAdvice(Code row) {
        StorageException e = map(PATH_STYLE, serviceError(row.status(), row.code(), "server says\nhi"));
        assertThat(e.kind()).isEqualTo(row.kind());
        assertThat(e.isRetryable()).isEqualTo(row.retryable());
        assertThat(e.detail()).contains(row.advice())
                .contains(": " + row.code() + " (HTTP " + row.status() + ") server says")
                .endsWith("[request id REQ1]").doesNotContain("{", "}");
        assertThat(e.getMessage()).contains("server says\\u000Ahi");
    }

    @Test
    void everyCodeOfTheMapping_hasARowInTheTableAbove() {
        assertThat(EVERY_CODE.stream().map(Code::code)).containsExactlyInAnyOrderElementsOf(S3ErrorMapping.BY_CODE.keySet());
    }

    @Test
    void map_slowDown_hasTheWholeStoryOnOneLine() {
        StorageException e = map(PATH_STYLE, serviceError(503, "SlowDown", "Please reduce your request rate."));
        assertThat(e.getMessage()).isEqualTo("RATE_LIMITED (retryable): the server asks to slow down: "
                + "SlowDown (HTTP 503) Please reduce your request rate. [request id REQ1]");
    }

    @Test
    void map_knownCode_winsOverTheStatus() {
        assertThat(map(PATH_STYLE, serviceError(503, "NoSuchKey", "x")).kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(map(PATH_STYLE, serviceError(404, "SlowDown", "x")).kind()).isEqualTo(ErrorKind.RATE_LIMITED);
    }

    @ParameterizedTest(name = "HTTP {0}")
    @CsvSource(quoteCharacter = '"', value = {
            "301, INVALID_CONFIG, false, bucket 'media' is in another region than 'us-east-1' or at another endpoint",
            "307, INVALID_CONFIG, false, bucket 'media' is in another region than 'us-east-1' or at another endpoint",
            "401, ACCESS_DENIED,  false, the server refuses these credentials",
            "403, ACCESS_DENIED,  false, the server refuses these credentials",
            "404, NOT_FOUND,      false, not found",
            "409, CONFLICT,       false, the request conflicts with the object's state",
            "412, CONFLICT,       false, the request conflicts with the object's state",
            "429, RATE_LIMITED,   true,  the server asks to slow down",
            "500, UNAVAILABLE,    true,  the server failed",
            "501, UNSUPPORTED,    false, the server does not implement this request",
            "502, UNAVAILABLE,    true,  the server failed",
            "503, RATE_LIMITED,   true,  the server asks to slow down",
            "504, UNAVAILABLE,    true,  the server failed",
            "418, UNEXPECTED,     false, unexpected answer from the server",
            "505, UNEXPECTED,     true,  unexpected answer from the server",
            "400, UNEXPECTED,     false, unexpected answer from the server"})
    void map_unknownCode_followsTheHttpStatus(int status, ErrorKind kind, boolean retryable, String advice) {
        StorageException e = map(PATH_STYLE, serviceError(status, "Unheard", "msg"));
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.detail()).startsWith(advice).endsWith(": Unheard (HTTP " + status + ") msg [request id REQ1]");
    }

    /**
     * What the client meets on its side, shaped as the SDK (2.57.8, Netty client) reports it: most
     * under an {@code SdkClientException} "Unable to execute HTTP request: ...", whose cause is
     * what failed. Rows marked "(SDK)" are raised by the SDK itself; {@code S3ErrorMappingIT} gets
     * the network ones from a real client.
     */
    static Stream<Arguments> clientFailures() {
        return Stream.of(
                // The network: UNAVAILABLE, retryable.
                row("connection refused", () -> httpFailure(new ConnectException("Connection refused")),
                        ErrorKind.UNAVAILABLE, true, "cannot connect to " + ENDPOINT + ": Connection refused; is the server running"),
                row("unknown host", () -> httpFailure(new UnknownHostException("minio.local")),
                        ErrorKind.UNAVAILABLE, true, "unknown host minio.local: check endpoint_url"),
                row("read timeout", () -> httpFailure(new IOException("Read timed out", ReadTimeoutException.INSTANCE)),
                        ErrorKind.UNAVAILABLE, true, "stalled for longer than socket_timeout: ReadTimeoutException"),
                row("write timeout", () -> httpFailure(new IOException("Write timed out", WriteTimeoutException.INSTANCE)),
                        ErrorKind.UNAVAILABLE, true, "stalled for longer than socket_timeout: WriteTimeoutException"),
                row("socket timeout", () -> httpFailure(new SocketTimeoutException("Read timed out")),
                        ErrorKind.UNAVAILABLE, true, "stalled for longer than socket_timeout: Read timed out"),
                row("request body not written", () -> httpFailure(new IOException("No data was written to the request body "
                                + "within 1000ms. This can occur if the request body publisher is not producing data")),
                        ErrorKind.UNAVAILABLE, true, "stalled for longer than socket_timeout: No data was written"),
                row("connection reset while reading", () -> httpFailure(new SocketException("Connection reset")),
                        ErrorKind.UNAVAILABLE, true, "connection to " + ENDPOINT + " failed: Unable to execute HTTP request: Connection reset"),
                row("connection reset while writing", () -> httpFailure(new IOException("The connection was closed during the request.",
                                new ClosedChannelException().initCause(new IOException("Connection reset by peer")))),
                        ErrorKind.UNAVAILABLE, true, "connection to " + ENDPOINT + " failed: Unable to execute HTTP request: The connection"),
                row("connection closed without an answer", () -> httpFailure(new IOException("The connection was closed during the request.")),
                        ErrorKind.UNAVAILABLE, true, "connection to " + ENDPOINT + " failed"),
                row("response shorter than announced", () -> httpFailure(new IOException("Response had content-length of 100 bytes, "
                                + "but only received 3 bytes before the connection was closed.")),
                        ErrorKind.UNAVAILABLE, true, "connection to " + ENDPOINT + " failed"),
                row("premature end of response", () -> httpFailure(new EOFException("Unexpected end of stream")),
                        ErrorKind.UNAVAILABLE, true, "connection to " + ENDPOINT + " failed"),
                row("answer cut within its XML", () -> SdkClientException.create("Could not parse XML response.",
                                new XMLStreamException("Unexpected EOF; was expecting a close tag for element <Location>")),
                        ErrorKind.UNAVAILABLE, true, "the answer of " + ENDPOINT + " could not be read, cut short or garbled: "
                                + "Could not parse XML response."),
                row("TLS failure", () -> httpFailure(new SSLException("Received fatal alert: handshake_failure")),
                        ErrorKind.UNAVAILABLE, true, "connection to " + ENDPOINT + " failed"),
                row("Netty I/O failure", () -> httpFailure(new ChannelOutputShutdownException("Channel output shutdown")),
                        ErrorKind.UNAVAILABLE, true, "connection to " + ENDPOINT + " failed"),
                row("call timeout (SDK)", () -> ApiCallTimeoutException.create(900_000),
                        ErrorKind.UNAVAILABLE, true, "no answer from " + ENDPOINT + " within call_timeout: "),
                row("attempt timeout (SDK)", () -> ApiCallAttemptTimeoutException.create(300_000),
                        ErrorKind.UNAVAILABLE, true, "no answer from " + ENDPOINT + " within request_timeout: "),
                // The local file: its own kinds, not retryable, and not the network's fault.
                row("source file denied", () -> httpFailure(new AccessDeniedException("/data/b.txt")),
                        ErrorKind.ACCESS_DENIED, false, "permission denied on the source file: /data/b.txt"),
                row("source file missing, as the file body throws it", () -> httpFailure(
                                new UncheckedIOException(new NoSuchFileException("/data/a.txt"))),
                        ErrorKind.NOT_FOUND, false, "source file does not exist: /data/a.txt"),
                row("source file gone after reading (SDK)", () -> SdkClientException.create("Unable to check file status after read. "
                                + "Was the file deleted or were its permissions changed?", new NoSuchFileException("/data/a.txt")),
                        ErrorKind.NOT_FOUND, false, "source file does not exist: /data/a.txt"),
                row("disk error, unchecked", () -> httpFailure(new UncheckedIOException(new IOException("Input/output error"))),
                        ErrorKind.IO, false, "cannot read the source file: Input/output error"),
                row("disk error on a path", () -> httpFailure(new FileSystemException("/data/c.txt", null, "Input/output error")),
                        ErrorKind.IO, false, "cannot read the source file: /data/c.txt: Input/output error"),
                row("disk error from the file body (SDK)", () -> httpFailure(readFailure(AsyncRequestBody.fromFile(dir))),
                        ErrorKind.IO, false, "cannot read the source file: Is a directory"),
                // The file changed while it was sent: a new attempt reads it again.
                row("file shorter than announced (SDK)", S3ErrorMappingTest::fileShorterThanAnnounced,
                        ErrorKind.INTEGRITY, true, "the file changed while it was uploaded: Fewer bytes were read than were expected"),
                row("file size changed", () -> SdkClientException.create("File size changed after reading started. "
                                + "Initial size: 10. Current size: 20"),
                        ErrorKind.INTEGRITY, true, "the file changed while it was uploaded: File size changed"),
                row("file time changed", () -> SdkClientException.create("File last-modified time changed after reading started. "
                                + "Initial modification time: 2024-01-01T00:00:00Z. Current modification time: 2024-01-01T00:00:01Z"),
                        ErrorKind.INTEGRITY, true, "the file changed while it was uploaded: File last-modified time changed"),
                // Credentials: fix the configuration.
                row("no credentials in the chain (SDK)", S3ErrorMappingTest::noCredentials,
                        ErrorKind.INVALID_CONFIG, false, "no credentials found: set access_key_id and secret_access_key"),
                row("a caller's provider fails", () -> SdkClientException.create("the vault is sealed", thrownBy(new SealedVault())),
                        ErrorKind.INVALID_CONFIG, false, "no credentials found"),
                // Credentials that could not be fetched this time (instance metadata, STS): may work next time.
                row("a provider's source times out", () -> SdkClientException.create("no answer", thrownBy(new SlowMetadata())),
                        ErrorKind.UNAVAILABLE, true, "the credentials could not be fetched: Read timed out"),
                // The upload is gone: a new one is the caller's decision.
                row("multipart upload gone", () -> serviceError(404, "NoSuchUpload", "The specified upload does not exist."),
                        ErrorKind.CONFLICT, false, "the multipart upload was aborted or completed meanwhile: NoSuchUpload (HTTP 404)"),
                // Anything else: a bug, or something no rule knows.
                row("rejected by an interceptor", () -> SdkClientException.create("The request was rejected by an interceptor"),
                        ErrorKind.UNEXPECTED, false, "The request was rejected by an interceptor"),
                row("a bug", () -> new IllegalStateException("boom"),
                        ErrorKind.UNEXPECTED, false, "java.lang.IllegalStateException: boom"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientFailures")
    void map_clientFailure_hasItsKindAndRetryFlag(String name, ThrowingSupplier<Throwable> failure, ErrorKind kind,
                                                  boolean retryable, String mentions) throws Throwable {
        StorageException e = map(PATH_STYLE, failure.get());
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
        assertThat(e.isRetryable()).as(e.getMessage()).isEqualTo(retryable);
        assertThat(e.detail()).contains(mentions);
    }

    @Test
    void map_localFileFailure_doesNotBlameTheEndpoint() throws Exception {
        for (Throwable local : List.of(httpFailure(new AccessDeniedException("/data/b.txt")),
                httpFailure(new UncheckedIOException(new IOException("Input/output error"))),
                httpFailure(readFailure(AsyncRequestBody.fromFile(dir))))) {
            assertThat(map(PATH_STYLE, local).detail()).doesNotContain(ENDPOINT, "connection");
        }
    }

    @Test
    void map_localFileOfAnotherOperation_isNotCalledTheSource() {
        StorageException e = PATH_STYLE.map(httpFailure(new NoSuchFileException("/etc/x")), Operation.STAT).build();
        assertThat(e.detail()).isEqualTo("local file does not exist: /etc/x");
    }

    @Test
    void map_unknownHost_hintsAtPathStyleOnlyWhenRequestsUseVirtualHosts() {
        StorageException virtual = map(VIRTUAL_HOST, httpFailure(new UnknownHostException("media.s3.example.com")));
        assertThat(virtual.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(virtual.isRetryable()).isTrue();
        assertThat(virtual.detail()).startsWith("unknown host media.s3.example.com").contains("s3.example.com", "path_style=true");
        StorageException path = map(PATH_STYLE, httpFailure(new UnknownHostException("minio.local")));
        assertThat(path.detail()).isEqualTo("unknown host minio.local: check endpoint_url").doesNotContain("path_style");
    }

    @Test
    void map_callAndAttemptTimeouts_nameOnlyTheirOwnSetting() {
        assertThat(map(PATH_STYLE, ApiCallTimeoutException.create(900_000)).detail()).doesNotContain("request_timeout");
        assertThat(map(PATH_STYLE, ApiCallAttemptTimeoutException.create(300_000)).detail()).doesNotContain("call_timeout");
    }

    @Test
    void map_serviceErrorWithoutCodeOrMessage_saysTheStatusAndNoNull() {
        StorageException bare = map(PATH_STYLE, S3Exception.builder().statusCode(404).build());
        assertThat(bare.kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(bare.detail()).isEqualTo("not found: HTTP 404");
        StorageException head = map(PATH_STYLE, S3Exception.builder().statusCode(403).requestId("REQ2")
                .awsErrorDetails(AwsErrorDetails.builder().build()).build());
        assertThat(head.kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(head.detail()).startsWith("the server refuses these credentials: check access_key_id and secret_access_key")
                .contains("bucket 'media'").endsWith(": HTTP 403 [request id REQ2]");
    }

    @Test
    void mapCode_withoutStatus_asInABatchDeleteResult() {
        StorageException denied = PATH_STYLE.map("AccessDenied", "Access Denied", 0).build();
        assertThat(denied.kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(denied.detail()).isEqualTo("the credentials are not allowed to do this on bucket 'media': AccessDenied Access Denied");
        assertThat(PATH_STYLE.map("SlowDown", "SlowDown", 0).build().detail()).isEqualTo("the server asks to slow down: SlowDown");
        StorageException unknown = PATH_STYLE.map("Weird", null, 0).build();
        assertThat(unknown.kind()).isEqualTo(ErrorKind.UNEXPECTED);
        assertThat(unknown.isRetryable()).isFalse();
        assertThat(unknown.detail()).isEqualTo("unexpected answer from the server: Weird");
    }

    @Test
    void map_redirectToTheBucketsRegion_namesThatRegion() {
        AwsServiceException redirect = S3Exception.builder().statusCode(301)
                .awsErrorDetails(AwsErrorDetails.builder().sdkHttpResponse(SdkHttpResponse.builder().statusCode(301)
                        .putHeader("x-amz-bucket-region", "eu-central-1").build()).build()).build();
        StorageException e = map(PATH_STYLE, redirect);
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG);
        assertThat(e.detail()).contains("check region").contains("the bucket is in eu-central-1").doesNotContain("null");
    }

    private static Arguments row(String name, ThrowingSupplier<Throwable> failure, ErrorKind kind, boolean retryable, String mentions) {
        return Arguments.of(name, failure, kind, retryable, mentions);
    }

    private static StorageException map(S3ErrorMapping mapping, Throwable e) {
        StorageException mapped = mapping.map(e, Operation.UPLOAD).build();
        assertThat(mapped.getMessage()).doesNotContain("\n", "\r", "\u2028");
        return mapped;
    }

    private static AwsServiceException serviceError(int status, String code, String message) {
        return S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
                .requestId("REQ1").build();
    }

    /** How the SDK's retry stage reports what failed during an HTTP attempt. */
    private static SdkClientException httpFailure(Throwable cause) {
        return SdkClientException.create("Unable to execute HTTP request: " + cause.getMessage(), cause);
    }

    /** What the SDK's file body signals when it is read to its end: its failure, or null. */
    private static Throwable readFailure(AsyncRequestBody body) throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        body.subscribe(new Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer bytes) {
            }

            @Override
            public void onError(Throwable t) {
                failure.complete(t);
            }

            @Override
            public void onComplete() {
                failure.complete(null);
            }
        });
        return failure.get(10, TimeUnit.SECONDS);
    }

    /** The SDK's file body, told to send one byte more than the file holds. */
    private static Throwable fileShorterThanAnnounced() throws Exception {
        Path file = Files.writeString(dir.resolve("short.txt"), "hello, file");
        long size = Files.size(file);
        return readFailure(AsyncRequestBody.fromFile(b -> b.path(file).position(0L).numBytesToRead(size + 1)));
    }

    /** What the SDK's credentials chain throws when none of its providers has credentials. */
    private static Throwable noCredentials() {
        ProfileFile empty = ProfileFile.builder().content(new ByteArrayInputStream(new byte[0]))
                .type(ProfileFile.Type.CREDENTIALS).build();
        return thrownBy(AwsCredentialsProviderChain.of(ProfileCredentialsProvider.builder().profileFile(empty).profileName("stowage").build()));
    }

    /** What a provider throws when the SDK asks it for credentials. */
    private static Throwable thrownBy(AwsCredentialsProvider provider) {
        try {
            provider.resolveIdentity();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError(provider + " has credentials");
    }

    /** A provider whose source (an instance metadata service, say) does not answer in time. */
    private static final class SlowMetadata implements AwsCredentialsProvider {
        @Override
        public AwsCredentials resolveCredentials() {
            throw SdkClientException.create("Failed to load credentials from IMDS", new SocketTimeoutException("Read timed out"));
        }
    }

    /** A provider of the caller's own, whose secret store is closed. */
    private static final class SealedVault implements AwsCredentialsProvider {
        @Override
        public AwsCredentials resolveCredentials() {
            throw new IllegalStateException("the vault is sealed");
        }
    }
}
