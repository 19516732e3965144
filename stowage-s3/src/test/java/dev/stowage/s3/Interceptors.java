package dev.stowage.s3;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** SDK interceptors that inject faults and pauses into real requests. */
final class Interceptors {
    private Interceptors() {
    }

    /** Fails the first {@code failures} attempts at part 2 as a reset connection would; counts every attempt. */
    static ExecutionInterceptor failPart2(AtomicInteger attempts, int failures) {
        return failFirst(request -> request instanceof UploadPartRequest && ((UploadPartRequest) request).partNumber() == 2,
                attempts, failures);
    }

    /** Fails the first {@code failures} requests of a type as a reset connection would; counts every attempt. */
    static ExecutionInterceptor failFirst(Class<? extends SdkRequest> type, AtomicInteger attempts, int failures) {
        return failFirst(type::isInstance, attempts, failures);
    }

    private static ExecutionInterceptor failFirst(Predicate<SdkRequest> which, AtomicInteger attempts, int failures) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (which.test(context.request()) && attempts.incrementAndGet() <= failures) {
                    throw SdkClientException.create("Unable to execute HTTP request", new IOException("Connection reset by peer"));
                }
            }
        };
    }

    /** Holds the first request of a type in {@code beforeTransmission} until released, so it is in flight for sure. */
    static ExecutionInterceptor holdFirst(Class<? extends SdkRequest> type, CompletableFuture<Void> seen, CountDownLatch release) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (type.isInstance(context.request()) && seen.complete(null)) {
                    try {
                        release.await(20, SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
    }
}
