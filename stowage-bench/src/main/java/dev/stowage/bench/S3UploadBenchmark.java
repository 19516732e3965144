package dev.stowage.bench;

import dev.stowage.s3.S3Backend;
import dev.stowage.s3.S3Config;
import dev.stowage.s3.S3Preset;
import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * One large file uploaded to a loopback S3 server (S3Proxy, objects in memory): {@link S3Backend}
 * against the AWS SDK used directly with the same checksum settings (the reference), as one PUT and
 * in 8 MiB parts. The reference in parts is the SDK's own multipart client. S3Backend reads the
 * file once more than the reference, to hash it (SHA-256 and Content-MD5).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class S3UploadBenchmark {
    private static final long PART_BYTES = 8L << 20;

    @Param({"67108864"})
    long fileBytes;

    @Param({"single", "multipart"})
    String mode;

    private S3TestServer server;
    private Path file;
    private S3Backend backend;
    private S3AsyncClient sdk;
    private String bucket;

    @Setup
    public void setUp() throws IOException {
        server = S3TestServer.start();
        bucket = server.createBucket();
        file = Files.createTempFile("stowage-bench-", ".bin");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(1);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long n = 0; n < fileBytes; n += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        boolean multipart = mode.equals("multipart");
        long threshold = multipart ? PART_BYTES : S3Config.MAX_PART_BYTES;
        backend = S3Backend.create(S3Config.builder(S3Preset.GENERIC)
                .endpointUrl(server.endpoint().toString()).region(S3TestServer.REGION).bucketName(bucket)
                .credentials(server.accessKeyId(), server.secretAccessKey())
                .multipartThresholdBytes(threshold).partSizeBytes(PART_BYTES).build());
        sdk = S3AsyncClient.builder()
                .endpointOverride(server.endpoint()).region(Region.of(S3TestServer.REGION)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKeyId(), server.secretAccessKey())))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .multipartEnabled(multipart)
                .multipartConfiguration(c -> c.thresholdInBytes(threshold).minimumPartSizeInBytes(PART_BYTES))
                .build();
    }

    @TearDown
    public void tearDown() throws IOException {
        backend.close();
        sdk.close();
        server.close();
        Files.deleteIfExists(file);
    }

    @Benchmark
    public URI stowage() {
        return backend.uploadFile(file, "stowage.bin").join();
    }

    @Benchmark
    public Object sdkDirect() {
        return sdk.putObject(r -> r.bucket(bucket).key("sdk.bin"), AsyncRequestBody.fromFile(file)).join();
    }
}
