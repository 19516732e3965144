package dev.stowage.spi;

import dev.stowage.StorageBackend;

/** Providers registered for the core's tests only: one that breaks, two that claim one scheme. */
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
}
