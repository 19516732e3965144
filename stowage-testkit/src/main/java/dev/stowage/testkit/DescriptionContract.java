package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.Capabilities;
import dev.stowage.StorageBackend;
import org.junit.jupiter.api.Test;

/**
 * What the backend says of itself, without I/O: {@link StorageBackend#unwrap},
 * {@link StorageBackend#isRemote()} and {@link StorageBackend#capabilities()}, the same every time,
 * closed or not. The other groups hold the backend to what these answers claim.
 */
abstract class DescriptionContract extends ContractGroup {
    DescriptionContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void unwrap_ownTypeGivesTheBackend_otherTypeGivesNothing() {
        assertThat(backend().unwrap(StorageBackend.class)).containsSame(backend());
        assertThat(backend().unwrap(String.class)).isEmpty();
    }

    @Test
    void isRemoteAndCapabilities_sameAnswerEveryTime_closedOrNot() {
        boolean remote = backend().isRemote();
        Capabilities capabilities = backend().capabilities();

        assertThat(capabilities).as("capabilities()").isNotNull().isEqualTo(backend().capabilities());
        assertThat(backend().isRemote()).as("isRemote(), asked again").isEqualTo(remote);
        backend().close();
        assertThat(backend().capabilities()).as("capabilities() after close").isEqualTo(capabilities);
        assertThat(backend().isRemote()).as("isRemote() after close").isEqualTo(remote);
    }
}
