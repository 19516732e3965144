package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.stowage.StorageBackend#deleteFiles}: each key's outcome as data; the objects removed
 * if the backend claims {@link dev.stowage.Capabilities#deletes()}, else left.
 */
abstract class BatchDeleteContract extends ContractGroup {
    BatchDeleteContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void deleteFiles_storedMissingRepeatedAndInvalidKeys_reportsEachOnce() throws Exception {
        for (String key : List.of("d/1.txt", "d/2.txt", "keep.txt")) {
            await(backend().uploadFile(source(utf8(key)), key));
        }

        DeleteResult result = await(backend().deleteFiles(List.of("d/2.txt", "d/1.txt", "never.txt", "d/2.txt", "../bad")));

        assertThat(result.deleted()).containsExactly("d/2.txt", "d/1.txt", "never.txt");
        assertThat(result.failed()).containsOnlyKeys("../bad");
        StorageException bad = result.failed().get("../bad");
        assertThat(bad.kind()).isEqualTo(ErrorKind.INVALID_KEY);
        assertThat(bad.key()).isEqualTo("../bad");
        assertThat(result.isComplete()).isFalse();
        if (claims().deletes()) {
            assertThat(readObject("d/1.txt")).isEmpty();
            assertThat(readObject("d/2.txt")).isEmpty();
        } else {
            assertStored("d/1.txt", utf8("d/1.txt"));
            assertStored("d/2.txt", utf8("d/2.txt"));
        }
        assertStored("keep.txt", utf8("keep.txt"));
    }

    @Test
    void deleteFiles_manyKeys_deletesEveryOneIfClaimed_elseLeavesEveryOne() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            keys.add("many/" + i + ".txt");
        }
        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (String key : keys) {
            uploads.add(backend().uploadFile(source(utf8(key)), key));
        }
        for (CompletableFuture<URI> upload : uploads) {
            await(upload);
        }

        DeleteResult result = await(backend().deleteFiles(keys));

        assertThat(result.isComplete()).isTrue();
        assertThat(result.deleted()).containsExactlyElementsOf(keys);
        List<String> listed = Collections.synchronizedList(new ArrayList<>());
        await(backend().forEach("many/", info -> listed.add(info.key())));
        if (claims().deletes()) {
            assertThat(listed).as("listed after deleting them all").isEmpty();
        } else {
            assertThat(listed).as("listed after a delete that keeps files").containsExactlyInAnyOrderElementsOf(keys);
        }
    }

    @Test
    void deleteFiles_noKeys_isEmptyResult() throws Exception {
        DeleteResult result = await(backend().deleteFiles(List.of()));

        assertThat(result.deleted()).isEmpty();
        assertThat(result.isComplete()).isTrue();
    }
}
