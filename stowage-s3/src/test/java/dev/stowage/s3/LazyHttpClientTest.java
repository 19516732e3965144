package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.async.SdkAsyncHttpResponseHandler;
import software.amazon.awssdk.utils.AttributeMap;

class LazyHttpClientTest {
    private final AtomicInteger built = new AtomicInteger();
    private final List<String> calls = new ArrayList<>();
    private final List<Throwable> handlerErrors = new ArrayList<>();

    private final SdkAsyncHttpClient.Builder<?> recording = new Recording();

    /** Builds clients that record their requests and closing. */
    private final class Recording implements SdkAsyncHttpClient.Builder<Recording> {
        @Override
        public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            built.incrementAndGet();
            return new SdkAsyncHttpClient() {
                @Override
                public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
                    calls.add("execute " + request.request().getUri());
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public void close() {
                    calls.add("close");
                }
            };
        }
    }

    @Test
    void closedWithoutARequest_neverBuildsTheClient() {
        SdkAsyncHttpClient lazy = LazyHttpClient.around(recording, "Recording").buildWithDefaults(AttributeMap.empty());
        assertThat(lazy.clientName()).isEqualTo("Recording");

        lazy.close();

        assertThat(built).hasValue(0);
        assertThat(calls).isEmpty();
    }

    @Test
    void requests_buildTheClientOnce_andCloseClosesIt() {
        SdkAsyncHttpClient lazy = LazyHttpClient.around(recording, "Recording").buildWithDefaults(AttributeMap.empty());

        lazy.execute(request("a")).join();
        lazy.execute(request("b")).join();
        lazy.close();

        assertThat(built).hasValue(1);
        assertThat(calls).containsExactly("execute http://127.0.0.1/a", "execute http://127.0.0.1/b", "close");
    }

    @Test
    void aRequestAfterClose_failsWithoutBuildingTheClient_andItsHandlerHearsOfIt() {
        SdkAsyncHttpClient lazy = LazyHttpClient.around(recording, "Recording").buildWithDefaults(AttributeMap.empty());
        lazy.close();

        CompletableFuture<Void> late = lazy.execute(request("late"));

        assertThat(late).isCompletedExceptionally();
        assertThat(handlerErrors).singleElement().asString().contains("closed");
        assertThat(built).hasValue(0);
    }

    private AsyncExecuteRequest request(String path) {
        return AsyncExecuteRequest.builder()
                .request(SdkHttpRequest.builder().method(SdkHttpMethod.GET).protocol("http").host("127.0.0.1").encodedPath("/" + path).build())
                .responseHandler(new SdkAsyncHttpResponseHandler() {
                    @Override
                    public void onHeaders(SdkHttpResponse headers) {
                    }

                    @Override
                    public void onStream(Publisher<java.nio.ByteBuffer> stream) {
                    }

                    @Override
                    public void onError(Throwable error) {
                        handlerErrors.add(error);
                    }
                })
                .build();
    }
}
