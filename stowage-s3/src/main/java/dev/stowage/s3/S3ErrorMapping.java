package dev.stowage.s3;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The one place where S3 failures become {@link StorageException} kinds: the error codes of S3
 * and its look-alikes, then HTTP statuses, then what the client met on the way (timeouts,
 * refused connections, unknown hosts, a file that changed while it was sent). Thread-safe.
 */
final class S3ErrorMapping {
    /** What an error code means: the kind, whether trying again may help, and advice for the user. */
    record Meaning(ErrorKind kind, boolean retryable, String advice) {
        static Meaning of(ErrorKind kind, String advice) {
            return new Meaning(kind, kind.isRetryableByDefault(), advice);
        }
    }

    /**
     * S3 error codes, as in the {@code <Code>} of an error response. {@code {bucket}},
     * {@code {endpoint}} and {@code {region}} in the advice are filled in.
     */
    static final Map<String, Meaning> BY_CODE = Map.ofEntries(
            // GET of a key that holds nothing. HEAD answers 404 without a code; stat handles that.
            Map.entry("NoSuchKey", Meaning.of(ErrorKind.NOT_FOUND, "no object under this key")),
            // The bucket is not there: nothing will work until the configuration names one that is.
            Map.entry("NoSuchBucket", Meaning.of(ErrorKind.INVALID_CONFIG,
                    "bucket '{bucket}' does not exist at {endpoint}: check bucket_name, endpoint_url and region")),
            Map.entry("InvalidBucketName", Meaning.of(ErrorKind.INVALID_CONFIG,
                    "the server rejects the bucket name '{bucket}': check bucket_name")),
            // Wrong or unknown credentials: retrying with the same ones cannot help.
            Map.entry("InvalidAccessKeyId", Meaning.of(ErrorKind.ACCESS_DENIED,
                    "the server does not know this access key: check access_key_id (or AWS_ACCESS_KEY_ID)")),
            Map.entry("SignatureDoesNotMatch", Meaning.of(ErrorKind.ACCESS_DENIED,
                    "the signature does not match: check secret_access_key (or AWS_SECRET_ACCESS_KEY) and region")),
            Map.entry("AccessDenied", Meaning.of(ErrorKind.ACCESS_DENIED,
                    "the credentials are not allowed to do this on bucket '{bucket}'")),
            Map.entry("AllAccessDisabled", Meaning.of(ErrorKind.ACCESS_DENIED, "all access to bucket '{bucket}' is disabled")),
            Map.entry("AccountProblem", Meaning.of(ErrorKind.ACCESS_DENIED, "the provider reports a problem with the account")),
            Map.entry("ExpiredToken", Meaning.of(ErrorKind.ACCESS_DENIED, "the session token has expired: renew the credentials")),
            Map.entry("InvalidToken", Meaning.of(ErrorKind.ACCESS_DENIED, "the session token is not valid")),
            // The signature names another region than the bucket's.
            Map.entry("AuthorizationHeaderMalformed", Meaning.of(ErrorKind.INVALID_CONFIG,
                    "the server expects another region than '{region}': check region")),
            Map.entry("PermanentRedirect", Meaning.of(ErrorKind.INVALID_CONFIG,
                    "bucket '{bucket}' is in another region than '{region}': check region and endpoint_url")),
            Map.entry("IllegalLocationConstraintException", Meaning.of(ErrorKind.INVALID_CONFIG,
                    "bucket '{bucket}' is in another region than '{region}': check region")),
            // Requests are signed with this machine's clock.
            Map.entry("RequestTimeTooSkewed", Meaning.of(ErrorKind.INVALID_CONFIG,
                    "this machine's clock is too far from the server's: fix the clock (NTP)")),
            // Throttling: back off and try again.
            Map.entry("SlowDown", Meaning.of(ErrorKind.RATE_LIMITED, "the server asks to slow down")),
            Map.entry("Throttling", Meaning.of(ErrorKind.RATE_LIMITED, "the server asks to slow down")),
            Map.entry("ThrottlingException", Meaning.of(ErrorKind.RATE_LIMITED, "the server asks to slow down")),
            Map.entry("TooManyRequests", Meaning.of(ErrorKind.RATE_LIMITED, "too many requests")),
            Map.entry("TooManyRequestsException", Meaning.of(ErrorKind.RATE_LIMITED, "too many requests")),
            Map.entry("RequestLimitExceeded", Meaning.of(ErrorKind.RATE_LIMITED, "request limit exceeded")),
            Map.entry("ServiceUnavailable", Meaning.of(ErrorKind.RATE_LIMITED, "the service is unavailable for now")),
            // The server failed or gave up waiting on us: a new attempt usually works.
            Map.entry("InternalError", Meaning.of(ErrorKind.UNAVAILABLE, "the server had an internal error")),
            Map.entry("RequestTimeout", Meaning.of(ErrorKind.UNAVAILABLE, "the server timed out reading the request")),
            Map.entry("RequestTimeoutException", Meaning.of(ErrorKind.UNAVAILABLE, "the server timed out")),
            Map.entry("PriorRequestNotComplete", Meaning.of(ErrorKind.UNAVAILABLE, "an earlier request is still running")),
            // The bytes that arrived are not the bytes that were hashed: corrupted on the way, or
            // the file changed after it was hashed. A new attempt reads and hashes it again.
            Map.entry("BadDigest", Meaning.of(ErrorKind.INTEGRITY,
                    "the content the server received does not match its Content-MD5: the file changed or was corrupted on the way")),
            Map.entry("XAmzContentSHA256Mismatch", Meaning.of(ErrorKind.INTEGRITY,
                    "the content the server received does not match its SHA-256; if this repeats, set sdk_checksums=false")),
            Map.entry("IncompleteBody", Meaning.of(ErrorKind.INTEGRITY, "the server received fewer bytes than announced")),
            Map.entry("InvalidDigest", new Meaning(ErrorKind.UNEXPECTED, false, "the server rejects the Content-MD5 header")),
            // A header or feature this provider does not implement: a setting must change.
            Map.entry("NotImplemented", Meaning.of(ErrorKind.UNSUPPORTED,
                    "the server does not implement a header or feature of this request; try the provider's preset, or sdk_checksums=false")),
            Map.entry("EntityTooLarge", Meaning.of(ErrorKind.UNSUPPORTED, "the object is larger than the server accepts")),
            Map.entry("KeyTooLongError", Meaning.of(ErrorKind.INVALID_KEY, "the full key is longer than the server accepts")),
            // Someone else changed the same object or upload at the same moment.
            Map.entry("OperationAborted", new Meaning(ErrorKind.CONFLICT, true, "a conflicting operation is in progress")),
            Map.entry("NoSuchUpload", new Meaning(ErrorKind.CONFLICT, true, "the multipart upload was aborted or completed meanwhile")),
            Map.entry("PreconditionFailed", Meaning.of(ErrorKind.CONFLICT, "a precondition of the request does not hold")));

    private final String bucket;
    private final String endpoint;
    private final String region;
    private final boolean pathStyle;

    S3ErrorMapping(S3Config config) {
        this.bucket = config.bucketName();
        this.endpoint = config.endpointUrl().map(URI::toString).orElse("AWS");
        this.region = config.region();
        this.pathStyle = config.pathStyle();
    }

    /** The kind, retry flag and detail of a failure; {@code e} is already unwrapped. */
    StorageException.Builder map(Throwable e, Operation op) {
        if (e instanceof AwsServiceException) {
            return service((AwsServiceException) e);
        }
        return client(e, op);
    }

    private StorageException.Builder service(AwsServiceException e) {
        String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
        String message = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : "";
        String requestId = e.requestId() != null ? " [request id " + e.requestId() + "]" : "";
        String region = e.awsErrorDetails() != null && e.awsErrorDetails().sdkHttpResponse() != null
                ? e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").map(r -> " (the bucket is in " + r + ")").orElse("")
                : "";
        return map(code, message + region + requestId, e.statusCode());
    }

    /**
     * The kind, retry flag and detail of an S3 error code with its message, as in an error
     * response or a {@code DeleteObjects} result; {@code status} 0 if there is no HTTP status.
     */
    StorageException.Builder map(String code, String message, int status) {
        String c = code == null ? "" : code;
        String m = message == null || message.equals(c) ? "" : message;
        Meaning meaning = Optional.ofNullable(BY_CODE.get(c)).orElseGet(() -> byStatus(status));
        String http = status > 0 ? "HTTP " + status : "";
        String said = c.isEmpty() ? http : status > 0 ? c + " (" + http + ")" : c;
        return StorageException.builder(meaning.kind(), fill(meaning.advice()) + ": " + said + (m.isBlank() ? "" : " " + m.strip()))
                .retryable(meaning.retryable());
    }

    /** For codes the table does not know: what the HTTP status says. */
    static Meaning byStatus(int status) {
        switch (status) {
            case 301:
            case 307:
                // A HEAD to the wrong region answers a bare redirect.
                return Meaning.of(ErrorKind.INVALID_CONFIG,
                        "bucket '{bucket}' is in another region than '{region}' or at another endpoint: check region and endpoint_url");
            case 401:
            case 403:
                // Also what HEAD answers, without an error code, to a wrong secret or an unknown key.
                return Meaning.of(ErrorKind.ACCESS_DENIED, "the server refuses these credentials: check access_key_id and "
                        + "secret_access_key (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), region, and their permissions on bucket '{bucket}'");
            case 404:
                return Meaning.of(ErrorKind.NOT_FOUND, "not found");
            case 409:
            case 412:
                return Meaning.of(ErrorKind.CONFLICT, "the request conflicts with the object's state");
            case 429:
            case 503:
                return Meaning.of(ErrorKind.RATE_LIMITED, "the server asks to slow down");
            case 500:
            case 502:
            case 504:
                return Meaning.of(ErrorKind.UNAVAILABLE, "the server failed");
            case 501:
                return Meaning.of(ErrorKind.UNSUPPORTED, "the server does not implement this request");
            default:
                return new Meaning(ErrorKind.UNEXPECTED, status >= 500, "unexpected answer from the server");
        }
    }

    private StorageException.Builder client(Throwable e, Operation op) {
        if (e instanceof ApiCallTimeoutException) {
            return StorageException.builder(ErrorKind.UNAVAILABLE, "no answer from " + endpoint + " within call_timeout: " + e.getMessage());
        }
        if (e instanceof ApiCallAttemptTimeoutException) {
            return StorageException.builder(ErrorKind.UNAVAILABLE, "no answer from " + endpoint + " within request_timeout: " + e.getMessage());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NoSuchFileException) {
                return StorageException.builder(ErrorKind.NOT_FOUND, "source file does not exist: " + ((NoSuchFileException) t).getFile());
            }
            if (t instanceof AccessDeniedException) {
                return StorageException.builder(ErrorKind.ACCESS_DENIED, "permission denied: " + ((AccessDeniedException) t).getFile());
            }
            if (t instanceof ConnectException) {
                return StorageException.builder(ErrorKind.UNAVAILABLE, "cannot connect to " + endpoint + ": " + t.getMessage()
                        + "; is the server running, and is endpoint_url right?");
            }
            if (t instanceof UnknownHostException) {
                return StorageException.builder(ErrorKind.UNAVAILABLE, "unknown host " + t.getMessage()
                        + (pathStyle ? ": check endpoint_url"
                        : ": requests name the bucket in the host (" + bucket + "." + endpoint.replaceFirst("^https?://", "")
                        + "); if the server does not resolve such names, set path_style=true"));
            }
            if (isTimeout(t)) {
                return StorageException.builder(ErrorKind.UNAVAILABLE, "the connection to " + endpoint
                        + " stalled for longer than socket_timeout: " + describe(t));
            }
        }
        String message = describe(e);
        if (message.contains("changed after reading started") || message.contains("Fewer bytes were read than were expected")) {
            // The SDK checks the file's size and time when it has sent it; a new attempt reads it again.
            return StorageException.builder(ErrorKind.INTEGRITY, "the file changed while it was uploaded: " + message);
        }
        if (message.contains("Unable to load credentials") || message.contains("contained no credentials")) {
            return StorageException.builder(ErrorKind.INVALID_CONFIG, "no credentials found: set access_key_id and "
                    + "secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile");
        }
        if (hasCause(e, IOException.class)) {
            return StorageException.builder(ErrorKind.UNAVAILABLE, "connection to " + endpoint + " failed: " + message);
        }
        if (e instanceof SdkClientException) {
            return StorageException.builder(ErrorKind.UNEXPECTED, message).retryable(false);
        }
        return StorageException.builder(ErrorKind.UNEXPECTED, e.toString()).retryable(false);
    }

    private static boolean isTimeout(Throwable t) {
        // Netty's read and write timeouts; matched by name to stay clear of Netty's types.
        String name = t.getClass().getName();
        return name.equals("io.netty.handler.timeout.ReadTimeoutException")
                || name.equals("io.netty.handler.timeout.WriteTimeoutException")
                || (t.getMessage() != null && t.getMessage().contains("No data was written to the request body within"));
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private String fill(String advice) {
        return advice.replace("{bucket}", bucket).replace("{endpoint}", endpoint).replace("{region}", region);
    }
}
