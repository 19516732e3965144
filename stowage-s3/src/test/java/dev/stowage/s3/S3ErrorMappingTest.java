package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ErrorMappingTest {
    private static final String ENDPOINT = "http://127.0.0.1:9000";
    private static final S3ErrorMapping PATH_STYLE = new S3ErrorMapping(
            S3Config.builder(S3Preset.GENERIC).endpointUrl(ENDPOINT).bucketName("media").build());
    private static final S3ErrorMapping VIRTUAL_HOST = new S3ErrorMapping(
            S3Config.builder(S3Preset.GENERIC).endpointUrl("https://s3.example.com").bucketName("media").pathStyle(false).build());

    private static AwsServiceException serviceError(int status, String code, String message) {
        return S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
                .requestId("REQ1").build();
    }

    private static StorageException map(S3ErrorMapping mapping, Throwable e) {
        StorageException mapped = mapping.map(e, Operation.UPLOAD).build();
        assertThat(mapped.getMessage()).doesNotContain("\n", "\r", "\u2028");
        return mapped;
    }

    private static SdkClientException clientError(String message, Throwable cause) {
        return SdkClientException.builder().message(message).cause(cause).build();
    }

    static Stream<Arguments> everyCode() {
        return S3ErrorMapping.BY_CODE.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyCode")
    void map_everyCodeOfTheTable_hasItsKindRetryFlagAndFilledAdvice(String code, S3ErrorMapping.Meaning meaning) {
        StorageException e = map(PATH_STYLE, serviceError(400, code, "server says\nhi"));
        assertThat(e.kind()).isEqualTo(meaning.kind());
        assertThat(e.isRetryable()).isEqualTo(meaning.retryable());
        assertThat(e.detail()).startsWith(meaning.advice().replace("{bucket}", "media").replace("{endpoint}", ENDPOINT)
                .replace("{region}", "us-east-1") + ": " + code + " (HTTP 400) server says");
        assertThat(e.detail()).endsWith("[request id REQ1]").doesNotContain("{", "}");
        assertThat(e.getMessage()).contains("server says\\u000Ahi");
    }

    @ParameterizedTest
    @CsvSource(quoteCharacter = '"', value = {
            "NoSuchBucket,                 404, INVALID_CONFIG, false, bucket 'media' does not exist at " + ENDPOINT,
            "SignatureDoesNotMatch,        403, ACCESS_DENIED,  false, secret_access_key",
            "InvalidAccessKeyId,           403, ACCESS_DENIED,  false, access_key_id",
            "AccessDenied,                 403, ACCESS_DENIED,  false, bucket 'media'",
            "AuthorizationHeaderMalformed, 400, INVALID_CONFIG, false, 'us-east-1': check region",
            "RequestTimeTooSkewed,         403, INVALID_CONFIG, false, clock",
            "NoSuchKey,                    404, NOT_FOUND,      false, no object under this key",
            "SlowDown,                     503, RATE_LIMITED,   true,  slow down",
            "SomethingNew,                 503, RATE_LIMITED,   true,  SomethingNew (HTTP 503)",
            "InternalError,                500, UNAVAILABLE,    true,  internal error",
            "BadDigest,                    400, INTEGRITY,      true,  Content-MD5",
            "InvalidDigest,                400, UNEXPECTED,     false, Content-MD5",
            "NotImplemented,               501, UNSUPPORTED,    false, sdk_checksums=false",
            "EntityTooLarge,               400, UNSUPPORTED,    false, larger",
            "KeyTooLongError,              400, INVALID_KEY,    false, longer than the server accepts",
            "NoSuchUpload,                 404, CONFLICT,       true,  multipart upload",
            "PreconditionFailed,           412, CONFLICT,       false, precondition"})
    void map_importantServiceErrors(String code, int status, ErrorKind kind, boolean retryable, String mentions) {
        StorageException e = map(PATH_STYLE, serviceError(status, code, "Server text."));
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.detail()).contains(mentions, "Server text. [request id REQ1]");
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

    @ParameterizedTest
    @CsvSource({"301, INVALID_CONFIG, false", "307, INVALID_CONFIG, false", "401, ACCESS_DENIED, false", "403, ACCESS_DENIED, false", "404, NOT_FOUND, false", "409, CONFLICT, false",
            "412, CONFLICT, false", "429, RATE_LIMITED, true", "500, UNAVAILABLE, true", "501, UNSUPPORTED, false",
            "502, UNAVAILABLE, true", "503, RATE_LIMITED, true", "504, UNAVAILABLE, true", "418, UNEXPECTED, false",
            "505, UNEXPECTED, true", "400, UNEXPECTED, false"})
    void byStatus_unknownCodes_followTheHttpStatus(int status, ErrorKind kind, boolean retryable) {
        S3ErrorMapping.Meaning meaning = S3ErrorMapping.byStatus(status);
        assertThat(meaning.kind()).isEqualTo(kind);
        assertThat(meaning.retryable()).isEqualTo(retryable);
        StorageException e = map(PATH_STYLE, serviceError(status, "Unheard", "msg"));
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.detail()).isEqualTo(meaning.advice().replace("{bucket}", "media").replace("{region}", "us-east-1") + ": Unheard (HTTP " + status + ") msg [request id REQ1]");
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
    void map_refusedConnection_isUnavailableNamingTheEndpoint() {
        StorageException e = map(PATH_STYLE, clientError("Unable to execute HTTP request: Connection refused",
                new ConnectException("Connection refused")));
        assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.detail()).isEqualTo("cannot connect to " + ENDPOINT
                + ": Connection refused; is the server running, and is endpoint_url right?");
    }

    @Test
    void map_unknownHost_hintsAtPathStyleOnlyWhenRequestsUseVirtualHosts() {
        StorageException virtual = map(VIRTUAL_HOST, clientError("Unable to execute HTTP request",
                new UnknownHostException("media.s3.example.com")));
        assertThat(virtual.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(virtual.isRetryable()).isTrue();
        assertThat(virtual.detail()).startsWith("unknown host media.s3.example.com").contains("s3.example.com", "path_style=true");
        StorageException path = map(PATH_STYLE, clientError("Unable to execute HTTP request", new UnknownHostException("minio.local")));
        assertThat(path.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(path.detail()).isEqualTo("unknown host minio.local: check endpoint_url").doesNotContain("path_style");
    }

    @Test
    void map_callAndAttemptTimeouts_areUnavailableNamingTheirSetting() {
        StorageException call = map(PATH_STYLE, ApiCallTimeoutException.create(900_000));
        assertThat(call.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(call.isRetryable()).isTrue();
        assertThat(call.detail()).startsWith("no answer from " + ENDPOINT + " within call_timeout: ").doesNotContain("request_timeout");
        StorageException attempt = map(PATH_STYLE, ApiCallAttemptTimeoutException.create(300_000));
        assertThat(attempt.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(attempt.detail()).startsWith("no answer from " + ENDPOINT + " within request_timeout: ").doesNotContain("call_timeout");
    }

    @Test
    void map_stalledConnection_isUnavailableNamingSocketTimeout() {
        for (Throwable cause : new Throwable[] {ReadTimeoutException.INSTANCE,
                new IOException("No data was written to the request body within 30000 millis")}) {
            StorageException e = map(PATH_STYLE, clientError("Unable to execute HTTP request", cause));
            assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.detail()).startsWith("the connection to " + ENDPOINT + " stalled for longer than socket_timeout");
        }
    }

    @Test
    void map_fileChangedDuringUpload_isRetryableIntegrity() {
        for (String message : new String[] {"File size changed after reading started. Initial size: 10. Current size: 20",
                "Fewer bytes were read than were expected, was the data modified?"}) {
            StorageException e = map(PATH_STYLE, clientError(message, null));
            assertThat(e.kind()).isEqualTo(ErrorKind.INTEGRITY);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.detail()).isEqualTo("the file changed while it was uploaded: " + message);
        }
    }

    @Test
    void map_noCredentials_isInvalidConfigNamingTheSettings() {
        StorageException e = map(PATH_STYLE, clientError("Unable to load credentials from any of the providers in the chain "
                + "AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider()])", null));
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.detail()).contains("no credentials found", "access_key_id", "secret_access_key", "AWS_ACCESS_KEY_ID");
    }

    @Test
    void map_localFileProblems_keepTheirKind() {
        StorageException missing = map(PATH_STYLE, clientError("Unable to read", new java.io.UncheckedIOException(
                new NoSuchFileException("/data/a.txt"))));
        assertThat(missing.kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(missing.isRetryable()).isFalse();
        assertThat(missing.detail()).isEqualTo("source file does not exist: /data/a.txt");
        StorageException denied = map(PATH_STYLE, clientError("Unable to read", new AccessDeniedException("/data/b.txt")));
        assertThat(denied.kind()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(denied.detail()).isEqualTo("permission denied: /data/b.txt");
    }

    @Test
    void map_otherIoFailure_isUnavailable_andAnythingElseUnexpected() {
        StorageException reset = map(PATH_STYLE, clientError("Unable to execute HTTP request: Connection reset",
                new IOException("Connection reset by peer")));
        assertThat(reset.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(reset.detail()).isEqualTo("connection to " + ENDPOINT + " failed: Unable to execute HTTP request: Connection reset");
        StorageException sdk = map(PATH_STYLE, clientError("The request was rejected by an interceptor", null));
        assertThat(sdk.kind()).isEqualTo(ErrorKind.UNEXPECTED);
        assertThat(sdk.isRetryable()).isFalse();
        assertThat(sdk.detail()).isEqualTo("The request was rejected by an interceptor");
        StorageException bug = map(PATH_STYLE, new IllegalStateException("boom"));
        assertThat(bug.kind()).isEqualTo(ErrorKind.UNEXPECTED);
        assertThat(bug.detail()).isEqualTo("java.lang.IllegalStateException: boom");
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
}
