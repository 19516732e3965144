package dev.stowage.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The floor of a publish: what the S3 server takes when nothing but PUTs reach it. Reads every file
 * of a folder of up to 8 MiB into memory (larger ones are sent from disk), warms the client up with
 * the PUTs of up to 1,000 of those files under another prefix, then times the PUTs of all of them:
 * bare {@code PutObject} calls of the AWS SDK's async client on the CRT HTTP client (the one with
 * the least CPU per request, which the server shares the machine with), {@code CONCURRENCY} in flight, one
 * PUT a file whatever its size, no hashing, no state. Prints one line: {@code files bytes millis}.
 *
 * <p>Usage: {@code RawPutCeiling DIR ENDPOINT BUCKET [CONCURRENCY]}, credentials from
 * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}.
 */
public final class RawPutCeiling {
    private static final long IN_MEMORY_BYTES = 8 << 20;
    private static final int WARM_UP_FILES = 1000;
    private RawPutCeiling() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: RawPutCeiling DIR ENDPOINT BUCKET [CONCURRENCY]");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        List<byte[]> contents = new ArrayList<>(files.size());
        List<Path> warmUp = new ArrayList<>();
        List<byte[]> warmUpContents = new ArrayList<>();
        long bytes = 0;
        for (Path file : files) {
            long size = Files.size(file);
            byte[] content = size <= IN_MEMORY_BYTES ? Files.readAllBytes(file) : null;
            contents.add(content);
            bytes += size;
            if (content != null && warmUp.size() < WARM_UP_FILES) {
                warmUp.add(file);
                warmUpContents.add(content);
            }
        }
        try (S3AsyncClient client = S3AsyncClient.builder()
                .endpointOverride(URI.create(args[1]))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        System.getenv("AWS_ACCESS_KEY_ID"), System.getenv("AWS_SECRET_ACCESS_KEY"))))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder().maxConcurrency(concurrency))
                .build()) {
            putAll(client, args[2], "warm-up/", root, warmUp, warmUpContents, concurrency);
            long started = System.nanoTime();
            putAll(client, args[2], "", root, files, contents, concurrency);
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.println(files.size() + " " + bytes + " " + millis);
        }
    }

    private static void putAll(S3AsyncClient client, String bucket, String prefix, Path root, List<Path> files,
                               List<byte[]> contents, int concurrency) {
        Semaphore permits = new Semaphore(concurrency);
        List<CompletableFuture<?>> all = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            String key = prefix + root.relativize(files.get(i)).toString().replace('\\', '/');
            permits.acquireUninterruptibly();
            byte[] content = contents.get(i);
            CompletableFuture<?> put = client.putObject(b -> b.bucket(bucket).key(key), content != null
                    ? AsyncRequestBody.fromBytesUnsafe(content) : AsyncRequestBody.fromFile(files.get(i)));
            put.whenComplete((ok, e) -> permits.release());
            all.add(put);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }
}
