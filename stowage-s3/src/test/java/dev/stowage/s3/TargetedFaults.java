package dev.stowage.s3;

import dev.stowage.testkit.FaultyProxy;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * {@link FaultyProxy}s to the test server that break only chosen requests, each seen by the proxy
 * as {@code METHOD target}, such as {@code "PUT /bucket/key?partNumber=2&uploadId=..."}.
 */
final class TargetedFaults {
    static final Predicate<String> HEAD = request -> request.startsWith("HEAD ");
    static final Predicate<String> LIST = request -> request.startsWith("GET ") && request.contains("list-type=2");
    static final Predicate<String> PUT_OBJECT = request -> request.startsWith("PUT ") && !request.contains("uploadId=");
    static final Predicate<String> PART_2 = request -> request.startsWith("PUT ") && request.contains("partNumber=2&");
    static final Predicate<String> CREATE = request -> request.startsWith("POST ") && request.endsWith("?uploads");
    static final Predicate<String> COMPLETE = request -> request.startsWith("POST ") && request.contains("uploadId=");
    static final Predicate<String> DELETE_OBJECTS = request -> request.startsWith("POST ") && request.contains("?delete");
    static final Predicate<String> ABORT = request -> request.startsWith("DELETE ") && request.contains("uploadId=");

    private TargetedFaults() {
    }

    /** A proxy that injects {@code fault} into the first {@code times} requests that match {@code target}, and passes the rest. */
    static FaultyProxy proxy(FaultyProxy.Fault fault, int times, Predicate<String> target) {
        AtomicInteger left = new AtomicInteger(times);
        return FaultyProxy.builder("127.0.0.1", TestS3.server().endpoint().getPort())
                .faults(EnumSet.of(fault)).faultShare(1)
                .sparing((request, due) -> !target.test(request) || left.getAndDecrement() <= 0)
                .start();
    }

    /** A configuration for the bucket, through the proxy. */
    static S3Config.Builder through(FaultyProxy proxy, String bucket) {
        return TestS3.config(S3Preset.GENERIC, bucket).endpointUrl(proxy.endpoint().toString());
    }
}
