package dev.stowage.s3;

import java.util.Locale;
import java.util.Optional;

/**
 * What a provider needs beyond the S3 API, as defaults for {@link S3Config}. Every default can be
 * overridden by the matching setting; the preset only chooses what works out of the box.
 *
 * <table>
 *   <caption>Defaults per preset</caption>
 *   <tr><th>preset</th><th>region</th><th>endpoint</th><th>addressing</th><th>SDK checksums</th>
 *       <th>Expect: 100-continue</th><th>deletes</th><th>ACL</th></tr>
 *   <tr><td>AWS</td><td>required</td><td>the SDK's</td><td>virtual host</td><td>on</td><td>on</td><td>batch</td><td>allowed</td></tr>
 *   <tr><td>R2</td><td>{@code auto}</td><td>required</td><td>path</td><td>off</td><td>off</td><td>one by one</td><td>rejected</td></tr>
 *   <tr><td>MINIO</td><td>{@code us-east-1}</td><td>required</td><td>path</td><td>off</td><td>on</td><td>batch</td><td>allowed</td></tr>
 *   <tr><td>SPACES</td><td>required</td><td>{@code https://<region>.digitaloceanspaces.com}</td><td>virtual host</td><td>off</td><td>on</td><td>batch</td><td>allowed</td></tr>
 *   <tr><td>GENERIC</td><td>{@code us-east-1}</td><td>required</td><td>path</td><td>off</td><td>on</td><td>batch</td><td>allowed</td></tr>
 * </table>
 *
 * <p>"SDK checksums off" means the AWS SDK computes and validates checksums only where the S3 API
 * requires them. Since 2.30 the SDK otherwise sends every body as {@code aws-chunked} with an
 * {@code x-amz-checksum-crc32} trailer and asks for checksums on reads, which R2, Ceph RGW, older
 * MinIO and many other S3-compatible stores reject or, worse, store verbatim. Uploads stay
 * verified either way: Stowage sends {@code Content-MD5}, which every one of them checks, or, for
 * the parts of a multipart upload to MinIO, signs each part's SHA-256, which MinIO checks
 * ({@link #checksSignedPayload()}).
 */
public enum S3Preset {
    /** Amazon S3: the SDK's own endpoint and integrity checks. */
    AWS(Optional.empty(), false, false, true, true, true, true),
    /**
     * Cloudflare R2: region {@code auto}; no {@code aws-chunked} bodies or checksum trailers, no
     * {@code x-amz-acl}, no {@code Expect: 100-continue} (Cloudflare does not answer it), and deletes
     * one request per key, since batch deletes of many keys have proved fragile there.
     */
    R2(Optional.of("auto"), true, true, false, false, false, false),
    /** MinIO: path-style requests, which MinIO accepts without a domain configured. */
    MINIO(Optional.of("us-east-1"), true, true, false, true, true, true),
    /** DigitalOcean Spaces: the endpoint follows from the region, e.g. {@code nyc3}. */
    SPACES(Optional.empty(), false, false, false, true, true, true),
    /** Any other S3-compatible store (Ceph RGW, Garage, SeaweedFS, S3Proxy...): the safe choices. */
    GENERIC(Optional.of("us-east-1"), true, true, false, true, true, true);

    private final Optional<String> region;
    private final boolean requiresEndpoint;
    private final boolean pathStyle;
    private final boolean sdkChecksums;
    private final boolean expectContinue;
    private final boolean batchDelete;
    private final boolean allowsAcl;

    S3Preset(Optional<String> region, boolean requiresEndpoint, boolean pathStyle, boolean sdkChecksums,
             boolean expectContinue, boolean batchDelete, boolean allowsAcl) {
        this.region = region;
        this.requiresEndpoint = requiresEndpoint;
        this.pathStyle = pathStyle;
        this.sdkChecksums = sdkChecksums;
        this.expectContinue = expectContinue;
        this.batchDelete = batchDelete;
        this.allowsAcl = allowsAcl;
    }

    /** The preset of a name such as {@code r2} or {@code MinIO}, or empty if there is none. */
    public static Optional<S3Preset> named(String name) {
        for (S3Preset preset : values()) {
            if (preset.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                return Optional.of(preset);
            }
        }
        return Optional.empty();
    }

    /** The region used when none is given, or empty if the region must be given. */
    public Optional<String> defaultRegion() {
        return region;
    }

    /** Whether {@code endpoint_url} must be given. */
    public boolean requiresEndpoint() {
        return requiresEndpoint;
    }

    /** The endpoint used when none is given, for a region; empty if the SDK's own applies or one is required. */
    public Optional<String> defaultEndpoint(String region) {
        return this == SPACES ? Optional.of("https://" + region + ".digitaloceanspaces.com") : Optional.empty();
    }

    /** Whether requests address the bucket in the path ({@code host/bucket/key}) rather than the host name. */
    public boolean pathStyle() {
        return pathStyle;
    }

    /** Whether the SDK adds checksums to every request it can and validates them on responses. */
    public boolean sdkChecksums() {
        return sdkChecksums;
    }

    /** Whether large bodies wait for {@code 100 Continue} before they are sent. */
    public boolean expectContinue() {
        return expectContinue;
    }

    /** Whether many keys are deleted with {@code DeleteObjects} rather than one request each. */
    public boolean batchDelete() {
        return batchDelete;
    }

    /**
     * Whether the provider is known to check a request body against the SHA-256 it is signed with
     * ({@code x-amz-content-sha256}), so that the signed SHA-256 guards a part's bytes in place of
     * its {@code Content-MD5}, which costs three times as much CPU to take. Stores not known to check
     * it (R2, and any store behind {@code generic}) keep {@code Content-MD5} on every part.
     */
    public boolean checksSignedPayload() {
        return this == AWS || this == MINIO;
    }

    /** Whether the provider accepts a canned ACL ({@code x-amz-acl}) on uploads. */
    public boolean allowsAcl() {
        return allowsAcl;
    }
}
