package dev.stowage.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.testfs.HookedFileSystem;
import dev.stowage.testfs.HookedFileSystem.Call;
import dev.stowage.testfs.HookedFileSystem.Hook;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder of the key swapped for a symbolic link to a folder outside {@code base_path} at the
 * exact moment between the backend's look at the key and its write or delete. The swap is what
 * anyone who can write in {@code base_path} can do: move the folder aside and put a link in its
 * place. Each test makes it happen at one step, deterministically: through {@link HookedFileSystem},
 * which runs the swap just before a chosen call reaches the disk, or through the upload's progress
 * callback, which runs between two chunks of the copy.
 */
@Timeout(60)
class LocalBackendRaceTest {
    private static final String BASE_URL = "http://localhost:8080/files";
    private static final int MiB = 1 << 20;

    @TempDir
    Path temp;

    private Path base;
    private Path outside;
    private Path sources;
    private final HookedFileSystem hooked = new HookedFileSystem();
    private final List<LocalBackend> opened = new ArrayList<>();

    @BeforeEach
    void folders() throws IOException {
        base = Files.createDirectories(temp.resolve("base")).toRealPath();
        outside = Files.createDirectories(temp.resolve("outside")).toRealPath();
        sources = Files.createDirectories(temp.resolve("sources"));
        Files.createDirectories(base.resolve("a"));
        Files.writeString(outside.resolve("x.txt"), "outside");
    }

    @AfterEach
    void closeBackends() {
        opened.forEach(LocalBackend::close);
    }

    @Test
    void uploadFile_folderSwappedForOutsideLinkAsTheTempFileIsCreated_failsAccessDeniedAndWritesNothingOutside() throws Exception {
        LocalBackend backend = open(true);
        Map<String, String> outsideBefore = contents(outside);
        Hook swap = hooked.before(Call.CREATE_FILE, LocalBackendRaceTest::isTemporary, () -> swapForLink(base.resolve("a")));

        Throwable failure = outcome(backend.uploadFile(source("intruder", 10), "a/x.txt"));

        assertRefusedLeavingNothing(swap, failure, "a/x.txt", outsideBefore);
        assertThat(Files.isSymbolicLink(base.resolve("a"))).as("the link is still there").isTrue();
    }

    @Test
    void uploadFile_folderSwappedForOutsideLinkAsAMissingFolderIsMade_failsAccessDeniedAndMakesNothingOutside() throws Exception {
        LocalBackend backend = open(true);
        Map<String, String> outsideBefore = contents(outside);
        Hook swap = hooked.before(Call.MAKE_FOLDER, name -> true, () -> swapForLink(base.resolve("a")));

        Throwable failure = outcome(backend.uploadFile(source("intruder", 10), "a/b/x.txt"));

        assertRefusedLeavingNothing(swap, failure, "a/b/x.txt", outsideBefore);
    }

    /**
     * Whoever can write in {@code base_path} can see the temporary file's name, and put a file of
     * that name in the folder the link leads to: moving "the temporary file" into place by its path
     * would then replace a file outside.
     */
    @Test
    void uploadFile_folderSwappedForOutsideLinkDuringTheCopy_failsAccessDeniedAndReplacesNothingOutside() throws Exception {
        LocalBackend backend = open(true);
        Path folder = base.resolve("a");
        AtomicBoolean swapped = new AtomicBoolean();
        UploadOptions options = UploadOptions.builder().progress((done, total) -> {
            if (done > 0 && done < total && swapped.compareAndSet(false, true)) {
                try {
                    String tempName = temporaryNames().get(0).getFileName().toString();
                    swapForLink(folder);
                    Files.writeString(outside.resolve(tempName), "planted");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }).build();

        Throwable failure = outcome(backend.uploadFile(source("intruder", 9 * MiB), "a/x.txt", options));

        assertThat(swapped).as("the swap ran").isTrue();
        assertThat(outside.resolve("x.txt")).as("the file outside").hasContent("outside");
        assertAccessDenied(failure, Operation.UPLOAD, "a/x.txt");
        assertThat(temporaryNames()).isEmpty();
    }

    @Test
    void deleteFile_folderSwappedForOutsideLinkAsTheFileIsDeleted_deletesNothingOutsideAndKeepsTheLink() throws Exception {
        LocalBackend backend = open(true);
        Files.writeString(base.resolve("a/x.txt"), "inside");
        Map<String, String> outsideBefore = contents(outside);
        Hook swap = hooked.before(Call.DELETE, "x.txt"::equals, () -> swapForLink(base.resolve("a")));

        Throwable failure = outcome(backend.deleteFile("a/x.txt"));

        assertThat(swap.ran()).as("the swap ran").isTrue();
        assertThat(contents(outside)).as("outside base_path").isEqualTo(outsideBefore);
        assertThat(Files.isSymbolicLink(base.resolve("a"))).as("the link is still there").isTrue();
        // The file the walk found, in the folder it opened, is the one removed: it was moved aside with its folder.
        assertThat(failure).as("the delete's outcome").isNull();
        assertThat(base.resolve("a-moved/x.txt")).doesNotExist();
    }

    @Test
    void deleteFile_folderSwappedForOutsideLinkAsItIsOpened_failsAccessDeniedAndDeletesNothingOutside() throws Exception {
        LocalBackend backend = open(true);
        Files.writeString(base.resolve("a/x.txt"), "inside");
        Map<String, String> outsideBefore = contents(outside);
        Hook swap = hooked.before(Call.OPEN_FOLDER, "a"::equals, () -> swapForLink(base.resolve("a")));

        Throwable failure = outcome(backend.deleteFile("a/x.txt"));

        assertThat(swap.ran()).as("the swap ran").isTrue();
        assertThat(contents(outside)).as("outside base_path").isEqualTo(outsideBefore);
        assertAccessDenied(failure, Operation.DELETE, "a/x.txt");
        assertThat(base.resolve("a-moved/x.txt")).hasContent("inside");
    }

    @Test
    void uploadFile_insideLinkRetargetedOutsideAsTheTempFileIsCreated_failsAccessDeniedAndWritesNothingOutside() throws Exception {
        LocalBackend backend = open(true);
        Path real = Files.createDirectories(base.resolve("real"));
        Files.createSymbolicLink(base.resolve("alias"), real);
        Map<String, String> outsideBefore = contents(outside);
        Hook swap = hooked.before(Call.CREATE_FILE, LocalBackendRaceTest::isTemporary, () -> {
            Files.delete(base.resolve("alias"));
            Files.createSymbolicLink(base.resolve("alias"), outside);
        });

        Throwable failure = outcome(backend.uploadFile(source("intruder", 10), "alias/x.txt"));

        assertRefusedLeavingNothing(swap, failure, "alias/x.txt", outsideBefore);
    }

    @Test
    void list_folderSwappedForOutsideLinkAsItIsEntered_listsNothingFromOutside() throws Exception {
        LocalBackend backend = open(true);
        Files.writeString(base.resolve("a/x.txt"), "inside");
        Hook swap = hooked.before(Call.OPEN_FOLDER, "a"::equals, () -> swapForLink(base.resolve("a")));

        List<ObjectInfo> listed = new ArrayList<>();
        backend.forEach("", listed::add).get(30, TimeUnit.SECONDS);

        assertThat(swap.ran()).as("the swap ran").isTrue();
        assertThat(listed).as("listed after the swap").isEmpty();
    }

    @Test
    void list_folderSwappedForFifoAsItIsEntered_endsAtOnceAndCloseDoesNotHang() throws Exception {
        LocalBackend backend = open(true);
        Files.writeString(base.resolve("a/x.txt"), "inside");
        Files.writeString(base.resolve("b.txt"), "after");
        Hook swap = hooked.before(Call.OPEN_FOLDER, "a"::equals, () -> {
            Files.move(base.resolve("a"), base.resolve("a-moved"));
            mkfifo(base.resolve("a"));
        });

        List<String> listed = new ArrayList<>();
        backend.forEach("", info -> listed.add(info.key())).get(30, TimeUnit.SECONDS);

        assertThat(swap.ran()).as("the swap ran").isTrue();
        assertThat(listed).containsExactly("b.txt");
        backend.close();
    }

    private static void mkfifo(Path path) throws IOException {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
            Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo works here");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (IOException e) {
            Assumptions.assumeTrue(false, "mkfifo is installed: " + e);
        }
    }

    // ---------------------------------------------------------------- missing folders

    @Test
    void uploadFile_missingFolderMadeByAnotherCallMeanwhile_storesInItAndLeavesNoTemporaryFolder() throws Exception {
        LocalBackend backend = open(true);
        Hook other = hooked.before(Call.MOVE, LocalBackendRaceTest::isTemporary, () -> {
            Files.writeString(Files.createDirectory(base.resolve("a/b")).resolve("other.txt"), "other");
        });

        backend.uploadFile(source("mine", 4), "a/b/x.txt").get(30, TimeUnit.SECONDS);

        assertThat(other.ran()).as("the other call ran").isTrue();
        assertThat(base.resolve("a/b/x.txt")).hasContent("mine");
        assertThat(base.resolve("a/b/other.txt")).hasContent("other");
        assertThat(temporaryNames()).isEmpty();
    }

    @Test
    void uploadFile_newFolderAcrossAMountPoint_isMadeInTheKeysFolderAndLeavesNoTemporaryFolder() throws Exception {
        LocalBackend backend = open(true);
        // What a rename from base_path's folder into a folder on another file system fails with (EXDEV).
        Hook mount = hooked.before(Call.MOVE, LocalBackendRaceTest::isTemporary, () -> {
            throw new AtomicMoveNotSupportedException(null, null, "Invalid cross-device link");
        });

        backend.uploadFile(source("mine", 4), "a/b/c/x.txt").get(30, TimeUnit.SECONDS);

        assertThat(mount.ran()).as("the cross-device rename was refused").isTrue();
        assertThat(base.resolve("a/b/c/x.txt")).hasContent("mine");
        assertThat(temporaryNames()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private LocalBackend open(boolean ownsFiles) {
        LocalBackend backend = LocalBackend.builder().basePath(hooked.wrap(base)).baseUrl(BASE_URL).ownsFiles(ownsFiles).build();
        opened.add(backend);
        return backend;
    }

    /** Moves a folder aside, to {@code <name>-moved} beside it, and puts a link to {@code outside} in its place. */
    private void swapForLink(Path folder) throws IOException {
        Files.move(folder, folder.resolveSibling(folder.getFileName() + "-moved"));
        Files.createSymbolicLink(folder, outside);
    }

    private Path source(String text, int sizeBytes) throws IOException {
        Path file = sources.resolve(text + "-" + sizeBytes + ".bin");
        byte[] bytes = new byte[sizeBytes];
        byte[] pattern = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < sizeBytes; i++) {
            bytes[i] = pattern[i % pattern.length];
        }
        return Files.write(file, bytes);
    }

    private static boolean isTemporary(String name) {
        return name.startsWith(LocalBackend.TEMP_PREFIX);
    }

    /** Temporary files and folders under base_path, links not followed. */
    private List<Path> temporaryNames() throws IOException {
        try (Stream<Path> paths = Files.walk(base)) {
            return paths.filter(p -> isTemporary(p.getFileName().toString())).collect(Collectors.toList());
        }
    }

    /** The swap ran, the upload failed ACCESS_DENIED, outside is as it was, and no temporary file or folder is left in base_path. */
    private void assertRefusedLeavingNothing(Hook swap, Throwable failure, String key, Map<String, String> outsideBefore)
            throws IOException {
        assertThat(swap.ran()).as("the swap ran").isTrue();
        assertThat(contents(outside)).as("outside base_path").isEqualTo(outsideBefore);
        assertAccessDenied(failure, Operation.UPLOAD, key);
        assertThat(temporaryNames()).isEmpty();
    }

    /** What the future failed with, or {@code null} if it succeeded. */
    private static Throwable outcome(CompletableFuture<?> future) throws Exception {
        return future.handle((value, error) -> error).get(30, TimeUnit.SECONDS);
    }

    private static void assertAccessDenied(Throwable failure, Operation op, String key) {
        assertThat(failure).as("how the operation ended").isInstanceOf(StorageException.class);
        StorageException e = (StorageException) failure;
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.ACCESS_DENIED);
        assertThat(e.operation()).isEqualTo(op);
        assertThat(e.key()).isEqualTo(key);
    }

    /** Every path under a folder with its content (files), "/" (folders) or "-> target" (links). */
    private static Map<String, String> contents(Path folder) throws IOException {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                String what = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readString(p) : "/";
                result.put(folder.relativize(p).toString(), what);
            }
        }
        return result;
    }
}
