package dev.stowage.s3;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.internal.FileErrors;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.util.concurrent.EventExecutor;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.xml.stream.XMLStreamException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.crt.CRT;
import software.amazon.awssdk.crt.http.HttpException;
import software.amazon.awssdk.identity.spi.IdentityProvider;

/**
 * The one place where S3 failures become {@link StorageException} kinds: the error codes of S3
 * and its look-alikes, then HTTP statuses, then what the client met on the way: timeouts, refused
 * connections, unknown hosts and other network failures (retryable), missing credentials, and the
 * local file that could not be read or changed while it was sent. Thread-safe.
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
            // The multipart upload is gone (aborted, completed, or expired by a lifecycle rule): no
            // retry of the same part can land, and starting a whole new upload is the caller's call.
            Map.entry("NoSuchUpload", Meaning.of(ErrorKind.CONFLICT, "the multipart upload was aborted or completed meanwhile")),
            Map.entry("PreconditionFailed", Meaning.of(ErrorKind.CONFLICT, "a precondition of the request does not hold")));

    /**
     * Credentials and token providers. A failure raised inside one is a credentials failure: the SDK
     * calls {@code resolveIdentity} of every provider, its own and the caller's, so that frame is on
     * the stack of what they throw. SDK 2.57.8 gives nothing better: a chain without credentials
     * throws a bare {@code SdkClientException}, with no subtype and no cause.
     */
    private static final List<Class<?>> CREDENTIALS = List.of(IdentityProvider.class);

    /** What reads and writes local files. */
    private static final List<Class<?>> LOCAL_FILES = List.of(FileChannel.class, AsynchronousFileChannel.class,
            FileSystemProvider.class, FileInputStream.class, FileOutputStream.class, RandomAccessFile.class);

    /** What does I/O: local files first, then sockets and Netty's channels, handlers and event loops. */
    private static final List<Class<?>> IO_ENDPOINTS = Stream.concat(LOCAL_FILES.stream(), Stream.of(
            NetworkChannel.class, Socket.class, Channel.class, ChannelHandler.class, EventExecutor.class)).toList();

    private final String bucket;
    private final String endpoint;
    private final String endpointHost;
    private final String region;
    private final boolean pathStyle;

    S3ErrorMapping(S3Config config) {
        this.bucket = config.bucketName();
        this.endpoint = config.endpointUrl().map(URI::toString).orElse("AWS");
        this.endpointHost = config.endpointUrl().map(URI::getHost).orElse("s3." + config.region() + ".amazonaws.com");
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
        List<Throwable> chain = chain(e);
        // Before the I/O rules: a provider that fails reading a profile file, or fetching credentials
        // over the network, has a credentials problem, not one with the S3 endpoint or the source file.
        if (chain.stream().anyMatch(t -> raisedIn(t, CREDENTIALS) != null)) {
            // A provider that could not reach its source (instance metadata, STS) may well reach it next time.
            Optional<Throwable> network = chain.stream().filter(t -> t instanceof IOException && !(t instanceof FileSystemException)).findFirst();
            if (network.isPresent()) {
                return StorageException.builder(ErrorKind.UNAVAILABLE, "the credentials could not be fetched: " + describe(network.get()));
            }
            return StorageException.builder(ErrorKind.INVALID_CONFIG, "no credentials found: set access_key_id and "
                    + "secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile");
        }
        if (chain.stream().anyMatch(SdkText.FILE_CHANGED::in)) {
            // The SDK checks the file's size and time when it has sent it; a new attempt reads it again.
            return StorageException.builder(ErrorKind.INTEGRITY, "the file changed while it was uploaded: " + describe(e));
        }
        // Failures of a known type first, wherever they are in the chain...
        String file = op == Operation.UPLOAD ? "source file" : "local file";
        for (Throwable t : chain) {
            StorageException.Builder local = localFile(t, file);
            if (local != null) {
                return local;
            }
            if (t instanceof ConnectException) {
                return StorageException.builder(ErrorKind.UNAVAILABLE, "cannot connect to " + endpoint + ": " + t.getMessage()
                        + "; is the server running, and is endpoint_url right?");
            }
            if (t instanceof UnknownHostException) {
                return unknownHost(t.getMessage());
            }
            if (t instanceof HttpException) {
                StorageException.Builder crt = crt((HttpException) t);
                if (crt != null) {
                    return crt;
                }
            }
            if (t instanceof ReadTimeoutException || t instanceof WriteTimeoutException || t instanceof SocketTimeoutException
                    || SdkText.WRITE_IDLE.in(t)) {
                return StorageException.builder(ErrorKind.UNAVAILABLE, "the connection to " + endpoint
                        + " stalled for longer than socket_timeout: " + describe(t));
            }
        }
        // ...then the first I/O failure of any other type: the network's, unless a local file raised it.
        for (Throwable t : chain) {
            if (t instanceof IOException) {
                if (isNetworkType(t) || !raisedByLocalFile(t)) {
                    return StorageException.builder(ErrorKind.UNAVAILABLE, "connection to " + endpoint + " failed: " + describe(e));
                }
                return StorageException.builder(ErrorKind.IO, "cannot read the " + file + ": " + describe(t));
            }
        }
        // An answer whose XML ends too soon or breaks off: cut on the way (seen through a proxy that
        // resets mid-answer), or a server fault. Another attempt gets a whole answer or fails the same.
        if (chain.stream().anyMatch(t -> t instanceof XMLStreamException)) {
            return StorageException.builder(ErrorKind.UNAVAILABLE, "the answer of " + endpoint
                    + " could not be read, cut short or garbled: " + describe(e));
        }
        if (e instanceof SdkClientException) {
            return StorageException.builder(ErrorKind.UNEXPECTED, describe(e)).retryable(false);
        }
        return StorageException.builder(ErrorKind.UNEXPECTED, e.toString()).retryable(false);
    }

    private StorageException.Builder unknownHost(String host) {
        return StorageException.builder(ErrorKind.UNAVAILABLE, "unknown host " + host
                + (pathStyle ? ": check endpoint_url"
                : ": requests name the bucket in the host (" + bucket + "." + endpoint.replaceFirst("^https?://", "")
                + "); if the server does not resolve such names, set path_style=true"));
    }

    /**
     * The CRT client's failures that say more than "the connection failed", told by their error
     * code's name; null for the others. Its connection failures come with no host name: the
     * endpoint's stands in.
     */
    private StorageException.Builder crt(HttpException e) {
        if (S3Failures.isDns(e)) {
            return unknownHost(host() + " (" + describe(e) + ")");
        }
        switch (CRT.awsErrorName(e.getErrorCode())) {
            case "AWS_IO_SOCKET_CONNECTION_REFUSED":
            case "AWS_IO_SOCKET_TIMEOUT":
            case "AWS_IO_SOCKET_NO_ROUTE_TO_HOST":
            case "AWS_IO_SOCKET_NETWORK_DOWN":
                return StorageException.builder(ErrorKind.UNAVAILABLE, "cannot connect to " + endpoint + ": " + describe(e)
                        + "; is the server running, and is endpoint_url right?");
            case "AWS_ERROR_HTTP_CHANNEL_THROUGHPUT_FAILURE":
                return StorageException.builder(ErrorKind.UNAVAILABLE, "the connection to " + endpoint
                        + " stalled for longer than socket_timeout: " + describe(e));
            default:
                return null;
        }
    }

    /** The host requests go to: the endpoint's, after the bucket's name in virtual-host style. */
    private String host() {
        return pathStyle ? endpointHost : bucket + "." + endpointHost;
    }

    /**
     * A failure reading or writing a local file, told by its type: the JDK's file-system exceptions,
     * or the {@link UncheckedIOException} the SDK's file bodies throw ({@code AsyncRequestBody.fromFile}
     * wraps what {@code Files.size} throws); null for anything else.
     */
    private static StorageException.Builder localFile(Throwable t, String file) {
        if (t instanceof UncheckedIOException && !(t.getCause() instanceof FileSystemException)) {
            return isNetworkType(t.getCause()) ? null
                    : StorageException.builder(ErrorKind.IO, "cannot read the " + file + ": " + describe(t.getCause()));
        }
        if (!(t instanceof FileSystemException)) {
            return null;
        }
        FileSystemException f = (FileSystemException) t;
        if (FileErrors.isMissing(f)) {
            return StorageException.builder(ErrorKind.NOT_FOUND, file + " does not exist: " + f.getFile());
        }
        if (f instanceof AccessDeniedException) {
            return StorageException.builder(ErrorKind.ACCESS_DENIED, "permission denied on the " + file + ": " + f.getFile());
        }
        return StorageException.builder(ErrorKind.IO, "cannot read the " + file + ": " + f.getFile()
                + (f.getReason() != null ? ": " + f.getReason() : ""));
    }

    /**
     * I/O failures that only the network raises. Netty's own {@code IOException}s (such as the
     * native transports' "Connection reset by peer") are told by their package.
     */
    private static boolean isNetworkType(Throwable t) {
        return t instanceof SocketException || t instanceof SocketTimeoutException || t instanceof SSLException
                || t instanceof ClosedChannelException || t instanceof EOFException
                || (t instanceof IOException && t.getClass().getName().startsWith("io.netty."))
                || (t instanceof IOException && t.getCause() instanceof HttpException);
    }

    /**
     * Whether a local file raised this {@code IOException} of no more telling type: whether the
     * first thing on its stack that does I/O is a file, not a socket or Netty. The SDK gives both as
     * plain {@code IOException}s under the same "Unable to execute HTTP request": its file body passes
     * on what its {@code AsynchronousFileChannel} raised (an "Input/output error" as it came from the
     * disk), and its Netty client raises its own ("The connection was closed during the request",
     * "Response had content-length of ..."); the JDK's sockets and files even share a dispatcher.
     */
    private static boolean raisedByLocalFile(Throwable t) {
        Class<?> raiser = raisedIn(t, IO_ENDPOINTS);
        return raiser != null && LOCAL_FILES.contains(raiser);
    }

    /**
     * The first of {@code types} that a frame of {@code t}'s stack trace belongs to, the most recent
     * call first: what raised it. A frame counts as its class's nest host, so that an anonymous task
     * inside a file channel counts as the channel. Null if none does.
     */
    private static Class<?> raisedIn(Throwable t, List<Class<?>> types) {
        for (StackTraceElement frame : t.getStackTrace()) {
            Class<?> raiser = load(frame.getClassName());
            if (raiser == null) {
                continue;
            }
            for (Class<?> type : types) {
                if (type.isAssignableFrom(raiser) || type.isAssignableFrom(raiser.getNestHost())) {
                    return type;
                }
            }
        }
        return null;
    }

    /** A loaded class by name, or null if it cannot be seen from here (as lambdas' hidden classes). */
    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, S3ErrorMapping.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** {@code e} and its causes, outermost first. */
    private static List<Throwable> chain(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && chain.size() < 32 && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /**
     * Failures that SDK 2.57.8 reports with nothing but a message: no subtype, no cause, no error
     * code. Matched on the text, which an SDK upgrade may change: {@code S3ErrorMappingIT} makes the
     * SDK raise one of each, so that an upgrade that changes them fails there.
     */
    private enum SdkText {
        /**
         * {@code FileAsyncRequestBody} checks the file when it has read it, and fails with a bare
         * {@code SdkClientException}: "File size changed after reading started. Initial size: ...",
         * "File last-modified time changed after reading started. Initial modification time: ...",
         * or "Fewer bytes were read than were expected, was the file modified after reading started?".
         */
        FILE_CHANGED(SdkClientException.class, "changed after reading started", "Fewer bytes were read than were expected"),
        /**
         * The Netty client's {@code WriteIdleTimeoutHandler}, when the body stops flowing for the
         * write timeout: a plain {@code IOException("No data was written to the request body within
         * 1000ms. ...")}. Netty's own {@code WriteTimeoutException} is not used for this.
         */
        WRITE_IDLE(IOException.class, "No data was written to the request body within");

        private final Class<? extends Throwable> type;
        private final List<String> texts;

        SdkText(Class<? extends Throwable> type, String... texts) {
            this.type = type;
            this.texts = List.of(texts);
        }

        /** Whether {@code t} is this failure. */
        boolean in(Throwable t) {
            return type.isInstance(t) && t.getMessage() != null && texts.stream().anyMatch(t.getMessage()::contains);
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private String fill(String advice) {
        return advice.replace("{bucket}", bucket).replace("{endpoint}", endpoint).replace("{region}", region);
    }
}
