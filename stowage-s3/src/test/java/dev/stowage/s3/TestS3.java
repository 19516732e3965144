package dev.stowage.s3;

import dev.stowage.testkit.S3TestServer;

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

    /** A configuration for a fresh, empty bucket, with the generic preset. */
    static S3Config.Builder freshBucket() {
        return config(S3Preset.GENERIC, server().createBucket());
    }
}
