package dev.stowage.s3;

import dev.stowage.Keys;
import dev.stowage.StorageException;
import dev.stowage.Urls;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything an {@link S3Backend} needs to know, checked once when built and immutable after.
 *
 * <pre>{@code
 * S3Config config = S3Config.builder(S3Preset.R2)
 *         .endpointUrl("https://<account>.r2.cloudflarestorage.com")
 *         .bucketName("media")
 *         .bucketPrefix("site")
 *         .credentials(System.getenv("R2_ACCESS_KEY_ID"), System.getenv("R2_SECRET_ACCESS_KEY"))
 *         .publicUrl("https://media.example.com")
 *         .build();
 * }</pre>
 *
 * <p>Each setting has a name ({@code bucket_name}, {@code endpoint_url}...) used in {@code s3:}
 * URIs and in error messages: a wrong value fails {@link Builder#build()} with an
 * {@code INVALID_CONFIG} {@link StorageException} naming it. Without explicit credentials the
 * standard AWS chain is asked when the first request is made ({@code AWS_ACCESS_KEY_ID} and
 * {@code AWS_SECRET_ACCESS_KEY}, system properties, {@code ~/.aws} profiles, container and instance
 * roles). {@link #toString()} never shows the secret key.
 *
 * @param preset                   the provider's defaults
 * @param bucketName               {@code bucket_name}
 * @param bucketPrefix             {@code bucket_prefix}, normalised: empty, or segments ending in {@code /}
 * @param endpointUrl              {@code endpoint_url}; empty for the SDK's AWS endpoint
 * @param region                   {@code region}
 * @param accessKeyId              {@code access_key_id}; empty to use the AWS credential chain
 * @param secretAccessKey          {@code secret_access_key}; present exactly when the access key is
 * @param profile                  {@code profile}: the AWS profile the credential chain reads, if not the default
 * @param publicUrl                {@code public_url}: the base of public URLs; empty for the endpoint's own
 * @param pathStyle                {@code path_style}: address the bucket in the path, not the host name
 * @param sdkChecksums             {@code sdk_checksums}: let the SDK add checksums wherever it can
 * @param expectContinue           {@code expect_continue}: send large bodies only after {@code 100 Continue}
 * @param batchDelete              {@code batch_delete}: delete many keys with {@code DeleteObjects}
 * @param acl                      {@code acl}: a canned ACL sent with every upload, e.g. {@code public-read}
 * @param multipartThresholdBytes  {@code multipart_threshold}: files of this size or more go multipart
 * @param partSizeBytes            {@code part_size}: the size of every multipart part but the last
 * @param partConcurrency          {@code part_concurrency}: parts of one upload in flight at once
 * @param partAttempts             {@code part_attempts}: attempts per part of a multipart upload, the first included
 * @param maxConnections           {@code max_connections}: the connection pool's size, shared by all operations
 * @param httpClient               {@code http_client}: the HTTP client requests are sent with
 * @param connectTimeout           {@code connect_timeout}: to open a connection
 * @param socketTimeout            {@code socket_timeout}: the longest a connection may send or receive nothing
 * @param requestTimeout           {@code request_timeout}: the longest one HTTP request may take
 * @param callTimeout              {@code call_timeout}: the longest one S3 call may take, all its requests included
 */
public record S3Config(
        S3Preset preset,
        String bucketName,
        String bucketPrefix,
        Optional<URI> endpointUrl,
        String region,
        Optional<String> accessKeyId,
        Optional<String> secretAccessKey,
        Optional<String> profile,
        Optional<URI> publicUrl,
        boolean pathStyle,
        boolean sdkChecksums,
        boolean expectContinue,
        boolean batchDelete,
        Optional<String> acl,
        long multipartThresholdBytes,
        long partSizeBytes,
        int partConcurrency,
        int partAttempts,
        int maxConnections,
        S3HttpClient httpClient,
        Duration connectTimeout,
        Duration socketTimeout,
        Duration requestTimeout,
        Duration callTimeout) {

    /** S3's smallest part, for every part but the last. */
    public static final long MIN_PART_BYTES = 5L << 20;
    /** S3's largest part, and its largest single upload. */
    public static final long MAX_PART_BYTES = 5L << 30;
    /** S3's most parts in one multipart upload. */
    public static final int MAX_PARTS = 10_000;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Set<String> CANNED_ACLS = Set.of("private", "public-read", "public-read-write",
            "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control");

    /** Checks every setting; the builder is the friendlier way in. */
    public S3Config {
        require(preset != null, "preset", "is required");
        require(bucketName != null && BUCKET.matcher(bucketName).matches() && !bucketName.contains(".."),
                "bucket_name", "must be 3 to 63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit, not '"
                        + bucketName + "'");
        Objects.requireNonNull(bucketPrefix, "bucketPrefix");
        require(bucketPrefix.isEmpty() || (bucketPrefix.endsWith("/") && Keys.isValid(bucketPrefix.substring(0, bucketPrefix.length() - 1))),
                "bucket_prefix", "must be empty or a valid key followed by '/', not '" + bucketPrefix + "'");
        Objects.requireNonNull(endpointUrl, "endpointUrl");
        require(region != null && REGION.matcher(region).matches(), "region",
                "must be a region name such as eu-west-1 or auto, not '" + region + "'");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(profile, "profile");
        require(accessKeyId.isPresent() == secretAccessKey.isPresent(),
                accessKeyId.isPresent() ? "secret_access_key" : "access_key_id",
                "is required when " + (accessKeyId.isPresent() ? "access_key_id" : "secret_access_key") + " is given");
        require(!(profile.isPresent() && accessKeyId.isPresent()), "profile",
                "cannot be combined with access_key_id and secret_access_key: choose one source of credentials");
        Objects.requireNonNull(publicUrl, "publicUrl");
        require(endpointUrl.isPresent() || !preset.requiresEndpoint(), "endpoint_url",
                "is required for the " + preset + " preset");
        Objects.requireNonNull(acl, "acl");
        acl.ifPresent(a -> {
            require(CANNED_ACLS.contains(a), "acl", "must be one of " + String.join(", ", new java.util.TreeSet<>(CANNED_ACLS))
                    + ", not '" + a + "'");
            require(preset.allowsAcl(), "acl", "is not supported by " + preset + ": grant public access on the bucket instead");
        });
        require(partSizeBytes >= MIN_PART_BYTES && partSizeBytes <= MAX_PART_BYTES, "part_size",
                "must be from " + MIN_PART_BYTES + " (5 MiB) to " + MAX_PART_BYTES + " (5 GiB) bytes, not " + partSizeBytes);
        require(multipartThresholdBytes >= MIN_PART_BYTES && multipartThresholdBytes <= MAX_PART_BYTES, "multipart_threshold",
                "must be from " + MIN_PART_BYTES + " (5 MiB) to " + MAX_PART_BYTES + " (5 GiB) bytes, not " + multipartThresholdBytes);
        require(partConcurrency >= 1 && partConcurrency <= 64, "part_concurrency", "must be from 1 to 64, not " + partConcurrency);
        require(partAttempts >= 1 && partAttempts <= 10, "part_attempts", "must be from 1 to 10, not " + partAttempts);
        require(maxConnections >= 1 && maxConnections <= 1024, "max_connections", "must be from 1 to 1024, not " + maxConnections);
        Objects.requireNonNull(httpClient, "httpClient");
        requirePositive(connectTimeout, "connect_timeout");
        requirePositive(socketTimeout, "socket_timeout");
        requirePositive(requestTimeout, "request_timeout");
        requirePositive(callTimeout, "call_timeout");
    }

    /** A builder with the defaults of a preset. */
    public static Builder builder(S3Preset preset) {
        return new Builder(Objects.requireNonNull(preset, "preset"));
    }

    /** The full object key of a key: the prefix, then the key. */
    public String objectKey(String key) {
        return bucketPrefix + key;
    }

    /** Whether requests are signed with credentials given in this configuration. */
    public boolean hasStaticCredentials() {
        return accessKeyId.isPresent();
    }

    private static void require(boolean condition, String setting, String problem) {
        if (!condition) {
            throw StorageException.invalidConfig(setting + " " + problem);
        }
    }

    private static void requirePositive(Duration value, String setting) {
        require(value != null && !value.isNegative() && !value.isZero(), setting, "must be a positive duration, not " + value);
    }

    /** All settings, the secret key shown as {@code ****}. */
    @Override
    public String toString() {
        return "S3Config[preset=" + preset + ", bucketName=" + bucketName + ", bucketPrefix=" + bucketPrefix
                + ", endpointUrl=" + endpointUrl.map(URI::toString).orElse("(AWS)") + ", region=" + region
                + ", accessKeyId=" + accessKeyId.orElse("(AWS credential chain)")
                + ", secretAccessKey=" + (secretAccessKey.isPresent() ? "****" : "(AWS credential chain)")
                + profile.map(p -> ", profile=" + p).orElse("")
                + ", publicUrl=" + publicUrl.map(URI::toString).orElse("(endpoint)")
                + ", pathStyle=" + pathStyle + ", sdkChecksums=" + sdkChecksums + ", expectContinue=" + expectContinue
                + ", batchDelete=" + batchDelete + acl.map(a -> ", acl=" + a).orElse("")
                + ", multipartThresholdBytes=" + multipartThresholdBytes + ", partSizeBytes=" + partSizeBytes
                + ", partConcurrency=" + partConcurrency + ", partAttempts=" + partAttempts + ", maxConnections=" + maxConnections
                + ", httpClient=" + httpClient
                + ", connectTimeout=" + connectTimeout + ", socketTimeout=" + socketTimeout
                + ", requestTimeout=" + requestTimeout + ", callTimeout=" + callTimeout + "]";
    }

    /**
     * Builds an {@link S3Config}. Starts from a preset's defaults; {@link #build()} checks every
     * setting. Not thread-safe.
     */
    public static final class Builder {
        private final S3Preset preset;
        private String bucketName;
        private String bucketPrefix = "";
        private String endpointUrl;
        private String region;
        private String accessKeyId;
        private String secretAccessKey;
        private String profile;
        private String publicUrl;
        private Boolean pathStyle;
        private Boolean sdkChecksums;
        private Boolean expectContinue;
        private Boolean batchDelete;
        private String acl;
        private long multipartThresholdBytes = 16L << 20;
        private long partSizeBytes = 8L << 20;
        private int partConcurrency = 4;
        private int partAttempts = 4;
        private int maxConnections = 64;
        private S3HttpClient httpClient = S3HttpClient.CRT;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration socketTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofMinutes(5);
        private Duration callTimeout = Duration.ofMinutes(15);

        private Builder(S3Preset preset) {
            this.preset = preset;
        }

        /** {@code bucket_name}, required. */
        public Builder bucketName(String bucketName) {
            this.bucketName = Objects.requireNonNull(bucketName, "bucketName").trim();
            return this;
        }

        /** {@code bucket_prefix}: keys are stored under it; leading and trailing slashes are ignored. */
        public Builder bucketPrefix(String bucketPrefix) {
            this.bucketPrefix = Objects.requireNonNull(bucketPrefix, "bucketPrefix");
            return this;
        }

        /** {@code endpoint_url}, such as {@code https://<account>.r2.cloudflarestorage.com}. */
        public Builder endpointUrl(String endpointUrl) {
            this.endpointUrl = Objects.requireNonNull(endpointUrl, "endpointUrl");
            return this;
        }

        /** {@code region}, such as {@code eu-west-1}, or {@code auto} for R2. */
        public Builder region(String region) {
            this.region = Objects.requireNonNull(region, "region").trim();
            return this;
        }

        /** {@code access_key_id} and {@code secret_access_key}; without them the AWS credential chain is used. */
        public Builder credentials(String accessKeyId, String secretAccessKey) {
            this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId").trim();
            this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            return this;
        }

        /** {@code profile}: the AWS profile to take credentials from, instead of the default one. */
        public Builder profile(String profile) {
            this.profile = Objects.requireNonNull(profile, "profile").trim();
            return this;
        }

        /** {@code public_url}: where the bucket (with the prefix) is served publicly, e.g. a CDN. */
        public Builder publicUrl(String publicUrl) {
            this.publicUrl = Objects.requireNonNull(publicUrl, "publicUrl");
            return this;
        }

        /** {@code path_style}: {@code host/bucket/key} instead of {@code bucket.host/key}. */
        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        /** {@code sdk_checksums}: whether the SDK adds CRC checksums to every request it can. */
        public Builder sdkChecksums(boolean sdkChecksums) {
            this.sdkChecksums = sdkChecksums;
            return this;
        }

        /** {@code expect_continue}: whether large bodies wait for {@code 100 Continue}. */
        public Builder expectContinue(boolean expectContinue) {
            this.expectContinue = expectContinue;
            return this;
        }

        /** {@code batch_delete}: whether many keys are deleted by {@code DeleteObjects}, 1000 a request. */
        public Builder batchDelete(boolean batchDelete) {
            this.batchDelete = batchDelete;
            return this;
        }

        /** {@code acl}: a canned ACL for every upload, such as {@code public-read}. */
        public Builder acl(String acl) {
            this.acl = Objects.requireNonNull(acl, "acl").trim().toLowerCase(Locale.ROOT);
            return this;
        }

        /** {@code multipart_threshold}: files of at least this size are uploaded in parts. */
        public Builder multipartThresholdBytes(long bytes) {
            this.multipartThresholdBytes = bytes;
            return this;
        }

        /** {@code part_size}: the size of each part; raised for files that would need more than 10,000. */
        public Builder partSizeBytes(long bytes) {
            this.partSizeBytes = bytes;
            return this;
        }

        /** {@code part_concurrency}: parts of one upload sent at once. */
        public Builder partConcurrency(int parts) {
            this.partConcurrency = parts;
            return this;
        }

        /**
         * {@code part_attempts}: how often each part of a multipart upload is tried when it fails
         * for a reason worth retrying, with backoff, before the whole upload fails for good.
         */
        public Builder partAttempts(int attempts) {
            this.partAttempts = attempts;
            return this;
        }

        /** {@code max_connections}: the most connections open to the endpoint at once. */
        public Builder maxConnections(int connections) {
            this.maxConnections = connections;
            return this;
        }

        /** {@code http_client}: the HTTP client requests are sent with; {@link S3HttpClient#CRT} unless set. */
        public Builder httpClient(S3HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /** {@code connect_timeout}. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
            return this;
        }

        /** {@code socket_timeout}: a connection that sends or receives nothing this long is dropped. */
        public Builder socketTimeout(Duration timeout) {
            this.socketTimeout = Objects.requireNonNull(timeout, "socketTimeout");
            return this;
        }

        /** {@code request_timeout}: the longest one HTTP request (one part, one PUT) may take. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "requestTimeout");
            return this;
        }

        /** {@code call_timeout}: the longest one S3 call may take. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = Objects.requireNonNull(timeout, "callTimeout");
            return this;
        }

        /**
         * @throws StorageException of kind {@code INVALID_CONFIG} naming the first wrong setting
         */
        public S3Config build() {
            String theRegion = region != null && !region.isEmpty() ? region
                    : preset.defaultRegion().orElseThrow(() -> StorageException.invalidConfig(
                            "region is required for the " + preset + " preset, e.g. " + (preset == S3Preset.SPACES ? "nyc3" : "eu-west-1")));
            Optional<URI> endpoint = Optional.ofNullable(endpointUrl).filter(s -> !s.isBlank())
                    // A malformed region is reported as the region (by the constructor), not as an endpoint made of it.
                    .or(() -> REGION.matcher(theRegion).matches() ? preset.defaultEndpoint(theRegion) : Optional.empty())
                    .map(Builder::endpoint);
            Optional<String> key = Optional.ofNullable(accessKeyId);
            if (key.isPresent() && key.get().isEmpty()) {
                throw StorageException.invalidConfig("access_key_id must not be empty");
            }
            if (secretAccessKey != null && secretAccessKey.isBlank()) {
                throw StorageException.invalidConfig("secret_access_key must not be blank");
            }
            return new S3Config(preset, bucketName, normalisePrefix(bucketPrefix), endpoint, theRegion,
                    key, Optional.ofNullable(secretAccessKey), Optional.ofNullable(profile).filter(p -> !p.isEmpty()),
                    Optional.ofNullable(publicUrl).filter(s -> !s.isBlank()).map(u -> Urls.baseUrl(u, "public_url")),
                    pathStyle != null ? pathStyle : preset.pathStyle(),
                    sdkChecksums != null ? sdkChecksums : preset.sdkChecksums(),
                    expectContinue != null ? expectContinue : preset.expectContinue(),
                    batchDelete != null ? batchDelete : preset.batchDelete(),
                    Optional.ofNullable(acl).filter(a -> !a.isEmpty()),
                    multipartThresholdBytes, partSizeBytes, partConcurrency, partAttempts, maxConnections,
                    httpClient, connectTimeout, socketTimeout, requestTimeout, callTimeout);
        }

        private static URI endpoint(String value) {
            URI uri = Urls.baseUrl(value, "endpoint_url");
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw StorageException.invalidConfig("endpoint_url must be an http or https URL, not " + scheme + ": " + uri);
            }
            // Urls.baseUrl adds a trailing '/', which the SDK would keep in every request path.
            String s = uri.toString();
            return URI.create(s.substring(0, s.length() - 1));
        }

        private static String normalisePrefix(String prefix) {
            String p = prefix.strip();
            while (p.startsWith("/")) {
                p = p.substring(1);
            }
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            if (p.isEmpty()) {
                return "";
            }
            Keys.problem(p).ifPresent(problem -> {
                throw StorageException.invalidConfig("bucket_prefix is not a valid key (" + problem + "): '" + prefix + "'");
            });
            return p + "/";
        }
    }
}
