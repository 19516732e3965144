package dev.stowage.s3;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import dev.stowage.internal.NamedThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.crt.CRT;
import software.amazon.awssdk.crt.CrtResource;
import software.amazon.awssdk.crt.CrtRuntimeException;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.DelegatingS3AsyncClient;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.AttributeMap;

/** Builds the SDK client and presigner an {@link S3Backend} uses, from its configuration. */
final class S3Clients {
    /**
     * Event loops of a client's own (Netty's or the CRT's): they move bytes between sockets and the
     * SDK (and encrypt them for TLS), so a few serve any number of connections.
     */
    private static final int EVENT_LOOP_THREADS = Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));
    /** Whether a CRT client was asked for in this JVM, so that its library is loaded. */
    private static final AtomicBoolean CRT_LOADED = new AtomicBoolean();
    /** The name the CRT client gives itself, for the SDK's metrics and user agent. */
    private static final String CRT_CLIENT_NAME = "AwsCommonRuntime";
    /** The shortest stall the CRT client watches for, in seconds. */
    private static final long CRT_MIN_STALL_SECONDS = 2;
    /** How long closing a client waits for its own event loops to end; they end at once when idle. */
    private static final long EVENT_LOOPS_CLOSE_MILLIS = 5_000;

    private S3Clients() {
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

    /** A client with event loops of its own, which closing it stops, and the SDK's own scheduler. */
    static S3AsyncClient client(S3Config config, AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors) {
        return client(config, credentials, interceptors, null, null, http -> { });
    }

    /**
     * A client for the configuration.
     *
     * @param eventLoops the caller's Netty event loops, which closing the client leaves running; null
     *                   for a few of the client's own, which closing it stops. Only for {@code http_client=netty}.
     * @param scheduler  where the SDK times calls out, never shut down by the client; null for the SDK's own
     * @param httpBuilt  told the HTTP client the SDK builds for the client, which the client owns and closes
     * @throws StorageException {@code INVALID_CONFIG} when event loops are given for another client
     */
    static S3AsyncClient client(S3Config config, AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors,
                                SdkEventLoopGroup eventLoops, ScheduledExecutorService scheduler,
                                Consumer<SdkAsyncHttpClient> httpBuilt) {
        if (config.httpClient() == S3HttpClient.CRT) {
            if (eventLoops != null) {
                throw StorageException.invalidConfig("Netty event loops were given, but http_client is crt, which has its own:"
                        + " set http_client=netty to use them");
            }
            try {
                // Its native library is loaded now, so that a platform or a folder that cannot
                // have it fails the opening; the client itself is built at the first request.
                CRT.awsLastError();
                CRT_LOADED.set(true);
                return build(config, credentials, interceptors,
                        told(LazyHttpClient.around(crt(config), CRT_CLIENT_NAME), httpBuilt), scheduler);
            } catch (LinkageError | CrtRuntimeException e) {
                throw StorageException.builder(ErrorKind.INVALID_CONFIG, "the CRT HTTP client cannot load its native library ("
                        + e + "): set http_client=netty, or the system property aws.crt.lib.dir to a folder"
                        + " where a library may be written and loaded").retryable(false).build();
            }
        }
        // Given to the SDK as one of the caller's (eventLoopGroup, not eventLoopGroupBuilder): the
        // SDK then never shuts it down, where closing a client whose group it built waits two
        // seconds of quiet for the group to end. Our own is stopped without that wait.
        SdkEventLoopGroup loops = eventLoops != null ? eventLoops : SdkEventLoopGroup.builder()
                .numberOfThreads(EVENT_LOOP_THREADS)
                .threadFactory(new NamedThreadFactory("stowage-s3-netty"))
                .build();
        try {
            S3AsyncClient client = build(config, credentials, interceptors, told(netty(config, loops), httpBuilt), scheduler);
            return eventLoops != null ? client : new WithOwnEventLoops(client, loops);
        } catch (RuntimeException e) {
            if (eventLoops == null) {
                stop(loops);
            }
            throw e;
        }
    }

    /**
     * The CRT client, with event loops of its own ({@link #EVENT_LOOP_THREADS}), which closing it
     * stops. A connection that moves no byte for {@code socket_timeout} while a request uses it is
     * dropped (its throughput falls under 1 byte a second for that long); the CRT counts that time
     * in whole seconds, two at least, so shorter or fractional timeouts are rounded up.
     */
    private static SdkAsyncHttpClient.Builder<?> crt(S3Config config) {
        return AwsCrtAsyncHttpClient.builder()
                .numEventLoopThreads(EVENT_LOOP_THREADS)
                .maxConcurrency(config.maxConnections())
                .connectionTimeout(config.connectTimeout())
                .connectionAcquisitionTimeout(config.callTimeout())
                .connectionHealthConfiguration(health -> health
                        .minimumThroughputInBps(1L)
                        .minimumThroughputTimeout(crtStallTimeout(config.socketTimeout())));
    }

    /** A builder of what {@code http} builds, which tells {@code built} of each client it builds. */
    private static SdkAsyncHttpClient.Builder<?> told(SdkAsyncHttpClient.Builder<?> http, Consumer<SdkAsyncHttpClient> built) {
        return new Told(http, built);
    }

    /** {@code socket_timeout} as the CRT takes it: whole seconds, two at least. */
    static Duration crtStallTimeout(Duration socketTimeout) {
        long seconds = socketTimeout.getSeconds() + (socketTimeout.getNano() > 0 ? 1 : 0);
        return Duration.ofSeconds(Math.max(CRT_MIN_STALL_SECONDS, seconds));
    }

    /**
     * The Netty client on the given event loops. Until a host has answered, a connection of our
     * own checks it can be reached first: the Netty client now and then loses the failure of its
     * first connection there.
     */
    private static SdkAsyncHttpClient.Builder<?> netty(S3Config config, SdkEventLoopGroup loops) {
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
                .eventLoopGroup(loops)
                .maxConcurrency(config.maxConnections())
                .maxPendingConnectionAcquires(100_000)
                .connectionTimeout(config.connectTimeout())
                .readTimeout(config.socketTimeout())
                .writeTimeout(config.socketTimeout())
                // Requests wait their turn for a connection, up to call_timeout; request_timeout, which
                // counts from the request's start, may end the wait first.
                .connectionAcquisitionTimeout(config.callTimeout())
                .tcpKeepAlive(true);
        return ProbingHttpClient.around(http, loops, config.connectTimeout());
    }

    private static S3AsyncClient build(S3Config config, AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors,
                                       SdkAsyncHttpClient.Builder<?> http, ScheduledExecutorService scheduler) {
        // Built in one go: a second overrideConfiguration(...) call would replace this one.
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .apiCallTimeout(config.callTimeout())
                .apiCallAttemptTimeout(config.requestTimeout())
                // One retry policy, Stowage's RetryLayer: the SDK's own retries would multiply with it.
                .retryStrategy(AwsRetryStrategy.doNotRetry());
        interceptors.forEach(override::addExecutionInterceptor);
        if (scheduler != null) {
            override.scheduledExecutorService(scheduler);
        }
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

    /**
     * Waits, up to {@code timeout}, until the CRT has let go of everything the closed clients held
     * (their event loops' native threads among it); at once if no CRT client was asked for.
     *
     * @return whether it had, in time
     */
    static boolean awaitCrtReleased(Duration timeout) throws InterruptedException {
        if (!CRT_LOADED.get()) {
            return true;
        }
        // The CRT's own wait has no bound shorter than a minute: it runs on a daemon thread of its own.
        Thread waiting = new Thread(() -> {
            try {
                CrtResource.waitForNoResources();
            } catch (RuntimeException e) {
                // Resources still held after the CRT's own minute: a client still open. Nothing to do.
            }
        }, "stowage-s3-crt-release");
        waiting.setDaemon(true);
        waiting.start();
        waiting.join(Math.max(1, timeout.toMillis()));
        return !waiting.isAlive();
    }

    static S3Presigner presigner(S3Config config, AwsCredentialsProvider credentials) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(serviceConfiguration(config));
        config.endpointUrl().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Stops event loops now that no connection of theirs is in use, waiting a little for their threads to end. */
    private static void stop(SdkEventLoopGroup loops) {
        loops.eventLoopGroup().shutdownGracefully(0, EVENT_LOOPS_CLOSE_MILLIS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(EVENT_LOOPS_CLOSE_MILLIS);
    }

    /** A client whose event loops are its own: closing it stops them, once its connections are closed. */
    private static final class WithOwnEventLoops extends DelegatingS3AsyncClient {
        private final SdkEventLoopGroup loops;

        WithOwnEventLoops(S3AsyncClient client, SdkEventLoopGroup loops) {
            super(client);
            this.loops = loops;
        }

        @Override
        public void close() {
            try {
                super.close();
            } finally {
                stop(loops);
            }
        }
    }

    private static final class Told implements SdkAsyncHttpClient.Builder<Told> {
        private final SdkAsyncHttpClient.Builder<?> http;
        private final Consumer<SdkAsyncHttpClient> built;

        Told(SdkAsyncHttpClient.Builder<?> http, Consumer<SdkAsyncHttpClient> built) {
            this.http = http;
            this.built = built;
        }

        @Override
        public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            SdkAsyncHttpClient client = http.buildWithDefaults(serviceDefaults);
            built.accept(client);
            return client;
        }
    }

    private static S3Configuration serviceConfiguration(S3Config config) {
        return S3Configuration.builder()
                .pathStyleAccessEnabled(config.pathStyle())
                .expectContinueEnabled(config.expectContinue())
                .build();
    }
}
