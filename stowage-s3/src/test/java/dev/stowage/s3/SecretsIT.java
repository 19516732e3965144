package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.StorageBackend;
import dev.stowage.StorageBackends;
import dev.stowage.layer.LoggingLayer;
import dev.stowage.layer.LoggingListener;
import dev.stowage.layer.RetryLayer;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.testkit.S3TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secret keys appear in no log line, exception (message, causes, stack trace) or {@code toString()}.
 * The test log ({@code target/s3-tests.log}, at DEBUG for Stowage and the SDK) holds the lines of
 * every S3 test that ran in this JVM before this one, and of this one's operations: success,
 * retries, failure with a wrong secret, a secret put in a URI.
 */
class SecretsIT {
    private static final Path LOG = Path.of("target", "s3-tests.log");

    @TempDir
    Path dir;

    @Test
    void secretKeys_appearInNoLogLineExceptionOrToString() throws Exception {
        S3TestServer server = TestS3.server();
        String wrongSecret = "wrong-secret-" + Long.toHexString(new Random().nextLong());
        List<String> shown = new ArrayList<>();
        Path small = Files.writeString(dir.resolve("small.txt"), "secret-free content");
        Path large = Files.write(dir.resolve("large.bin"), new byte[6 << 20]);

        S3Config config = TestS3.freshBucket().multipartThresholdBytes(5 << 20).partSizeBytes(5 << 20).build();
        try (StorageBackend s3 = layered(S3Backend.create(config))) {
            await(s3.uploadFile(small, "secrets/check.txt"));
            await(s3.uploadFile(large, "secrets/large.bin"));
            await(s3.stat("secrets/check.txt"));
            await(s3.stat("secrets/missing.txt"));
            await(s3.deleteFile("secrets/check.txt"));
            shown.add(catchThrowable(() -> await(s3.stat("bad//key"))).toString());
            shown.add(s3.toString());
            shown.add(config.toString());
        }
        try (S3Backend s3 = S3Backend.create(config)) {
            shown.add(await(s3.presignGet("secrets/large.bin", Duration.ofMinutes(1))).toString());
        }

        S3Config wrong = TestS3.config(S3Preset.GENERIC, config.bucketName())
                .credentials(server.accessKeyId(), wrongSecret).build();
        try (StorageBackend s3 = layered(S3Backend.create(wrong))) {
            shown.add(stackTrace(catchThrowable(() -> await(s3.uploadFile(small, "secrets/denied.txt")))));
            shown.add(stackTrace(catchThrowable(() -> await(s3.stat("secrets/denied.txt")))));
            shown.add(s3.toString());
        }
        shown.add(stackTrace(catchThrowable(() -> StorageBackends.open("s3://" + config.bucketName()
                + "?endpoint=" + server.endpoint() + "&secret_access_key=" + wrongSecret))));
        shown.add(stackTrace(catchThrowable(() -> S3Config.builder(S3Preset.R2).bucketName("b")
                .endpointUrl("https://account.r2.example.com").credentials("id", wrongSecret).acl("public-read").build())));

        String log = Files.readString(LOG, StandardCharsets.UTF_8);
        assertThat(log).as("the test log holds this test's operations")
                .contains("secrets/check.txt", "secrets/large.bin", "secrets/denied.txt", "ACCESS_DENIED");
        assertThat(shown).as("what was shown").hasSizeGreaterThan(8).allSatisfy(text ->
                assertThat(text).doesNotContain(server.secretAccessKey()).doesNotContain(wrongSecret));
        assertThat(shown).anySatisfy(text -> assertThat(text).contains("secretAccessKey=****"));
        assertThat(log).doesNotContain(server.secretAccessKey()).doesNotContain(wrongSecret);
    }

    private static StorageBackend layered(StorageBackend backend) {
        RetryPolicy quick = new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10), 0);
        return backend.with(new RetryLayer(quick, new LoggingListener())).with(new LoggingLayer());
    }

    private static String stackTrace(Throwable e) {
        assertThat(e).as("an expected failure").isNotNull();
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
