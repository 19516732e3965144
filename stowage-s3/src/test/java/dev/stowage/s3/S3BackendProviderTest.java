package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageBackends;
import dev.stowage.StorageException;
import dev.stowage.spi.BackendUri;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3BackendProviderTest {
    private static final String LOCAL = "endpoint=http://127.0.0.1:9";
    private static final String SECRET = "TopSecret42xyzQ";

    /** Opens the URI through the ServiceLoader, closes the backend, and returns its configuration. */
    private static S3Config configOf(String uri) {
        try (StorageBackend backend = StorageBackends.open(uri)) {
            return backend.unwrap(S3Backend.class).orElseThrow().config();
        }
    }

    private static URI urlOf(String uri, String key) {
        try (StorageBackend backend = StorageBackends.open(uri)) {
            return backend.getUrl(key);
        }
    }

    /** Opening fails INVALID_CONFIG at OPEN with a message containing every fragment. */
    private static void assertOpenFails(String uri, String... fragments) {
        assertThatThrownBy(() -> StorageBackends.open(uri).close()).isInstanceOfSatisfying(StorageException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG);
            assertThat(e.operation()).isEqualTo(Operation.OPEN);
            assertThat(e.getMessage()).contains(fragments).doesNotContain("\n");
        });
    }

    @Test
    void serviceLoader_findsTheS3Provider() {
        assertThat(StorageBackends.providers()).hasEntrySatisfying("s3", p -> {
            assertThat(p).isInstanceOf(S3BackendProvider.class);
            assertThat(p.scheme()).isEqualTo("s3");
        });
    }

    @Test
    void open_takesBucketFromAuthorityAndPrefixFromPath() {
        S3Config c = configOf("s3://media/site/v1?" + LOCAL);
        assertThat(c.bucketName()).isEqualTo("media");
        assertThat(c.bucketPrefix()).isEqualTo("site/v1/");
        assertThat(c.endpointUrl()).contains(URI.create("http://127.0.0.1:9"));
        assertThat(c.preset()).isEqualTo(S3Preset.GENERIC);
        assertThat(c.region()).isEqualTo("us-east-1");
        assertThat(c.hasStaticCredentials()).isFalse();
        assertThat(configOf("s3://media?" + LOCAL).bucketPrefix()).isEmpty();
        assertThat(configOf("s3://media/my%20site/?" + LOCAL).bucketPrefix()).isEqualTo("my site/");
    }

    @Test
    void open_directlyThroughTheProvider_givesAnS3Backend() {
        try (StorageBackend b = new S3BackendProvider().open(BackendUri.parse("s3://media/site?endpoint_url=http://127.0.0.1:9"))) {
            assertThat(b).isInstanceOf(S3Backend.class);
            assertThat(b.isRemote()).isTrue();
            assertThat(((S3Backend) b).config().endpointUrl()).contains(URI.create("http://127.0.0.1:9"));
        }
    }

    @Test
    void open_withoutBucket_failsAskingForIt() {
        assertOpenFails("s3:///site?" + LOCAL, "the bucket is missing");
        assertOpenFails("s3://Media/site?" + LOCAL, "bucket_name");
    }

    @Test
    void open_endpointAndEndpointUrlTogether_areRejected() {
        assertThat(configOf("s3://media?endpoint_url=http://127.0.0.1:9").endpointUrl()).contains(URI.create("http://127.0.0.1:9"));
        assertOpenFails("s3://media?endpoint=http://127.0.0.1:9&endpoint_url=http://127.0.0.1:9", "give endpoint or endpoint_url, not both");
    }

    @ParameterizedTest
    @CsvSource({"r2, R2", "R2, R2", "MinIO, MINIO", "spaces, SPACES", "Generic, GENERIC", "aWs, AWS"})
    void open_presetName_isCaseInsensitive(String name, S3Preset preset) {
        assertThat(configOf("s3://media?preset=" + name + "&region=eu-west-1&endpoint=https://s3.example.com").preset()).isEqualTo(preset);
    }

    @Test
    void open_unknownPreset_isRejectedListingTheKnownOnes() {
        assertOpenFails("s3://media?preset=gcs&" + LOCAL, "unknown preset 'gcs'", "aws, r2, minio, spaces and generic");
    }

    @Test
    void open_defaultPreset_isGenericWithAnEndpointAndAwsWithout() {
        assertThat(configOf("s3://media?" + LOCAL).preset()).isEqualTo(S3Preset.GENERIC);
        assertThat(configOf("s3://media?endpoint_url=http://127.0.0.1:9").preset()).isEqualTo(S3Preset.GENERIC);
        S3Config aws = configOf("s3://media?region=eu-west-1");
        assertThat(aws.preset()).isEqualTo(S3Preset.AWS);
        assertThat(aws.endpointUrl()).isEmpty();
        assertOpenFails("s3://media", "region is required for the AWS preset");
        assertOpenFails("s3://media?preset=r2", "endpoint_url is required for the R2 preset");
    }

    @ParameterizedTest
    @CsvSource({"16MiB, 16777216", "16mib, 16777216", "8MB, 8000000", "5242880, 5242880", "6000KiB, 6144000",
            "5GiB, 5368709120", "5242880b, 5242880", "1GB, 1000000000"})
    void open_sizes_takeUnits(String size, long bytes) {
        assertThat(configOf("s3://media?" + LOCAL + "&part_size=" + size).partSizeBytes()).isEqualTo(bytes);
        assertThat(configOf("s3://media?" + LOCAL + "&multipart_threshold=" + size).multipartThresholdBytes()).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"16XB", "MiB", "1.5MiB", "-8MiB", "16MiBs", "16 M", "0x10"})
    void open_badSizeUnit_isRejectedNamingTheSetting(String size) {
        assertOpenFails("s3://media?" + LOCAL + "&part_size=" + size, "setting 'part_size' must be a size such as 16MiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999999999999GiB", "99999999999999999999", "9223372036854775807KB"})
    void open_overflowingSize_isRejectedAsTooLarge(String size) {
        assertOpenFails("s3://media?" + LOCAL + "&multipart_threshold=" + size, "setting 'multipart_threshold' is too large");
    }

    @Test
    void open_sizeOutOfS3Bounds_isRejectedNamingTheSetting() {
        assertOpenFails("s3://media?" + LOCAL + "&part_size=1MiB", "part_size must be from 5242880");
        assertOpenFails("s3://media?" + LOCAL + "&multipart_threshold=6GiB", "multipart_threshold must be from 5242880");
    }

    @ParameterizedTest
    @CsvSource({"connect_timeout, 500ms, PT0.5S", "socket_timeout, 30s, PT30S", "request_timeout, 5m, PT5M",
            "call_timeout, 1h, PT1H", "call_timeout, 90S, PT1M30S", "connect_timeout, 250MS, PT0.25S"})
    void open_durations_takeUnits(String setting, String value, Duration expected) {
        S3Config c = configOf("s3://media?" + LOCAL + "&" + setting + "=" + value);
        Function<S3Config, Duration> get = switch (setting) {
            case "connect_timeout" -> S3Config::connectTimeout;
            case "socket_timeout" -> S3Config::socketTimeout;
            case "request_timeout" -> S3Config::requestTimeout;
            default -> S3Config::callTimeout;
        };
        assertThat(get.apply(c)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"30", "30sec", "1.5s", "-1s", "s", "2d", "PT30S"})
    void open_badDuration_isRejectedNamingTheSetting(String value) {
        assertOpenFails("s3://media?" + LOCAL + "&socket_timeout=" + value, "setting 'socket_timeout' must be a duration such as 30s");
    }

    @Test
    void open_zeroOrOverflowingDuration_isRejected() {
        assertOpenFails("s3://media?" + LOCAL + "&connect_timeout=0s", "connect_timeout must be a positive duration");
        assertOpenFails("s3://media?" + LOCAL + "&call_timeout=99999999999999999h", "setting 'call_timeout' is too large");
    }

    @Test
    void open_flagsCountsProfileAndAcl_reachTheConfig() {
        S3Config c = configOf("s3://media?" + LOCAL + "&path_style=false&sdk_checksums=true&expect_continue=no"
                + "&batch_delete=0&part_concurrency=8&max_connections=16&profile=dev&acl=Public-Read&public_url=https://cdn.example.com");
        assertThat(c.pathStyle()).isFalse();
        assertThat(c.sdkChecksums()).isTrue();
        assertThat(c.expectContinue()).isFalse();
        assertThat(c.batchDelete()).isFalse();
        assertThat(c.partConcurrency()).isEqualTo(8);
        assertThat(c.maxConnections()).isEqualTo(16);
        assertThat(c.profile()).contains("dev");
        assertThat(c.acl()).contains("public-read");
        assertThat(c.publicUrl()).contains(URI.create("https://cdn.example.com/"));
        assertThat(configOf("s3://media?region=eu-west-1&path_style").pathStyle()).isTrue();
    }

    @Test
    void open_httpClient_isCrtUnlessNamed_inAnyCase() {
        assertThat(configOf("s3://media?" + LOCAL).httpClient()).isEqualTo(S3HttpClient.CRT);
        assertThat(configOf("s3://media?" + LOCAL + "&http_client=netty").httpClient()).isEqualTo(S3HttpClient.NETTY);
        assertThat(configOf("s3://media?" + LOCAL + "&http_client=CRT").httpClient()).isEqualTo(S3HttpClient.CRT);
        assertOpenFails("s3://media?" + LOCAL + "&http_client=apache", "unknown http_client 'apache'", "crt and netty");
    }

    @Test
    void open_badFlagCountOrAcl_isRejectedNamingTheSetting() {
        assertOpenFails("s3://media?" + LOCAL + "&path_style=maybe", "setting 'path_style' must be true or false");
        assertOpenFails("s3://media?" + LOCAL + "&part_concurrency=0", "setting 'part_concurrency' must be from 1 to 64");
        assertOpenFails("s3://media?" + LOCAL + "&max_connections=lots", "setting 'max_connections' must be a whole number");
        assertOpenFails("s3://media?preset=r2&acl=public-read&" + LOCAL, "acl is not supported by R2");
    }

    @Test
    void open_unknownSetting_isRejectedListingTheKnownOnes() {
        assertOpenFails("s3://media?" + LOCAL + "&regoin=eu-west-1", "unknown setting 'regoin'", "endpoint_url", "region", "public_url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"secret_access_key", "access_key_id", "AWS_SECRET_ACCESS_KEY", "aws_access_key_id", "session_token"})
    void open_credentialsInTheUri_areRejectedWithoutShowingThem(String name) {
        assertOpenFails("s3://media?" + LOCAL + "&" + name + "=" + SECRET, "credentials do not belong in the URI");
        assertThatThrownBy(() -> StorageBackends.open("s3://media?" + name + "=" + SECRET + "&" + LOCAL))
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void open_credentialsInTheAuthority_areRejectedWithoutShowingThem() {
        assertThatThrownBy(() -> StorageBackends.open("s3://AKIDEXAMPLE:" + SECRET + "@media/site?" + LOCAL))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG))
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void open_credentialsInTheEndpoint_areNeverShown() {
        assertOpenFails("s3://media?endpoint=http://AKIDEXAMPLE:" + SECRET + "@127.0.0.1:9", "endpoint_url must not contain user credentials");
        assertThatThrownBy(() -> StorageBackends.open("s3://media?endpoint=http://AKIDEXAMPLE:" + SECRET + "@127.0.0.1:9"))
                .hasMessageNotContaining(SECRET);
        // Another setting fails first: the endpoint's user information must still be hidden.
        assertThatThrownBy(() -> StorageBackends.open("s3://media?endpoint=http://AKIDEXAMPLE:" + SECRET + "@127.0.0.1:9&part_size=1XB"))
                .hasMessageContaining("part_size").hasMessageNotContaining(SECRET);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "s3://media/site?endpoint=http://127.0.0.1:9&public_url=https://cdn.example.com/x | a b.txt | https://cdn.example.com/x/site/a%20b.txt",
            "s3://media?endpoint=http://127.0.0.1:9&public_url=https://cdn.example.com/x/     | a b.txt | https://cdn.example.com/x/a%20b.txt",
            "s3://media/site?endpoint=http://127.0.0.1:9                                      | a b.txt | http://127.0.0.1:9/media/site/a%20b.txt",
            "s3://media/my%20site?endpoint=http://127.0.0.1:9/base/                           | img/ü+1.png | http://127.0.0.1:9/base/media/my%20site/img/%C3%BC%2B1.png",
            "s3://media/site?endpoint=https://s3.example.com&path_style=false                 | a b.txt | https://media.s3.example.com/site/a%20b.txt",
            "s3://media?endpoint=https://s3.example.com:8443/base&path_style=false            | x.txt   | https://media.s3.example.com:8443/base/x.txt",
            "s3://media/site?region=eu-west-1                                                 | a b.txt | https://media.s3.eu-west-1.amazonaws.com/site/a%20b.txt",
            "s3://my.media/site?region=eu-west-1                                              | a b.txt | https://s3.eu-west-1.amazonaws.com/my.media/site/a%20b.txt",
            "s3://media?region=eu-west-1&path_style=true                                      | x.txt   | https://s3.eu-west-1.amazonaws.com/media/x.txt",
            "s3://media?preset=spaces&region=nyc3                                             | x.txt   | https://media.nyc3.digitaloceanspaces.com/x.txt"})
    void getUrl_joinsPublicUrlOrBucketUrlWithPrefixAndEncodedKey(String uri, String key, String expected) {
        assertThat(urlOf(uri, key)).hasToString(expected);
    }

    @Test
    void getUrl_badKeyOrKeyTooLongWithPrefix_isInvalidKey() {
        try (StorageBackend b = StorageBackends.open("s3://media/" + "p".repeat(20) + "?" + LOCAL)) {
            assertThatThrownBy(() -> b.getUrl("../etc/passwd")).isInstanceOfSatisfying(StorageException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_KEY));
            assertThat(b.getUrl("k".repeat(1003))).asString().endsWith("k".repeat(1003));
            assertThatThrownBy(() -> b.getUrl("k".repeat(1004))).isInstanceOfSatisfying(StorageException.class, e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_KEY);
                assertThat(e.getMessage()).contains("bucket_prefix", "1025 bytes");
            });
        }
    }

    @Test
    void backend_toStringNeverShowsTheSecret() {
        S3Config config = S3Config.builder(S3Preset.MINIO).endpointUrl("http://127.0.0.1:9").bucketName("media")
                .credentials("AKIDEXAMPLE", SECRET).build();
        try (S3Backend b = S3Backend.create(config)) {
            assertThat(b.config()).isSameAs(config);
            assertThat(b.toString()).contains("s3:media", "AKIDEXAMPLE", "secretAccessKey=****").doesNotContain(SECRET);
        }
    }

    @Test
    void close_isIdempotent_andLaterOperationsFailClosed() {
        StorageBackend b = StorageBackends.open("s3://media?" + LOCAL);
        b.close();
        b.close();
        CompletableFuture<Optional<dev.stowage.ObjectInfo>> stat = b.stat("a.txt");
        assertThat(stat).isCompletedExceptionally();
        assertThatThrownBy(stat::join).cause().isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.CLOSED));
    }
}
