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

    /** First of two providers of the scheme "twin". */
    public static final class TwinA implements BackendProvider {
        @Override
        public String scheme() {
            return "twin";
        }

        @Override
        public String description() {
            return "twin a";
        }

        @Override
        public StorageBackend open(BackendUri uri) {
            throw new AssertionError("must not be chosen");
        }
    }

    /** Second of two providers of the scheme "twin". */
    public static final class TwinB implements BackendProvider {
        @Override
        public String scheme() {
            return "twin";
        }

        @Override
        public String description() {
            return "twin b";
        }

        @Override
        public StorageBackend open(BackendUri uri) {
            throw new AssertionError("must not be chosen");
        }
    }
}
