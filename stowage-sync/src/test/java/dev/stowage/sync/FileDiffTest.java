package dev.stowage.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDiffTest {
    private static final String SHA = "a".repeat(64);

    @TempDir
    Path dir;

    @Test
    void aPageIsDealtOutAcrossItsFolders_inKeyOrderWithinEach() {
        List<Change> page = changes("a/1", "a/2", "a/3", "b/1", "c/1", "c/2", "top");

        assertThat(FileDiff.spread(page)).extracting(Change::key)
                .containsExactly("a/1", "b/1", "c/1", "top", "a/2", "c/2", "a/3");
    }

    @Test
    void spreadUploads_areEveryUpload_onceEach_pageByPage() {
        List<HashedFile> files = new ArrayList<>();
        for (int i = 0; i < StateStore.PAGE * 2 + 17; i++) {
            String key = String.format("d%02d/f%04d", i / 100, i % 100);
            files.add(new HashedFile(new FileState(key, 1, 1, i, 1, SHA), null, 0));
        }
        try (StateStore state = StateStore.open(dir.resolve("state.db"))) {
            state.putFiles(files);
            FileDiff diff = state.diff();
            List<String> inKeyOrder = new ArrayList<>();
            List<String> spread = new ArrayList<>();

            diff.forEachUpload(c -> inKeyOrder.add(c.key()));
            diff.forEachUploadSpread(c -> spread.add(c.key()));

            assertThat(spread).hasSameSizeAs(inKeyOrder).containsExactlyInAnyOrderElementsOf(inKeyOrder);
            assertThat(spread.subList(0, 10)).as("ten folders in a page of 1000")
                    .containsExactly("d00/f0000", "d01/f0000", "d02/f0000", "d03/f0000", "d04/f0000",
                            "d05/f0000", "d06/f0000", "d07/f0000", "d08/f0000", "d09/f0000");
            assertThat(spread.subList(0, StateStore.PAGE)).as("the first page, then the next")
                    .containsExactlyInAnyOrderElementsOf(inKeyOrder.subList(0, StateStore.PAGE));
        }
    }

    private static List<Change> changes(String... keys) {
        List<Change> changes = new ArrayList<>();
        for (String key : keys) {
            changes.add(new Change(key, 1, SHA, true));
        }
        return changes;
    }
}
