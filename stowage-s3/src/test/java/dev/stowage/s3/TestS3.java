package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.function.BooleanSupplier;

/** The shared S3 test server and configurations pointing at it. */
final class TestS3 {
    private TestS3() {
    }

    static S3TestServer server() {
        return S3TestServer.shared();
    }

    /** A configuration for a bucket on the test server, with the given preset's defaults. */
    static S3Config.Builder config(S3Preset preset, String bucket) {
        return withoutCredentials(preset, bucket).credentials(server().accessKeyId(), server().secretAccessKey());
    }

    /** The same, with no credentials: the backend asks the AWS chain, or a provider given to its builder. */
    static S3Config.Builder withoutCredentials(S3Preset preset, String bucket) {
        return S3Config.builder(preset)
                .endpointUrl(server().endpoint().toString())
                .region(S3TestServer.REGION)
                .pathStyle(true)
                .bucketName(bucket);
    }

    /** A file of {@code mib} MiB of random bytes in a folder. */
    static Path randomFile(Path dir, int mib) throws IOException {
        byte[] bytes = new byte[mib << 20];
        new Random(mib).nextBytes(bytes);
        return Files.write(dir.resolve("random-" + System.nanoTime() + ".bin"), bytes);
    }

    /** Waits, 15 s at most, until a condition holds. */
    static void awaitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting until " + what).isBefore(deadline);
            Thread.sleep(10);
        }
    }

    /** A configuration for a fresh, empty bucket, with the generic preset. */
    static S3Config.Builder freshBucket() {
        return config(S3Preset.GENERIC, server().createBucket());
    }
}
