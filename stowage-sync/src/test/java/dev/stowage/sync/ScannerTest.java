package dev.stowage.sync;

import static dev.stowage.sync.Trees.age;
import static dev.stowage.sync.Trees.sha256;
import static dev.stowage.sync.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.Keys;
import dev.stowage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScannerTest {
    @TempDir
    Path root;
    @TempDir
    Path stateDir;
    StateStore state;

    @BeforeEach
    void openState() {
        state = StateStore.open(stateDir.resolve("state.db"));
    }

    @AfterEach
    void closeState() {
        state.close();
    }

    private ScanReport scan() {
        return scan(ScanOptions.defaults());
    }

    private ScanReport scan(ScanOptions options) {
        return new Scanner(root, options).scan(state);
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        try (RowCursor<HashedFile> rows = state.filesInKeyOrder()) {
            rows.forEachRemaining(r -> keys.add(r.state().key()));
        }
        return keys;
    }

    @Test
    void scan_recordsEveryRegularFile_withKeySizeAndSha256() {
        write(root, "index.html", "<h1>hi</h1>");
        write(root, "img/a b.png", "png");
        write(root, "empty.txt", "");
        write(root, "deep/1/2/3/4/5/6/7/8/9/leaf.txt", "leaf");

        ScanReport report = scan();

        assertThat(keys()).containsExactly("deep/1/2/3/4/5/6/7/8/9/leaf.txt", "empty.txt", "img/a b.png", "index.html");
        assertThat(state.file("img/a b.png")).get().satisfies(f -> {
            assertThat(f.size()).isEqualTo(3);
            assertThat(f.sha256()).isEqualTo(sha256("png"));
        });
        assertThat(state.file("empty.txt").orElseThrow().sha256()).isEqualTo(sha256(""));
        assertThat(report.files()).isEqualTo(4);
        assertThat(report.bytes()).isEqualTo(11 + 3 + 0 + 4);
        assertThat(report.hashedFiles()).isEqualTo(4);
        assertThat(report.problems()).isEmpty();
        Snapshot snapshot = state.snapshot();
        List<String> seen = new ArrayList<>();
        snapshot.forEach(f -> seen.add(f.key()));
        assertThat(seen).isEqualTo(keys());
        assertThat(snapshot.files()).isEqualTo(4);
        assertThat(snapshot.bytes()).isEqualTo(18);
        assertThat(snapshot.get("index.html")).get().extracting(FileState::sha256).isEqualTo(sha256("<h1>hi</h1>"));
        assertThat(snapshot.get("nope")).isEmpty();
    }

    @Test
    void rescan_ofAnUnchangedTree_readsNoContent() {
        for (int i = 0; i < 300; i++) {
            write(root, "d" + (i % 7) + "/f" + i + ".txt", "content " + i);
        }
        // Names whose order differs between UTF-16 and UTF-8, and '-' and '.' that sort before '/':
        // the walk must meet the state's rows in the state's order, or it would hash them again.
        for (String name : List.of("😀.txt", "\uFF21.txt", "\uE000.txt", "d1-x.txt", "d1.txt", "d1 y/z.txt",
                Normalizer.normalize("é/ü.txt", Normalizer.Form.NFD))) {
            write(root, name, name);
        }
        age(root);
        assertThat(scan().hashedBytes()).isPositive();

        ScanReport again = scan();

        assertThat(again.hashedBytes()).isZero();
        assertThat(again.hashedFiles()).isZero();
        assertThat(again.files()).isEqualTo(307);
        assertThat(again.removedFiles()).isZero();
    }

    @Test
    void rescan_hashesOnlyWhatChanged_andForgetsWhatIsGone() throws IOException {
        write(root, "a.txt", "one");
        write(root, "b.txt", "two");
        write(root, "c.txt", "three");
        age(root);
        scan();
        write(root, "b.txt", "TWO!");
        Files.setLastModifiedTime(root.resolve("b.txt"), FileTime.from(Instant.now().minusSeconds(60)));
        Files.delete(root.resolve("c.txt"));
        write(root, "d.txt", "four");

        ScanReport report = scan();

        assertThat(keys()).containsExactly("a.txt", "b.txt", "d.txt");
        assertThat(state.file("b.txt").orElseThrow().sha256()).isEqualTo(sha256("TWO!"));
        assertThat(report.hashedFiles()).isEqualTo(2);
        assertThat(report.hashedBytes()).isEqualTo(4 + 4);
        assertThat(report.removedFiles()).isEqualTo(1);
    }

    @Test
    void rescan_sameSizeAndMtime_butNewInode_hashesAgain() throws IOException {
        write(root, "a.txt", "one");
        age(root);
        scan();
        FileTime mtime = Files.getLastModifiedTime(root.resolve("a.txt"));
        Path replacement = write(root, "tmp-new", "ONE");
        Files.setLastModifiedTime(replacement, mtime);
        Files.move(replacement, root.resolve("a.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        scan();

        assertThat(state.file("a.txt").orElseThrow().sha256()).isEqualTo(sha256("ONE"));
    }

    @Test
    void fileModifiedJustBeforeItsScan_isHashedAgainNextTime() {
        write(root, "fresh.txt", "new");
        scan();

        ScanReport again = scan();

        assertThat(again.hashedFiles()).as("a file as new as its scan may change within the mtime's granularity")
                .isEqualTo(1);
    }

    @Test
    void keys_areNfc_andInUtf8ByteOrder_whateverTheNamesOnDisk() {
        String nfd = Normalizer.normalize("café.txt", Normalizer.Form.NFD);
        write(root, nfd, "nfd");
        write(root, "a-c.txt", "1");
        write(root, "a/b.txt", "2");
        write(root, "a.txt", "3");
        write(root, "😀/x.txt", "4");
        write(root, "\uFF21.txt", "5");
        write(root, "space name #1 %41.txt", "6");

        scan();

        List<String> keys = keys();
        assertThat(keys).contains("café.txt").doesNotContain(nfd);
        assertThat(keys).isSortedAccordingTo(Keys.ORDER).hasSize(7);
        assertThat(keys).containsSubsequence("a-c.txt", "a.txt", "a/b.txt");
        assertThat(state.scanned("café.txt").orElseThrow().source()).isEqualTo(nfd);
        assertThat(state.scanned("a.txt").orElseThrow().source()).isNull();
    }

    @Test
    void nfcTwinOfANameNotInNfc_isSkipped_theOriginalIsScanned() {
        String nfd = Normalizer.normalize("é.txt", Normalizer.Form.NFD);
        write(root, nfd, "original");
        write(root, "é.txt", "copy");

        ScanReport report = scan();

        assertThat(keys()).containsExactly("é.txt");
        assertThat(state.file("é.txt").orElseThrow().sha256()).isEqualTo(sha256("original"));
        assertThat(report.problems()).isEmpty();
    }

    @Test
    void exclusions_hiddenFiles_stateFolder_andTempFiles_areLeftOut() throws IOException {
        write(root, "keep.txt", "k");
        write(root, "a/b/notes.tmp", "t");
        write(root, "top.tmp", "t");
        write(root, "drafts/x.html", "d");
        write(root, ".hidden", "h");
        write(root, ".git/config", "h");
        write(root, "sub/.env", "h");
        write(root, ".stowage/state.db-other", "s");
        write(root, ".stowage-123.tmp", "temp");
        Files.createDirectories(root.resolve("sub/.stowage-456.tmp"));

        scan(ScanOptions.builder().exclude("*.tmp").exclude("drafts/**").build());

        assertThat(keys()).containsExactly("keep.txt");
    }

    @Test
    void includeHidden_takesDotFiles_butNeverTheStateFolderOrTempFiles() {
        write(root, ".well-known/security.txt", "s");
        write(root, ".stowage/state.db", "s");
        write(root, ".stowage-1.tmp", "temp");

        scan(ScanOptions.builder().includeHidden(true).stateFolder(root.resolve(".stowage")).build());

        assertThat(keys()).containsExactly(".well-known/security.txt");
    }

    @Test
    void staleTempFilesAndFolders_areSwept_freshOnesLeft() throws IOException {
        Path stale = write(root, ".stowage-old.tmp", "x");
        Path staleFolder = write(root, "a/.stowage-dir.tmp/inner", "y").getParent();
        Path fresh = write(root, ".stowage-new.tmp", "z");
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(staleFolder, old);

        ScanReport report = scan();

        assertThat(stale).doesNotExist();
        assertThat(staleFolder).doesNotExist();
        assertThat(fresh).exists();
        assertThat(report.sweptTemps()).isEqualTo(2);
    }

    @Test
    void namesThatMakeNoValidKey_areReported_andTheRestScanned() {
        write(root, "back\\slash.txt", "b");
        write(root, "ctrl\u0001.txt", "c");
        write(root, "fine.txt", "f");

        ScanReport report = scan();

        assertThat(keys()).containsExactly("fine.txt");
        assertThat(report.problemCount()).isEqualTo(2);
        assertThat(report.problems()).allSatisfy(p -> assertThat(p.reason()).startsWith("name makes no valid key"));
        assertThat(report.problems()).extracting(p -> p.path().getFileName().toString())
                .containsExactlyInAnyOrder("back\\slash.txt", "ctrl\u0001.txt");
    }

    @Test
    void links_areNotFollowedByDefault() throws IOException {
        write(root, "real/a.txt", "a");
        Files.createSymbolicLink(root.resolve("link-to-real"), root.resolve("real"));
        Files.createSymbolicLink(root.resolve("file-link.txt"), root.resolve("real/a.txt"));

        scan();

        assertThat(keys()).containsExactly("real/a.txt");
    }

    @Test
    void followedLinks_neverLeaveTheRoot_andLoopsEnd(@TempDir Path outside) throws IOException {
        write(outside, "secret.txt", "secret");
        write(root, "real/a.txt", "a");
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
        Files.createSymbolicLink(root.resolve("real/loop"), root);
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.createSymbolicLink(root.resolve("out.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), root.resolve("nothing-here"));

        ScanReport report = scan(ScanOptions.builder().followLinks(true).build());

        assertThat(keys()).containsExactly("alias/a.txt", "real/a.txt");
        assertThat(report.problems()).extracting(ScanProblem::reason)
                .anySatisfy(r -> assertThat(r).startsWith("links back to a folder being walked"))
                .anySatisfy(r -> assertThat(r).startsWith("links outside the folder"))
                .anySatisfy(r -> assertThat(r).startsWith("link to nothing"));
        assertThat(report.hashedBytes()).as("only the two names of a.txt were read").isEqualTo(2);
    }

    @Test
    void fileReplacedByALinkAfterItsScan_isNotReadThroughTheLink(@TempDir Path outside) throws IOException {
        write(outside, "secret.txt", "secret");
        write(root, "a.txt", "a");
        age(root);
        scan();
        Files.delete(root.resolve("a.txt"));
        Files.createSymbolicLink(root.resolve("a.txt"), outside.resolve("secret.txt"));

        scan();

        assertThat(keys()).isEmpty();
    }

    @Test
    void scan_ofAFolderThatIsGone_failsNamingIt() {
        Path missing = root.resolve("nope");

        assertThatThrownBy(() -> new Scanner(missing, ScanOptions.defaults()).scan(state))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("INVALID_CONFIG")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void thousandsOfFiles_onSeveralThreads_allHashedRight() {
        for (int i = 0; i < 3000; i++) {
            write(root, "f/" + (i % 50) + "/" + i + ".bin", "file number " + i);
        }

        ScanReport report = scan(ScanOptions.builder().hashThreads(4).build());

        assertThat(report.files()).isEqualTo(3000);
        assertThat(keys()).isSortedAccordingTo(Keys.ORDER);
        assertThat(state.file("f/7/1257.bin").orElseThrow().sha256()).isEqualTo(sha256("file number 1257"));
    }

    @Test
    void badExcludePattern_failsNamingIt() {
        assertThatThrownBy(() -> ScanOptions.builder().exclude("a[bc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a[bc");
    }
}
