package dev.stowage.s3;

import java.util.Locale;
import java.util.Optional;

/**
 * The HTTP client an {@link S3Backend} sends its requests with ({@code http_client}).
 */
public enum S3HttpClient {
    /**
     * The AWS Common Runtime's client (native code, bundled for Linux, macOS and Windows): about a
     * third less CPU per request than Netty, which counts most for many small files. Its library is unpacked into {@code java.io.tmpdir} (or {@code aws.crt.lib.dir}) on
     * first use, which must allow running it.
     */
    CRT,
    /** The SDK's Netty client: pure Java, for platforms the native library does not cover. */
    NETTY;

    /** The name used in settings: {@code crt}, {@code netty}. */
    public String settingName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The client a setting names, in any case; empty for an unknown name. */
    public static Optional<S3HttpClient> named(String name) {
        for (S3HttpClient client : values()) {
            if (client.settingName().equalsIgnoreCase(name.trim())) {
                return Optional.of(client);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return settingName();
    }
}
