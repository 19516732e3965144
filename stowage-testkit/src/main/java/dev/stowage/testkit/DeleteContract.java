package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.stowage.StorageBackend#deleteFile}: it removes the object if the backend claims
 * {@link dev.stowage.Capabilities#deletes()}, else it succeeds and leaves it; either way it touches
 * no other key, and deleting what holds nothing succeeds.
 */
abstract class DeleteContract extends ContractGroup {
    DeleteContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void deleteFile_storedKey_removesItIfClaimed_elseSucceedsAndLeavesIt() throws Exception {
        byte[] content = utf8("delete me");
        await(backend().uploadFile(source(content), "docs/delete-me.txt"));

        await(backend().deleteFile("docs/delete-me.txt"));

        if (claims().deletes()) {
            assertThat(await(backend().stat("docs/delete-me.txt"))).as("stat after delete").isEmpty();
            assertThat(readObject("docs/delete-me.txt")).as("stored after delete").isEmpty();
        } else {
            assertThat(await(backend().stat("docs/delete-me.txt"))).as("stat after a delete that keeps files").isPresent();
            assertStored("docs/delete-me.txt", content);
        }
    }

    @Test
    void deleteFile_storedKey_leavesKeysThatStartWithIt() throws Exception {
        for (String key : List.of("d/x", "d/x.bak", "d/xy", "d/w")) {
            await(backend().uploadFile(source(utf8(key)), key));
        }

        await(backend().deleteFile("d/x"));

        for (String key : List.of("d/x.bak", "d/xy", "d/w")) {
            assertStored(key, utf8(key));
        }
    }

    @Test
    void deleteFile_keyHoldingNothing_succeedsAndChangesNothing() throws Exception {
        await(backend().uploadFile(source(utf8("neighbour")), "nothing/neighbour.txt"));
        Set<String> before = storedNames();

        await(backend().deleteFile("nothing/here.txt"));
        await(backend().deleteFile("nothing/here.txt"));

        assertThat(storedNames()).isEqualTo(before);
    }

    @Test
    void deleteFile_keyThatIsOnlyAFolderOfOthers_succeedsAndKeepsThem() throws Exception {
        byte[] content = utf8("inside a folder");
        await(backend().uploadFile(source(content), "dir/sub/a.txt"));

        await(backend().deleteFile("dir/sub"));
        await(backend().deleteFile("dir"));

        assertStored("dir/sub/a.txt", content);
    }

    @Test
    void deleteFile_keyBelowAnExistingObject_succeedsAndKeepsTheObject() throws Exception {
        byte[] content = utf8("x");
        await(backend().uploadFile(source(content), "x"));

        await(backend().deleteFile("x/y"));

        assertStored("x", content);
    }
}
