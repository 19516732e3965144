package dev.stowage.s3;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.async.SdkAsyncHttpResponseHandler;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The answer to a {@link SignedPut}: the object's ETag once a successful answer has ended, else the
 * error it stands for, made as the SDK makes it. Thread-safe.
 */
final class SignedPutAnswer implements SdkAsyncHttpResponseHandler {
    /** The most of an error answer's body that is read: S3's are a few hundred bytes. */
    private static final int MAX_ERROR_BYTES = 64 * 1024;
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
    private volatile SdkHttpResponse head;

    /** The ETag, or the failure; completes once. */
    CompletableFuture<String> result() {
        return result;
    }

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
}
