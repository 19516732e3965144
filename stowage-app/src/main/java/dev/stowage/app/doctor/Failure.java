package dev.stowage.app.doctor;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import dev.stowage.s3.S3Failures;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * A failed operation as the doctor reads it: the {@link StorageException}'s kind and detail, and
 * for S3 what the store answered (its error code, HTTP status, the bucket's region), taken from the
 * SDK failure the exception keeps as its cause. Immutable.
 */
final class Failure {
    /** Codes S3-compatible stores answer when they refuse the SDK's checksum headers or the bodies framed for them. */
    static final Set<String> CHECKSUM_CODES = Set.of("XAmzContentSHA256Mismatch", "BadDigest", "InvalidDigest",
            "NotImplemented", "InvalidRequest", "InvalidArgument", "MissingContentLength", "IncompleteBody");
    /** Codes that say the credentials themselves are wrong, not what they may do. */
    static final Set<String> IDENTITY_CODES = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
            "InvalidToken", "TokenRefreshRequired");

    private final Throwable error;
    private final Optional<AwsServiceException> answer;

    private Failure(Throwable error) {
        this.error = error;
        this.answer = cause(error, AwsServiceException.class);
    }

    /** The failure a future or a call ended with, {@code CompletionException} and {@code ExecutionException} unwrapped. */
    static Failure of(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return new Failure(t);
    }

    /** The kind; {@code UNEXPECTED} for a failure that is not a {@link StorageException}. */
    ErrorKind kind() {
        return error instanceof StorageException se ? se.kind() : ErrorKind.UNEXPECTED;
    }

    /** The store's error code, such as {@code NoSuchBucket}, if it answered with one. */
    Optional<String> code() {
        return answer.flatMap(a -> Optional.ofNullable(a.awsErrorDetails()).map(d -> d.errorCode()))
                .filter(c -> !c.isBlank());
    }

    /** The store's HTTP status, or 0 if it did not answer. */
    int status() {
        return answer.map(AwsServiceException::statusCode).orElse(0);
    }

    /** The bucket's region, if the store named it ({@code x-amz-bucket-region}). */
    Optional<String> bucketRegion() {
        return answer.flatMap(a -> Optional.ofNullable(a.awsErrorDetails()))
                .flatMap(d -> Optional.ofNullable(d.sdkHttpResponse()))
                .flatMap(r -> r.firstMatchingHeader("x-amz-bucket-region"));
    }

    /** Whether the host name of the request did not resolve. */
    boolean unknownHost() {
        return S3Failures.unknownHost(error);
    }

    /** Whether the code is one of these. */
    boolean codeIn(Set<String> codes) {
        return code().filter(codes::contains).isPresent();
    }

    /** Whether the store refused the request's checksum headers or its body's framing, as far as can be told. */
    boolean looksLikeChecksumRefusal() {
        return codeIn(CHECKSUM_CODES) || kind() == ErrorKind.INTEGRITY || kind() == ErrorKind.UNSUPPORTED;
    }

    /** Whether the credentials themselves were refused (unknown key, wrong secret, expired token). */
    boolean credentialsRefused() {
        if (kind() != ErrorKind.ACCESS_DENIED) {
            return false;
        }
        // HEAD and other bodiless answers carry no code: a bare 401 or 403 says no more than "refused".
        return codeIn(IDENTITY_CODES) || code().isEmpty();
    }

    /** One line: the kind and the backend's detail, which names what to check and never holds a secret. */
    String describe() {
        if (error instanceof StorageException se) {
            return se.kind() + ": " + se.detail();
        }
        return error.getMessage() != null ? error.getClass().getSimpleName() + ": " + error.getMessage() : error.toString();
    }

    private static <T extends Throwable> Optional<T> cause(Throwable e, Class<T> type) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 32; t = t.getCause(), depth++) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }
}
