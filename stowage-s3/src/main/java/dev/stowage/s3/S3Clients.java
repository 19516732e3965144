package dev.stowage.s3;

import dev.stowage.internal.NamedThreadFactory;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Builds the SDK client and presigner an {@link S3Backend} uses, from its configuration. */
final class S3Clients {
    private static SdkEventLoopGroup eventLoops;

    private S3Clients() {
    }

    /**
     * One set of Netty event loops for every backend in the JVM: they only move bytes between
     * sockets and the SDK, so a few threads serve any number of clients. Closing a client then only
     * closes its connections, and does not wait seconds for its own event loops to wind down.
     */
    private static synchronized SdkEventLoopGroup eventLoops() {
        if (eventLoops == null) {
            eventLoops = SdkEventLoopGroup.builder()
                    .numberOfThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                    .threadFactory(new NamedThreadFactory("stowage-s3-netty"))
                    .build();
        }
        return eventLoops;
    }

    /** The credentials of the configuration, or the AWS chain (with its profile) when it has none. */
    static AwsCredentialsProvider credentials(S3Config config) {
        if (config.hasStaticCredentials()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    config.accessKeyId().orElseThrow(), config.secretAccessKey().orElseThrow()));
        }
        // Refreshes of expiring credentials (instance roles, STS) happen in the background.
        DefaultCredentialsProvider.Builder chain = DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true);
        config.profile().ifPresent(chain::profileName);
        return chain.build();
    }

    static S3AsyncClient client(S3Config config, AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors) {
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
                .eventLoopGroup(eventLoops())
                .maxConcurrency(config.maxConnections())
                .maxPendingConnectionAcquires(100_000)
                .connectionTimeout(config.connectTimeout())
                .readTimeout(config.socketTimeout())
                .writeTimeout(config.socketTimeout())
                // Requests wait their turn for a connection; call_timeout bounds the whole wait.
                .connectionAcquisitionTimeout(config.callTimeout())
                .tcpKeepAlive(true);
        // Built in one go: a second overrideConfiguration(...) call would replace this one.
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .apiCallTimeout(config.callTimeout())
                .apiCallAttemptTimeout(config.requestTimeout())
                // One retry policy, Stowage's RetryLayer: the SDK's own retries would multiply with it.
                .retryStrategy(AwsRetryStrategy.doNotRetry());
        interceptors.forEach(override::addExecutionInterceptor);
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(serviceConfiguration(config))
                .requestChecksumCalculation(config.sdkChecksums()
                        ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(config.sdkChecksums()
                        ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(http)
                .overrideConfiguration(override.build());
        config.endpointUrl().ifPresent(builder::endpointOverride);
        if (!config.sdkChecksums()) {
            // DeleteObjects needs a checksum; stores that predate CRC checksums (MinIO before 2025,
            // Ceph) want Content-MD5 there.
            builder.addPlugin(LegacyMd5Plugin.create());
        }
        return builder.build();
    }

    static S3Presigner presigner(S3Config config, AwsCredentialsProvider credentials) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(serviceConfiguration(config));
        config.endpointUrl().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static S3Configuration serviceConfiguration(S3Config config) {
        return S3Configuration.builder()
                .pathStyleAccessEnabled(config.pathStyle())
                .expectContinueEnabled(config.expectContinue())
                .build();
    }
}
