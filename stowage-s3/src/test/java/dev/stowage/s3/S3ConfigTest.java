package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3ConfigTest {
    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-Zq8SecretOnly";
    private static final long MiB = 1L << 20;

    private static S3Config.Builder generic() {
        return S3Config.builder(S3Preset.GENERIC).endpointUrl("http://127.0.0.1:9000").bucketName("media");
    }

    /** Fails INVALID_CONFIG at OPEN, not retryable, with a message that starts with the setting's name. */
    private static void assertFailsNaming(String setting, ThrowingCallable build) {
        assertThatThrownBy(build).isInstanceOfSatisfying(StorageException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG);
            assertThat(e.operation()).isEqualTo(Operation.OPEN);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.detail()).startsWith(setting + " ");
            assertThat(e.getMessage()).doesNotContain("\n", "\r");
        });
    }

    @Test
    void build_generic_hasDocumentedDefaults() {
        S3Config c = generic().build();
        assertThat(c).extracting(S3Config::preset, S3Config::bucketName, S3Config::bucketPrefix, S3Config::endpointUrl,
                        S3Config::region, S3Config::accessKeyId, S3Config::secretAccessKey, S3Config::profile,
                        S3Config::publicUrl, S3Config::acl, S3Config::hasStaticCredentials)
                .containsExactly(S3Preset.GENERIC, "media", "", Optional.of(URI.create("http://127.0.0.1:9000")), "us-east-1",
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
        assertThat(c).extracting(S3Config::multipartThresholdBytes, S3Config::partSizeBytes, S3Config::partConcurrency,
                        S3Config::maxConnections, S3Config::connectTimeout, S3Config::socketTimeout,
                        S3Config::requestTimeout, S3Config::callTimeout)
                .containsExactly(16 * MiB, 8 * MiB, 4, 64, Duration.ofSeconds(10), Duration.ofSeconds(30),
                        Duration.ofMinutes(5), Duration.ofMinutes(15));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "my.media-1", "0-bucket.9", "  media  "})
    void build_validBucketName_isKeptTrimmed(String name) {
        assertThat(generic().bucketName(name).build().bucketName()).isEqualTo(name.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ab", "Media",
            "-media", "media-", ".media", "media.", "me..dia", "me_dia", "media/site", "me dia"})
    void build_badBucketName_failsNamingBucketName(String name) {
        assertFailsNaming("bucket_name", () -> generic().bucketName(name).build());
    }

    @Test
    void build_bucketNameLength_isFrom3To63_andTheNameIsRequired() {
        assertThat(generic().bucketName("a".repeat(63)).build().bucketName()).hasSize(63);
        assertFailsNaming("bucket_name", () -> generic().bucketName("a".repeat(64)).build());
        assertFailsNaming("bucket_name", () -> generic().bucketName("a".repeat(2)).build());
        assertFailsNaming("bucket_name", () -> S3Config.builder(S3Preset.GENERIC).endpointUrl("http://127.0.0.1:9000").build());
    }

    @ParameterizedTest
    @CsvSource({"site, site/", "/site/, site/", "//a/b//, a/b/", "'', ''", "/, ''", "'  /a b/c/  ', a b/c/"})
    void build_prefix_isStrippedOfSlashesAndEndsWithOne(String given, String expected) {
        S3Config c = generic().bucketPrefix(given).build();
        assertThat(c.bucketPrefix()).isEqualTo(expected);
        assertThat(c.objectKey("k.txt")).isEqualTo(expected + "k.txt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a//b", "..", "a/../b", "/a/./b/", "a\\b", "a\tb"})
    void build_badPrefix_failsNamingBucketPrefix(String prefix) {
        assertFailsNaming("bucket_prefix", () -> generic().bucketPrefix(prefix).build());
    }

    @ParameterizedTest
    @CsvSource({"eu-west-1, true", "auto, true", "'  us-east-1 ', true", "EU-WEST-1, false", "eu_west_1, false",
            "-eu-west-1, false", "eu west 1, false", "eu.west, false"})
    void build_region_isLowerCaseLettersDigitsAndDashes(String region, boolean ok) {
        if (ok) {
            assertThat(generic().region(region).build().region()).isEqualTo(region.trim());
        } else {
            assertFailsNaming("region", () -> generic().region(region).build());
        }
    }

    @ParameterizedTest
    @CsvSource({"AWS, eu-west-1", "SPACES, nyc3"})
    void build_presetWithoutDefaultRegion_failsNamingRegionWithExample(S3Preset preset, String example) {
        assertFailsNaming("region", () -> S3Config.builder(preset).bucketName("media").build());
        assertThatThrownBy(() -> S3Config.builder(preset).bucketName("media").region("  ").build())
                .hasMessageContaining("region is required for the " + preset + " preset, e.g. " + example);
    }

    @Test
    void build_spacesWithBadRegion_failsNamingRegionNotTheDerivedEndpoint() {
        // The endpoint is derived from the region: a bad region must be reported as the region.
        assertFailsNaming("region", () -> S3Config.builder(S3Preset.SPACES).bucketName("media").region("nyc_3").build());
    }

    @Test
    void build_staticCredentials_areKept_butNotEmpty() {
        S3Config c = generic().credentials(" AKIDEXAMPLE ", SECRET).build();
        assertThat(c).extracting(S3Config::accessKeyId, S3Config::secretAccessKey, S3Config::hasStaticCredentials)
                .containsExactly(Optional.of("AKIDEXAMPLE"), Optional.of(SECRET), true);
        assertFailsNaming("access_key_id", () -> generic().credentials("  ", SECRET).build());
        assertFailsNaming("secret_access_key", () -> generic().credentials("AKIDEXAMPLE", "").build());
    }

    @Test
    void constructor_oneCredentialWithoutTheOther_failsNamingTheMissingOne() {
        S3Config c = generic().build();
        assertFailsNaming("secret_access_key", () -> withCredentials(c, Optional.of("AKIDEXAMPLE"), Optional.empty()));
        assertFailsNaming("access_key_id", () -> withCredentials(c, Optional.empty(), Optional.of(SECRET)));
        assertThat(withCredentials(c, Optional.of("AKIDEXAMPLE"), Optional.of(SECRET)).hasStaticCredentials()).isTrue();
    }

    @Test
    void build_profile_isKeptAndExcludesStaticCredentials() {
        assertThat(generic().profile(" dev ").build().profile()).contains("dev");
        assertThat(generic().profile(" ").build().profile()).isEmpty();
        assertFailsNaming("profile", () -> generic().profile("dev").credentials("AKIDEXAMPLE", SECRET).build());
    }

    @ParameterizedTest
    @CsvSource({"https://s3.example.com/, https://s3.example.com", "http://127.0.0.1:9000, http://127.0.0.1:9000",
            "'  HTTP://Minio.local:9000/base/  ', HTTP://Minio.local:9000/base"})
    void build_endpoint_isKeptWithoutTrailingSlash(String given, String expected) {
        assertThat(generic().endpointUrl(given).build().endpointUrl()).contains(URI.create(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://s3.example.com", "file:/tmp/s3", "s3.example.com", "localhost:9000", "http:///bucket",
            "https://s3.example.com/?x=1", "https://s3.example.com/#f", "https://AKID:PwSecret9@s3.example.com", "http://a b"})
    void build_badEndpoint_failsNamingEndpointUrl(String endpoint) {
        assertFailsNaming("endpoint_url", () -> generic().endpointUrl(endpoint).build());
        assertThatThrownBy(() -> generic().endpointUrl(endpoint).build()).hasMessageNotContaining("PwSecret9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"R2", "MINIO", "GENERIC"})
    void build_presetThatNeedsAnEndpoint_withoutOne_failsNamingEndpointUrl(S3Preset preset) {
        assertFailsNaming("endpoint_url", () -> S3Config.builder(preset).bucketName("media").build());
        assertFailsNaming("endpoint_url", () -> S3Config.builder(preset).bucketName("media").endpointUrl(" ").build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cdn.example.com/x", "https://cdn.example.com/x?v=1", "https://cdn.example.com/#top",
            "https://u:PwSecret9@cdn.example.com/", "https:///x"})
    void build_badPublicUrl_failsNamingPublicUrl(String url) {
        assertThat(generic().publicUrl("https://cdn.example.com/x").build().publicUrl()).contains(URI.create("https://cdn.example.com/x/"));
        assertThat(generic().publicUrl("  ").build().publicUrl()).isEmpty();
        assertFailsNaming("public_url", () -> generic().publicUrl(url).build());
        assertThatThrownBy(() -> generic().publicUrl(url).build()).hasMessageNotContaining("PwSecret9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
            "bucket-owner-read", "bucket-owner-full-control"})
    void build_cannedAcl_isKeptLowerCased(String acl) {
        assertThat(generic().acl(" " + acl.toUpperCase() + " ").build().acl()).contains(acl);
    }

    @Test
    void build_unknownAcl_failsNamingAclAndListingTheAllowedOnes() {
        assertFailsNaming("acl", () -> generic().acl("public").build());
        assertThatThrownBy(() -> generic().acl("public").build())
                .hasMessageContaining("authenticated-read, aws-exec-read, bucket-owner-full-control, bucket-owner-read, "
                        + "private, public-read, public-read-write, not 'public'");
        assertThat(generic().acl("").build().acl()).isEmpty();
    }

    @Test
    void build_aclUnderR2_isRejected() {
        S3Config.Builder r2 = S3Config.builder(S3Preset.R2).endpointUrl("https://acct.r2.cloudflarestorage.com").bucketName("media");
        assertFailsNaming("acl", () -> r2.acl("public-read").build());
        assertThatThrownBy(() -> r2.acl("private").build()).hasMessageContaining("acl is not supported by R2");
    }

    @ParameterizedTest
    @CsvSource({
            "part_size, 5242880, true", "part_size, 5368709120, true", "part_size, 5242879, false",
            "part_size, 5368709121, false", "part_size, 0, false", "part_size, -1, false",
            "multipart_threshold, 5242880, true", "multipart_threshold, 5368709120, true", "multipart_threshold, 5242879, false",
            "multipart_threshold, 5368709121, false", "multipart_threshold, -1, false",
            "part_concurrency, 1, true", "part_concurrency, 64, true", "part_concurrency, 0, false", "part_concurrency, 65, false",
            "max_connections, 1, true", "max_connections, 1024, true", "max_connections, 0, false", "max_connections, 1025, false",
            // timeouts, in milliseconds
            "connect_timeout, 1, true", "connect_timeout, 0, false", "connect_timeout, -1000, false",
            "socket_timeout, 1, true", "socket_timeout, 0, false", "socket_timeout, -1000, false",
            "request_timeout, 1, true", "request_timeout, 0, false", "request_timeout, -1000, false",
            "call_timeout, 1, true", "call_timeout, 0, false", "call_timeout, -1000, false"})
    void build_numericSetting_isKeptWithinItsBoundsAndRejectedOutside(String setting, long value, boolean ok) {
        S3Config.Builder b = generic();
        Duration millis = Duration.ofMillis(value);
        Supplier<Object> built = switch (setting) {
            case "part_size" -> () -> b.partSizeBytes(value).build().partSizeBytes();
            case "multipart_threshold" -> () -> b.multipartThresholdBytes(value).build().multipartThresholdBytes();
            case "part_concurrency" -> () -> (long) b.partConcurrency((int) value).build().partConcurrency();
            case "max_connections" -> () -> (long) b.maxConnections((int) value).build().maxConnections();
            case "connect_timeout" -> () -> b.connectTimeout(millis).build().connectTimeout();
            case "socket_timeout" -> () -> b.socketTimeout(millis).build().socketTimeout();
            case "request_timeout" -> () -> b.requestTimeout(millis).build().requestTimeout();
            default -> () -> b.callTimeout(millis).build().callTimeout();
        };
        if (ok) {
            assertThat(built.get()).isEqualTo(setting.endsWith("_timeout") ? millis : value);
        } else {
            assertFailsNaming(setting, built::get);
        }
    }

    @ParameterizedTest
    @CsvSource({
            // preset, endpoint given, region given, region,   endpoint,                            path,  checksums, continue, batch
            "R2,      https://acct.r2.example, ,     auto,      https://acct.r2.example,             true,  false,     false,    false",
            "AWS,     ,                  eu-west-1,  eu-west-1, ,                                    false, true,      true,     true",
            "MINIO,   http://127.0.0.1:9000, ,       us-east-1, http://127.0.0.1:9000,               true,  false,     true,     true",
            "SPACES,  ,                  nyc3,       nyc3,      https://nyc3.digitaloceanspaces.com, false, false,     true,     true",
            "GENERIC, http://127.0.0.1:9000, ,       us-east-1, http://127.0.0.1:9000,               true,  false,     true,     true"})
    void presets_chooseTheirDefaults(S3Preset preset, String endpointGiven, String regionGiven, String region, String endpoint,
                                     boolean pathStyle, boolean sdkChecksums, boolean expectContinue, boolean batchDelete) {
        S3Config.Builder b = S3Config.builder(preset).bucketName("media");
        if (endpointGiven != null) {
            b.endpointUrl(endpointGiven);
        }
        if (regionGiven != null) {
            b.region(regionGiven);
        }
        S3Config c = b.build();
        assertThat(c.region()).isEqualTo(region);
        assertThat(c.endpointUrl()).isEqualTo(Optional.ofNullable(endpoint).map(URI::create));
        assertThat(c).extracting(S3Config::pathStyle, S3Config::sdkChecksums, S3Config::expectContinue, S3Config::batchDelete)
                .containsExactly(pathStyle, sdkChecksums, expectContinue, batchDelete);
        assertThat(preset.allowsAcl()).isEqualTo(preset != S3Preset.R2);
    }

    @Test
    void explicitSettings_overridePresetDefaults() {
        S3Config r2 = S3Config.builder(S3Preset.R2).endpointUrl("https://acct.r2.cloudflarestorage.com").bucketName("media")
                .region("wnam").pathStyle(false).sdkChecksums(true).expectContinue(true).batchDelete(true).build();
        assertThat(r2).extracting(S3Config::region, S3Config::pathStyle, S3Config::sdkChecksums, S3Config::expectContinue,
                S3Config::batchDelete).containsExactly("wnam", false, true, true, true);
        S3Config spaces = S3Config.builder(S3Preset.SPACES).region("nyc3").endpointUrl("https://cdn.example.net")
                .bucketName("media").pathStyle(true).build();
        assertThat(spaces.endpointUrl()).contains(URI.create("https://cdn.example.net"));
        assertThat(spaces.pathStyle()).isTrue();
    }

    @Test
    void presetNamed_isCaseInsensitiveAndEmptyForUnknownNames() {
        assertThat(S3Preset.named("r2")).contains(S3Preset.R2);
        assertThat(S3Preset.named(" MinIO ")).contains(S3Preset.MINIO);
        assertThat(S3Preset.named("Spaces")).contains(S3Preset.SPACES);
        assertThat(S3Preset.named("gcs")).isEmpty();
    }

    @Test
    void toString_masksTheSecretAndShowsTheRest() {
        String text = generic().bucketPrefix("site").credentials("AKIDEXAMPLE", SECRET).build().toString();
        assertThat(text).doesNotContain(SECRET).contains("secretAccessKey=****", "accessKeyId=AKIDEXAMPLE",
                "bucketName=media", "bucketPrefix=site/", "endpointUrl=http://127.0.0.1:9000");
        assertThat(generic().build().toString()).contains("secretAccessKey=(AWS credential chain)", "httpClient=crt");
        assertThat(generic().httpClient(S3HttpClient.NETTY).build().toString()).contains("httpClient=netty");
    }

    static Stream<Arguments> badSettingsWithCredentials() {
        return Stream.of(
                Arguments.of("bucket_name", (Consumer<S3Config.Builder>) b -> b.bucketName("Bad_Bucket")),
                Arguments.of("bucket_prefix", (Consumer<S3Config.Builder>) b -> b.bucketPrefix("a//b")),
                Arguments.of("region", (Consumer<S3Config.Builder>) b -> b.region("EU")),
                Arguments.of("endpoint_url", (Consumer<S3Config.Builder>) b -> b.endpointUrl("ftp://h")),
                Arguments.of("profile", (Consumer<S3Config.Builder>) b -> b.profile("dev")),
                Arguments.of("acl", (Consumer<S3Config.Builder>) b -> b.acl("nope")),
                Arguments.of("part_size", (Consumer<S3Config.Builder>) b -> b.partSizeBytes(1)));
    }

    @ParameterizedTest
    @MethodSource("badSettingsWithCredentials")
    void build_failure_neverShowsTheSecret(String setting, Consumer<S3Config.Builder> breakIt) {
        S3Config.Builder b = generic().credentials("AKIDEXAMPLE", SECRET);
        breakIt.accept(b);
        assertFailsNaming(setting, b::build);
        assertThatThrownBy(b::build).hasMessageNotContaining(SECRET);
    }

    private static S3Config withCredentials(S3Config c, Optional<String> accessKeyId, Optional<String> secret) {
        return new S3Config(c.preset(), c.bucketName(), c.bucketPrefix(), c.endpointUrl(), c.region(), accessKeyId, secret,
                c.profile(), c.publicUrl(), c.pathStyle(), c.sdkChecksums(), c.expectContinue(), c.batchDelete(), c.acl(),
                c.multipartThresholdBytes(), c.partSizeBytes(), c.partConcurrency(), c.partAttempts(), c.maxConnections(),
                c.httpClient(), c.connectTimeout(), c.socketTimeout(), c.requestTimeout(), c.callTimeout());
    }
}
