package dev.stowage.s3;

import dev.stowage.Urls;
import java.net.URI;

/** The public URLs of an {@link S3Backend}'s keys. */
final class S3Urls {
    private S3Urls() {
    }

    /** The URL keys are joined to: public_url or the bucket's URL at the endpoint, then the prefix. */
    static URI keyBase(S3Config config) {
        String bucketRoot = config.publicUrl().map(URI::toString).orElseGet(() -> bucketUrl(config));
        return URI.create(bucketRoot + Urls.encodePath(config.bucketPrefix()));
    }

    private static String bucketUrl(S3Config config) {
        String bucket = config.bucketName();
        // Virtual-host names of buckets with dots break TLS certificates: path style for those.
        if (config.endpointUrl().isEmpty()) {
            return config.pathStyle() || bucket.contains(".")
                    ? "https://s3." + config.region() + ".amazonaws.com/" + bucket + "/"
                    : "https://" + bucket + ".s3." + config.region() + ".amazonaws.com/";
        }
        URI endpoint = config.endpointUrl().get();
        if (config.pathStyle() || (bucket.contains(".") && endpoint.getScheme().equalsIgnoreCase("https"))) {
            return endpoint + "/" + bucket + "/";
        }
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        return endpoint.getScheme() + "://" + bucket + "." + endpoint.getRawAuthority() + path + "/";
    }
}
