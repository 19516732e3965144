package dev.stowage.memory;

import dev.stowage.StorageBackend;
import dev.stowage.testkit.StorageBackendContract;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/** {@link MemoryBackend} against the backend contract; it keeps keys as an object store does. */
class MemoryBackendContractTest extends StorageBackendContract {
    private MemoryBackend memory;

    @Override
    protected StorageBackend createBackend() {
        memory = MemoryBackend.builder().name("contract").baseUrl("https://cdn.example.com/files").build();
        return memory;
    }

    @Override
    protected Optional<StorageBackend> createBackendOn(Executor executor) {
        memory = MemoryBackend.builder().name("contract-on-executor").executor(executor).build();
        return Optional.of(memory);
    }

    @Override
    protected Optional<byte[]> readObject(String key) {
        return memory.content(key);
    }

    @Override
    protected Set<String> storedNames() {
        return Set.copyOf(memory.keys());
    }
}
