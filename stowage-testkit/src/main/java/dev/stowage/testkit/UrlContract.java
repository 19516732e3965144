package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link dev.stowage.StorageBackend#getUrl}: computed without I/O, naming exactly the key, or
 * throwing {@code INVALID_KEY} at once. URLs of stored keys are checked with the odd keys of
 * {@link KeysContract}.
 */
abstract class UrlContract extends ContractGroup {
    UrlContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void getUrl_keyNeverUploaded_namesKeyAndStoresNothing() throws Exception {
        Set<String> before = storedNames();

        URI url = backend().getUrl("never/uploaded file.txt");

        assertUrlNamesKey(url, "never/uploaded file.txt");
        assertThat(storedNames()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.stowage.testkit.KeysContract#invalidKeys")
    void getUrl_invalidKey_throwsInvalidKeyAtOnce(String label, String key, List<String> nearby) {
        Throwable thrown = catchThrowable(() -> backend().getUrl(key));

        assertThat(thrown).isInstanceOf(StorageException.class);
        StorageException e = (StorageException) thrown;
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.INVALID_KEY);
        assertThat(e.key()).isEqualTo(key);
        StorageBackendContract.assertOneLine(e.getMessage());
    }
}
