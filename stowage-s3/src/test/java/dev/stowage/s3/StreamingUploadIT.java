package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Uploads stream from the file: a 256 MiB file goes through a JVM whose heap is capped at 64 MiB
 * and whose direct memory is capped at 64 MiB too, once as a single PUT and once in parts.
 */
@Timeout(300)
class StreamingUploadIT {
    private static final long FILE_BYTES = 256L << 20;
    private static final Pattern MEASURED = Pattern.compile("peakHeapBytes=(\\d+) millis=(\\d+)");

    @TempDir
    static Path dir;
    private static Path file;
    private static String sha256;

    @ParameterizedTest(name = "multipart threshold {0}")
    @ValueSource(longs = {8L << 20, 5L << 30})
    void uploadFile_fileFourTimesTheHeap_streamsAndStoresEveryByte(long multipartThreshold) throws Exception {
        prepareFile();
        S3TestServer server = TestS3.server();
        String bucket = server.createBucket();
        try {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:MaxDirectMemorySize=64m",
                    "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    HeapCappedUpload.class.getName(),
                    server.endpoint().toString(), bucket, server.accessKeyId(), file.toString(), "big.bin",
                    Long.toString(multipartThreshold)));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("STOWAGE_TEST_SECRET", server.secretAccessKey());
            Process child = builder.start();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(240, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(output).isZero();
            Matcher measured = MEASURED.matcher(output);
            assertThat(measured.find()).as(output).isTrue();
            System.out.printf("streamed %d MiB with multipart threshold %d MiB: peak heap %d MiB, %d ms%n",
                    FILE_BYTES >> 20, multipartThreshold >> 20, Long.parseLong(measured.group(1)) >> 20,
                    Long.parseLong(measured.group(2)));

            byte[] stored = server.read(bucket, "big.bin").orElseThrow();
            assertThat(stored.length).isEqualTo(FILE_BYTES);
            assertThat(S3BackendIT.sha256(stored)).isEqualTo(sha256);
        } finally {
            server.deleteBucket(bucket);
        }
    }

    private static synchronized void prepareFile() throws Exception {
        if (file != null) {
            return;
        }
        Path path = dir.resolve("big.bin");
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(42);
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(path), digest)) {
            for (long written = 0; written < FILE_BYTES; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        sha256 = HexFormat.of().formatHex(digest.digest());
        file = path;
    }
}
