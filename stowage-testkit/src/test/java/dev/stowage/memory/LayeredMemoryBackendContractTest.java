package dev.stowage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.StorageBackend;
import dev.stowage.layer.ListenerLayer;
import dev.stowage.layer.LoggingLayer;
import dev.stowage.layer.LoggingListener;
import dev.stowage.layer.RetryLayer;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.layer.StorageListener;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The README's stack, retry innermost, a listener in the middle and logging outermost, around a
 * {@link MemoryBackend}: layers must keep every promise of the contract, listings and batch
 * deletes included.
 */
class LayeredMemoryBackendContractTest extends MemoryBackendContractTest {
    @Override
    protected StorageBackend createBackend() {
        return layered(super.createBackend());
    }

    @Override
    protected Optional<StorageBackend> createBackendOn(Executor executor) {
        return super.createBackendOn(executor).map(LayeredMemoryBackendContractTest::layered);
    }

    private static StorageBackend layered(StorageBackend backend) {
        return backend.with(new RetryLayer(RetryPolicy.defaults(), new LoggingListener()))
                .with(new ListenerLayer(new StorageListener() {
                }))
                .with(new LoggingLayer());
    }

    @Test
    void unwrap_throughEveryLayer_findsTheMemoryBackend() {
        assertThat(backend().unwrap(MemoryBackend.class)).isPresent().get().isNotSameAs(backend());
    }
}
