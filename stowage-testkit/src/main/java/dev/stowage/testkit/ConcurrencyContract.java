package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many uploads at once: to distinct keys, all stored intact; to one key, one whole content wins. */
abstract class ConcurrencyContract extends ContractGroup {
    ConcurrencyContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void uploadFile_300ParallelUploadsToDistinctKeys_allStoredIntact() throws Exception {
        int count = 300;
        List<byte[]> contents = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] content = utf8(("object " + i + ";").repeat(1 + i % 17));
            contents.add(content);
            files.add(source(content));
        }

        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            uploads.add(backend().uploadFile(files.get(i), parallelKey(i)));
        }
        CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).get(AWAIT.toSeconds(), TimeUnit.SECONDS);

        for (int i = 0; i < count; i++) {
            assertThat(uploads.get(i).join()).as("URL of %s", parallelKey(i)).isEqualTo(backend().getUrl(parallelKey(i)));
            assertStored(parallelKey(i), contents.get(i));
        }
    }

    /** Keys that share a few folders, so that concurrent uploads also race to create them. */
    private static String parallelKey(int i) {
        return "parallel/" + (i % 10) + "/" + (i % 3) + "/object-" + i + ".txt";
    }

    @Test
    void uploadFile_50ParallelUploadsToSameKey_endWithOneWholeContent() throws Exception {
        int count = 50;
        String key = "contended/object.bin";
        List<Path> files = new ArrayList<>();
        Set<String> whole = new HashSet<>();
        for (int i = 0; i < count; i++) {
            // Each writer's bytes are all its own index, and its size its own: a mix, or a longer
            // content overwritten in place by a shorter one, is no whole content.
            byte[] content = new byte[(count - i) * 16 * 1024];
            Arrays.fill(content, (byte) i);
            files.add(source(content));
            whole.add(sha256(content));
        }

        List<CompletableFuture<URI>> uploads = new ArrayList<>();
        for (Path file : files) {
            uploads.add(backend().uploadFile(file, key));
        }
        CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).get(AWAIT.toSeconds(), TimeUnit.SECONDS);

        assertStoredWholeOneOf(key, whole);
    }
}
