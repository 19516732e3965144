package dev.stowage.s3;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;

/**
 * Uploads one file with an {@link S3Backend}, in a JVM of its own started with a small heap, and
 * prints what it measured: {@code peakHeapBytes=<n> millis=<n>}. Arguments: endpoint, bucket,
 * access key id, file, key, multipart threshold in bytes; the secret key comes from the
 * environment variable {@code STOWAGE_TEST_SECRET}.
 */
public final class HeapCappedUpload {
    private HeapCappedUpload() {
    }

    public static void main(String[] args) {
        S3Config config = S3Config.builder(S3Preset.GENERIC)
                .endpointUrl(args[0])
                .region("us-east-1")
                .bucketName(args[1])
                .credentials(args[2], System.getenv("STOWAGE_TEST_SECRET"))
                .multipartThresholdBytes(Long.parseLong(args[5]))
                .build();
        long start = System.nanoTime();
        try (S3Backend s3 = S3Backend.create(config)) {
            s3.uploadFile(Path.of(args[3]), args[4]).join();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("peakHeapBytes=" + peak + " millis=" + millis);
    }
}
