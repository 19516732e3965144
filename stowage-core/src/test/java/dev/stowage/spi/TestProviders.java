package dev.stowage.spi;

import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.layer.ForwardingStorageBackend;
import dev.stowage.memory.MemoryBackend;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Providers registered for the core's tests only: one that breaks, two that claim one scheme, one that fails at first. */
public final class TestProviders {
    private TestProviders() {
    }

    /** Fails to open with an exception that is not a StorageException, as a buggy module might. */
    public static final class Broken implements BackendProvider {
        @Override
        public String scheme() {
            return "broken";
        }

        @Override
        public String description() {
            return "always fails";
        }

        @Override
        public StorageBackend open(BackendUri uri) {
            throw new IllegalStateException("bug in the provider");
        }
    }

    /** Both twins claim the scheme "twin"; neither may ever be chosen. */
    private abstract static class Twin implements BackendProvider {
        @Override
        public String scheme() {
            return "twin";
        }

        @Override
        public String description() {
            return getClass().getSimpleName();
        }

        @Override
        public StorageBackend open(BackendUri uri) {
            throw new AssertionError("must not be chosen");
        }
    }

    /** First of two providers of the scheme "twin". */
    public static final class TwinA extends Twin {
    }

    /** Second of two providers of the scheme "twin". */
    public static final class TwinB extends Twin {
    }

    /** {@code flaky:?fail_first=N}: a memory backend whose first N operations fail with UNAVAILABLE. */
    public static final class Flaky implements BackendProvider {
        @Override
        public String scheme() {
            return "flaky";
        }

        @Override
        public String description() {
            return "fails its first operations";
        }

        @Override
        public StorageBackend open(BackendUri uri) {
            uri.requireKnownSettings(Set.of("fail_first"));
            AtomicInteger failures = new AtomicInteger(uri.longSetting("fail_first", 0, 100).orElse(0L).intValue());
            return new ForwardingStorageBackend(MemoryBackend.create()) {
                private <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> real) {
                    if (failures.getAndDecrement() > 0) {
                        return CompletableFuture.failedFuture(
                                StorageException.builder(ErrorKind.UNAVAILABLE, "injected").backend("flaky").build());
                    }
                    return real.get();
                }

                @Override
                public CompletableFuture<URI> uploadFile(Path source, String key, UploadOptions options) {
                    return call(() -> super.uploadFile(source, key, options));
                }

                @Override
                public CompletableFuture<Void> deleteFile(String key) {
                    return call(() -> super.deleteFile(key));
                }

                @Override
                public CompletableFuture<Optional<ObjectInfo>> stat(String key) {
                    return call(() -> super.stat(key));
                }
            };
        }
    }
}
