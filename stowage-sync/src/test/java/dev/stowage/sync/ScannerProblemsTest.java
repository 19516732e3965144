package dev.stowage.sync;

import static dev.stowage.sync.Trees.age;
import static dev.stowage.sync.Trees.sha256;
import static dev.stowage.sync.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.stowage.testfs.HookedFileSystem;
import dev.stowage.testfs.HookedFileSystem.Call;
import dev.stowage.testfs.HookedFileSystem.Hook;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A messy folder never fails a scan: a file or folder that cannot be read, or that changes or
 * vanishes while read, is reported in the scan's problems, the rest of the tree is scanned, and
 * what the last scan knew of it is kept, so that a publish never unpublishes a file for a passing
 * problem. The tests run as root, where {@code chmod} makes nothing unreadable: the failures are
 * staged through {@link HookedFileSystem}, the folder seen through a wrapper that fails or changes
 * the disk at one chosen call.
 */
@Timeout(60)
class ScannerProblemsTest {
    @TempDir
    Path dir;
    @TempDir
    Path stateDir;
    final HookedFileSystem hooked = new HookedFileSystem();
    /** {@link #dir} on the hooked file system: what the scanner walks. */
    Path root;
    StateStore state;

    @BeforeEach
    void open() {
        root = hooked.wrap(dir);
        state = StateStore.open(stateDir.resolve("state.db"));
    }

    @AfterEach
    void close() {
        state.close();
    }

    private ScanReport scan() {
        return new Scanner(root, ScanOptions.builder().hashThreads(4).build()).scan(state);
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        try (RowCursor<HashedFile> rows = state.filesInKeyOrder()) {
            rows.forEachRemaining(r -> keys.add(r.state().key()));
        }
        return keys;
    }

    /** Records every file of the last scan as published, as a publish of it would. */
    private void publishAll() {
        List<FileState> files = new ArrayList<>();
        try (RowCursor<HashedFile> rows = state.filesInKeyOrder()) {
            rows.forEachRemaining(r -> files.add(r.state()));
        }
        for (FileState f : files) {
            state.recordPublished(new Change(f.key(), f.size(), f.sha256(), true),
                    URI.create("https://cdn.example/" + f.key()), 0);
        }
    }

    /** Writes new content to a scanned file, with an mtime old enough that the scan trusts it. */
    private void change(String relative, String content) throws IOException {
        write(dir, relative, content);
        Files.setLastModifiedTime(dir.resolve(relative), FileTime.from(Instant.now().minusSeconds(60)));
    }

    private Hook denyReading(String name) {
        return hooked.failing(Call.READ_FILE, name::equals, AccessDeniedException::new);
    }

    // ---------------------------------------------------------------- unreadable files

    @Test
    void unreadableNewFile_isReportedAndSkipped_theRestScanned() {
        write(dir, "a.txt", "a");
        write(dir, "secret.txt", "secret");
        write(dir, "z/b.txt", "b");
        Hook denied = denyReading("secret.txt");

        ScanReport report = scan();

        assertThat(denied.ran()).as("the scan tried to read secret.txt").isTrue();
        assertThat(keys()).containsExactly("a.txt", "z/b.txt");
        assertThat(report.files()).isEqualTo(2);
        assertThat(report.problemCount()).isEqualTo(1);
        assertThat(report.problems()).containsExactly(
                new ScanProblem(root.resolve("secret.txt"), "cannot read: permission denied; skipped"));
    }

    @Test
    void unreadableFileChangedSinceTheLastScan_keepsItsLastState_andIsNotUnpublished() throws IOException {
        write(dir, "a.txt", "version 1");
        write(dir, "b.txt", "b");
        age(dir);
        scan();
        publishAll();
        HashedFile before = state.scanned("a.txt").orElseThrow();
        change("a.txt", "version 2, longer");
        Hook denied = denyReading("a.txt");

        ScanReport report = scan();

        assertThat(denied.ran()).as("the scan tried to read a.txt").isTrue();
        assertThat(state.scanned("a.txt")).contains(before);
        assertThat(state.file("a.txt").orElseThrow().sha256()).isEqualTo(sha256("version 1"));
        assertThat(report.problems()).containsExactly(
                new ScanProblem(root.resolve("a.txt"), "cannot read: permission denied; keeps its last state"));
        assertThat(report.removedFiles()).isZero();
        FileDiff diff = state.diff();
        assertThat(diff.removed()).as("nothing to unpublish").isZero();
        assertThat(diff.modified()).as("nothing to upload").isZero();

        denied.remove();
        ScanReport readable = scan();

        assertThat(readable.problems()).isEmpty();
        assertThat(state.file("a.txt").orElseThrow().sha256()).isEqualTo(sha256("version 2, longer"));
    }

    @Test
    void fileWhoseAttributesCannotBeRead_keepsItsLastState() {
        write(dir, "d/x.txt", "x");
        write(dir, "d/y.txt", "y");
        age(dir);
        scan();
        HashedFile before = state.scanned("d/x.txt").orElseThrow();
        hooked.failing(Call.STAT, "x.txt"::equals, AccessDeniedException::new);

        ScanReport report = scan();

        assertThat(keys()).containsExactly("d/x.txt", "d/y.txt");
        assertThat(state.scanned("d/x.txt")).contains(before);
        assertThat(report.problems()).extracting(ScanProblem::path, ScanProblem::reason).containsExactly(
                tuple(root.resolve("d/x.txt"),
                        "cannot read its attributes: permission denied; kept as last seen"));
    }

    // ---------------------------------------------------------------- unreadable folders

    @Test
    void unlistableFolder_isReported_itsFilesKeepTheirState_siblingsScanned_removalsElsewhereRemoved() throws IOException {
        write(dir, "a-c.txt", "1");
        write(dir, "a/x.txt", "x");
        write(dir, "a/y/z.txt", "z");
        write(dir, "b.txt", "b");
        write(dir, "c/gone.txt", "gone");
        write(dir, "d.txt", "d");
        age(dir);
        scan();
        publishAll();
        HashedFile x = state.scanned("a/x.txt").orElseThrow();
        HashedFile z = state.scanned("a/y/z.txt").orElseThrow();
        Files.delete(dir.resolve("c/gone.txt"));
        change("b.txt", "b, changed");
        write(dir, "e.txt", "new");
        Hook denied = hooked.failing(Call.OPEN_FOLDER, "a"::equals, AccessDeniedException::new);

        ScanReport report = scan();

        assertThat(denied.ran()).as("the scan tried to list a").isTrue();
        assertThat(keys()).containsExactly("a-c.txt", "a/x.txt", "a/y/z.txt", "b.txt", "d.txt", "e.txt");
        assertThat(state.scanned("a/x.txt")).contains(x);
        assertThat(state.scanned("a/y/z.txt")).contains(z);
        assertThat(state.file("b.txt").orElseThrow().sha256()).isEqualTo(sha256("b, changed"));
        assertThat(report.removedFiles()).isEqualTo(1);
        assertThat(state.diff().removed()).as("only c/gone.txt to unpublish").isEqualTo(1);
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo(root.resolve("a"));
            assertThat(p.reason()).isEqualTo("cannot list the folder: permission denied; its files keep their last state");
        });
    }

    @Test
    void unlistableFolder_keepsItsFiles_whenAFileNamedLikeItBeforeTheSlashIsGone() throws IOException {
        // "a.txt" sorts between the folder's key "a" and its files "a/...": '.' comes before '/'.
        write(dir, "a.txt", "gone");
        write(dir, "a/x.txt", "x");
        write(dir, "b.txt", "b");
        age(dir);
        scan();
        Files.delete(dir.resolve("a.txt"));
        hooked.failing(Call.OPEN_FOLDER, "a"::equals, AccessDeniedException::new);

        ScanReport report = scan();

        assertThat(keys()).as("a/x.txt keeps its state; only a.txt is gone").containsExactly("a/x.txt", "b.txt");
        assertThat(report.removedFiles()).isEqualTo(1);
    }

    @Test
    void folderWhoseAttributesCannotBeRead_keepsItsFiles() {
        write(dir, "d/sub/x.txt", "x");
        write(dir, "d/y.txt", "y");
        age(dir);
        scan();
        hooked.failing(Call.STAT, "sub"::equals, AccessDeniedException::new);

        ScanReport report = scan();

        assertThat(report.problems()).extracting(ScanProblem::path).containsExactly(root.resolve("d/sub"));
        assertThat(keys()).as("what the last scan had under d/sub is kept").containsExactly("d/sub/x.txt", "d/y.txt");
        assertThat(report.removedFiles()).isZero();
    }

    // ---------------------------------------------------------------- files changing while read

    /** Rewrites {@code relative} with new content of a new size before every read of it. */
    private Hook rewriteBeforeEveryRead(String relative) {
        Path file = dir.resolve(relative);
        AtomicInteger writes = new AtomicInteger();
        return hooked.beforeEach(Call.READ_FILE, file.getFileName().toString()::equals,
                () -> Files.writeString(file, "write " + "#".repeat(writes.incrementAndGet())));
    }

    @Test
    void newFileRewrittenOnEveryRead_isReportedAfterThreeTries_andNotRecorded() {
        write(dir, "busy.log", "start");
        write(dir, "calm.txt", "calm");
        Hook rewrites = rewriteBeforeEveryRead("busy.log");

        ScanReport report = scan();

        assertThat(rewrites.runs()).as("reads of busy.log").isEqualTo(3);
        assertThat(keys()).containsExactly("calm.txt");
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo(root.resolve("busy.log"));
            assertThat(p.reason()).startsWith("kept changing while being read (3 tries)").contains("skipped");
        });
    }

    @Test
    void scannedFileRewrittenOnEveryRead_keepsItsLastState() throws IOException {
        write(dir, "busy.log", "start");
        age(dir);
        scan();
        HashedFile before = state.scanned("busy.log").orElseThrow();
        change("busy.log", "started again");
        Hook rewrites = rewriteBeforeEveryRead("busy.log");

        ScanReport report = scan();

        assertThat(rewrites.runs()).as("reads of busy.log").isEqualTo(3);
        assertThat(state.scanned("busy.log")).contains(before);
        assertThat(report.removedFiles()).isZero();
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo(root.resolve("busy.log"));
            assertThat(p.reason()).startsWith("kept changing while being read (3 tries)").contains("keeps its last state");
        });
    }

    @Test
    void fileRewrittenOnceWhileItsFirstReadIsUnderWay_isReadAgain_andTheNewContentRecorded() {
        write(dir, "once.txt", "before");
        Path file = dir.resolve("once.txt");
        // Once the first read has begun, the stat that checks it ends sees the file rewritten.
        Hook firstRead = hooked.before(Call.READ_FILE, "once.txt"::equals,
                () -> hooked.before(Call.STAT, "once.txt"::equals, () -> Files.writeString(file, "after, longer")));

        ScanReport report = scan();

        assertThat(firstRead.ran()).isTrue();
        assertThat(report.problems()).isEmpty();
        FileState recorded = state.file("once.txt").orElseThrow();
        assertThat(recorded.sha256()).isEqualTo(sha256("after, longer"));
        assertThat(recorded.size()).isEqualTo("after, longer".length());
        assertThat(report.hashedFiles()).isEqualTo(1);
        assertThat(report.hashedBytes()).as("read twice: before, then after").isEqualTo(
                "before".length() + "after, longer".length());
    }

    @Test
    void newFileDeletedJustBeforeItIsRead_isReportedAsVanished_andNotInTheSnapshot() {
        write(dir, "gone.txt", "gone");
        write(dir, "kept.txt", "kept");
        Hook delete = hooked.before(Call.READ_FILE, "gone.txt"::equals, () -> Files.delete(dir.resolve("gone.txt")));

        ScanReport report = scan();

        assertThat(delete.ran()).isTrue();
        assertThat(keys()).containsExactly("kept.txt");
        assertThat(report.problems()).containsExactly(new ScanProblem(root.resolve("gone.txt"), "vanished while being read"));
    }

    @Test
    void scannedFileDeletedJustBeforeItIsRead_isRemoved() throws IOException {
        write(dir, "gone.txt", "gone");
        write(dir, "kept.txt", "kept");
        age(dir);
        scan();
        change("gone.txt", "changed, then gone");
        Hook delete = hooked.before(Call.READ_FILE, "gone.txt"::equals, () -> Files.delete(dir.resolve("gone.txt")));

        ScanReport report = scan();

        assertThat(delete.ran()).isTrue();
        assertThat(keys()).containsExactly("kept.txt");
        assertThat(report.removedFiles()).isEqualTo(1);
        assertThat(report.problems()).containsExactly(new ScanProblem(root.resolve("gone.txt"), "vanished while being read"));
    }

    // ---------------------------------------------------------------- many problems

    @Test
    void problemsNeverStopTheScan_500FilesWith20UnreadableGive480RecordedAnd20Problems() {
        Set<String> unreadable = new HashSet<>();
        Set<Path> unreadablePaths = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            String relative = "d" + (i % 10) + "/f" + i + ".txt";
            write(dir, relative, "file " + i);
            if (i % 25 == 7) {
                unreadable.add("f" + i + ".txt");
                unreadablePaths.add(root.resolve(relative));
            }
        }
        Hook denied = hooked.failing(Call.READ_FILE, unreadable::contains, AccessDeniedException::new);

        ScanReport report = scan();

        assertThat(unreadable).hasSize(20);
        assertThat(denied.runs()).isEqualTo(20);
        assertThat(report.files()).isEqualTo(480);
        assertThat(keys()).hasSize(480).noneMatch(k -> unreadable.contains(k.substring(k.indexOf('/') + 1)));
        assertThat(state.file("d3/f13.txt").orElseThrow().sha256()).isEqualTo(sha256("file 13"));
        assertThat(report.problemCount()).isEqualTo(20);
        assertThat(report.problems()).hasSize(20)
                .allSatisfy(p -> assertThat(p.reason()).isEqualTo("cannot read: permission denied; skipped"))
                .extracting(ScanProblem::path).containsExactlyInAnyOrderElementsOf(unreadablePaths);
    }
}
