package dev.stowage.local;

/**
 * The contract for LocalBackend as configured by default: the files belong to someone else, and
 * delete succeeds and leaves them. Read back, listed and waited for as {@link LocalBackendContractTest} does.
 */
class LocalBackendNotOwningContractTest extends LocalBackendContractTest {
    @Override
    boolean ownsFiles() {
        return false;
    }
}
