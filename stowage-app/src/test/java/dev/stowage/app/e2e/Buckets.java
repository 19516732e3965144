package dev.stowage.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.StorageBackend;
import dev.stowage.s3.S3Backend;
import dev.stowage.s3.S3Config;
import dev.stowage.s3.S3Preset;
import dev.stowage.testkit.S3TestServer;
import java.net.URI;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Buckets on the in-process S3 server ({@link S3TestServer#shared()}) that the app publishes to,
 * read back through the server's own store, which shares no code with the app's S3 client.
 */
final class Buckets {
    /** The prefix the tests publish under. */
    static final String PREFIX = "site";

    private Buckets() {
    }

    static S3TestServer server() {
        return S3TestServer.shared();
    }

    /**
     * The backend URI of {@code bucket} under {@link #PREFIX} at {@code endpoint} (the server's, or a
     * proxy's in front of it), as docs/s3.md writes it for a generic store; {@code settings} are added
     * as they are ({@code "retries=0"}).
     */
    static String uri(String bucket, URI endpoint, String... settings) {
        StringBuilder uri = new StringBuilder("s3://").append(bucket).append('/').append(PREFIX)
                .append("?endpoint=").append(endpoint).append("&region=").append(S3TestServer.REGION)
                .append("&path_style=true");
        for (String setting : settings) {
            uri.append('&').append(setting);
        }
        return uri.toString();
    }

    /** A child with the server's credentials in its environment, as the AWS chain reads them. */
    static Children.Command withCredentials(Children.Command command) {
        return command.env("AWS_ACCESS_KEY_ID", server().accessKeyId())
                .env("AWS_SECRET_ACCESS_KEY", server().secretAccessKey());
    }

    /** Every object under the prefix, by key below the prefix, as its SHA-256. */
    static SortedMap<String, String> content(String bucket) {
        return content(server(), bucket);
    }

    /** {@link #content(String)} on a server of a test's own. */
    static SortedMap<String, String> content(S3TestServer server, String bucket) {
        SortedMap<String, String> content = new TreeMap<>();
        for (String key : server.keys(bucket)) {
            if (!key.startsWith(PREFIX + "/")) {
                throw new AssertionError("an object outside the prefix: " + key);
            }
            byte[] bytes = server.read(bucket, key).orElseThrow(() -> new AssertionError("listed, not read: " + key));
            content.put(key.substring(PREFIX.length() + 1), Site.sha256(bytes));
        }
        return content;
    }

    /** The manifest stored in the bucket. */
    static JsonNode manifest(String bucket) {
        return manifest(server(), bucket);
    }

    private static JsonNode manifest(S3TestServer server, String bucket) {
        byte[] manifest = server.read(bucket, PREFIX + "/" + Site.MANIFEST)
                .orElseThrow(() -> new AssertionError("no manifest in " + bucket));
        return Http.json(new String(manifest, java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The bucket holds exactly {@code files} (key to SHA-256) under the prefix, byte for byte, and a
     * manifest that lists each with its remote URL below {@code endpoint}, none pending.
     */
    static void assertHolds(String bucket, SortedMap<String, String> files, URI endpoint) {
        assertHolds(server(), bucket, files, endpoint);
    }

    /** {@link #assertHolds(String, SortedMap, URI)} on a server of a test's own. */
    static void assertHolds(S3TestServer server, String bucket, SortedMap<String, String> files, URI endpoint) {
        SortedMap<String, String> held = content(server, bucket);
        assertThat(held).as("objects in %s", bucket).containsKey(Site.MANIFEST);
        held.remove(Site.MANIFEST);
        assertThat(held).as("objects in %s besides the manifest, as SHA-256", bucket).isEqualTo(files);
        Map<String, JsonNode> entries = ServeIT.entries(manifest(server, bucket));
        assertThat(entries.keySet()).as("keys in the manifest in %s", bucket).containsExactlyElementsOf(files.keySet());
        URI remote = URI.create(endpoint + "/" + bucket + "/" + PREFIX + "/");
        entries.forEach((key, entry) -> {
            assertThat(entry.get("sha256").asText()).as(key).isEqualTo(files.get(key));
            assertThat(entry.get("url").asText()).as(key).isEqualTo(Site.url(remote, key).toString());
            assertThat(entry.has("pending")).as(key).isFalse();
        });
    }

    /** Deletes one object behind the app's back, with a client of its own. */
    static void delete(String bucket, String key) {
        S3Config config = S3Config.builder(S3Preset.GENERIC)
                .endpointUrl(server().endpoint().toString())
                .region(S3TestServer.REGION)
                .pathStyle(true)
                .bucketName(bucket)
                .bucketPrefix(PREFIX)
                .credentials(server().accessKeyId(), server().secretAccessKey())
                .build();
        try (StorageBackend s3 = S3Backend.create(config)) {
            s3.deleteFile(key).join();
        }
        if (server().read(bucket, PREFIX + "/" + key).isPresent()) {
            throw new AssertionError("still there after the delete: " + key);
        }
    }
}
