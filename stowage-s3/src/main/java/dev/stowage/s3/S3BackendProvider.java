package dev.stowage.s3;

import dev.stowage.StorageBackend;
import dev.stowage.spi.BackendProvider;
import dev.stowage.spi.BackendUri;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Opens {@code s3:} URIs:
 * {@code s3://bucket/prefix?preset=r2&endpoint=https://<account>.r2.cloudflarestorage.com&public_url=https://media.example.com}.
 *
 * <p>The bucket is the host part and the prefix the path. Settings are named as in
 * {@link S3Config} ({@code endpoint} or {@code endpoint_url}, {@code region}, {@code public_url},
 * {@code preset}, {@code path_style}, {@code profile}...). Sizes take a unit ({@code 16MiB});
 * durations take one too ({@code 30s}, {@code 5m}). Credentials never go in the URI: they come
 * from {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, or the rest of the AWS chain.
 */
public final class S3BackendProvider implements BackendProvider {
    private static final Set<String> SETTINGS = Set.of("endpoint", "endpoint_url", "region", "public_url", "preset",
            "path_style", "profile", "sdk_checksums", "expect_continue", "batch_delete", "acl", "multipart_threshold",
            "part_size", "part_concurrency", "part_attempts", "max_connections", "http_client", "connect_timeout", "socket_timeout",
            "request_timeout", "call_timeout");
    private static final Set<String> CREDENTIALS = Set.of("access_key_id", "secret_access_key", "aws_access_key_id",
            "aws_secret_access_key", "session_token");

    @Override
    public String scheme() {
        return "s3";
    }

    @Override
    public String description() {
        return "an S3 bucket on AWS, R2, MinIO, Spaces or any S3-compatible store: "
                + "s3://bucket/prefix?preset=minio&endpoint=http://127.0.0.1:9000";
    }

    @Override
    public StorageBackend open(BackendUri uri) {
        for (String name : uri.settings().keySet()) {
            if (CREDENTIALS.contains(name.toLowerCase(Locale.ROOT))) {
                throw uri.invalid("credentials do not belong in the URI, where logs and shells keep them: set "
                        + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use profile=<name>");
            }
        }
        uri.requireKnownSettings(SETTINGS);
        if (uri.settings().containsKey("endpoint") && uri.settings().containsKey("endpoint_url")) {
            throw uri.invalid("give endpoint or endpoint_url, not both");
        }
        String bucket = uri.authority().orElseThrow(() -> uri.invalid("the bucket is missing: write s3://bucket/prefix"));
        if (bucket.contains("@")) {
            throw uri.invalid("credentials do not belong in the URI, where logs and shells keep them: set "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use profile=<name>");
        }
        S3Preset preset = uri.setting("preset").map(name -> S3Preset.named(name).orElseThrow(() -> uri.invalid(
                "unknown preset '" + name + "'; known presets are aws, r2, minio, spaces and generic")))
                .orElse(uri.setting("endpoint").or(() -> uri.setting("endpoint_url")).isPresent() ? S3Preset.GENERIC : S3Preset.AWS);
        S3Config.Builder config = S3Config.builder(preset).bucketName(bucket).bucketPrefix(uri.path());
        uri.setting("endpoint").or(() -> uri.setting("endpoint_url")).ifPresent(config::endpointUrl);
        uri.setting("region").ifPresent(config::region);
        uri.setting("public_url").ifPresent(config::publicUrl);
        uri.setting("profile").ifPresent(config::profile);
        uri.setting("acl").ifPresent(config::acl);
        flag(uri, "path_style", config::pathStyle);
        flag(uri, "sdk_checksums", config::sdkChecksums);
        flag(uri, "expect_continue", config::expectContinue);
        flag(uri, "batch_delete", config::batchDelete);
        uri.sizeSetting("multipart_threshold").ifPresent(config::multipartThresholdBytes);
        uri.sizeSetting("part_size").ifPresent(config::partSizeBytes);
        uri.longSetting("part_concurrency", 1, 64).ifPresent(n -> config.partConcurrency(n.intValue()));
        uri.longSetting("part_attempts", 1, 10).ifPresent(n -> config.partAttempts(n.intValue()));
        uri.longSetting("max_connections", 1, 1024).ifPresent(n -> config.maxConnections(n.intValue()));
        uri.setting("http_client").ifPresent(name -> config.httpClient(S3HttpClient.named(name).orElseThrow(() -> uri.invalid(
                "unknown http_client '" + name + "'; known clients are crt and netty"))));
        uri.durationSetting("connect_timeout").ifPresent(config::connectTimeout);
        uri.durationSetting("socket_timeout").ifPresent(config::socketTimeout);
        uri.durationSetting("request_timeout").ifPresent(config::requestTimeout);
        uri.durationSetting("call_timeout").ifPresent(config::callTimeout);
        return S3Backend.create(config.build());
    }

    private static void flag(BackendUri uri, String name, Consumer<Boolean> set) {
        if (uri.settings().containsKey(name)) {
            set.accept(uri.flag(name, false));
        }
    }
}
