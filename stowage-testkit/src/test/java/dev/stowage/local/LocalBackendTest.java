package dev.stowage.local;

import static dev.stowage.testkit.StorageBackendContract.await;
import static dev.stowage.testkit.StorageBackendContract.expectFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@link LocalBackend} does beyond the backend contract: zero-copy, ownership, links, temp files, a vanished base_path, config. */
@Timeout(60)
class LocalBackendTest {
    private static final String BASE_URL = "http://localhost:8080/files";
    private static final int MiB = 1 << 20;

    @TempDir
    Path base;
    @TempDir
    Path sources;
    @TempDir
    Path outside;

    private final List<LocalBackend> opened = new ArrayList<>();
    private int sourceCount;

    @AfterEach
    void closeBackends() {
        opened.forEach(LocalBackend::close);
    }

    // ---------------------------------------------------------------- zero copy

    @Test
    void uploadFile_fileAlreadyAtKey_returnsUrlWithoutCopying() throws Exception {
        LocalBackend backend = open(false);
        Path inPlace = Files.createDirectories(base.resolve("photos")).resolve("cat.png");
        Files.write(inPlace, utf8("meow"));
        FileTime mtime = FileTime.from(Instant.parse("2020-01-02T03:04:05Z"));
        Files.setLastModifiedTime(inPlace, mtime);
        Object fileKey = Files.readAttributes(inPlace, BasicFileAttributes.class).fileKey();
        assumeThat(fileKey).as("file system reports file keys (inodes)").isNotNull();

        URI url = await(backend.uploadFile(inPlace, "photos/cat.png"));

        assertThat(url).isEqualTo(URI.create(BASE_URL + "/photos/cat.png"));
        BasicFileAttributes after = Files.readAttributes(inPlace, BasicFileAttributes.class);
        assertThat(after.fileKey()).as("file key (inode) of the file at the key").isEqualTo(fileKey);
        assertThat(after.lastModifiedTime()).as("mtime of the file at the key").isEqualTo(mtime);
        assertThat(Files.readAllBytes(inPlace)).isEqualTo(utf8("meow"));
        assertThat(tempFiles()).isEmpty();
    }

    // ---------------------------------------------------------------- ownership

    @Test
    void deleteFile_byDefault_leavesFileInPlace() throws Exception {
        LocalBackend backend = open(false);
        await(backend.uploadFile(source("keep me"), "kept/file.txt"));

        await(backend.deleteFile("kept/file.txt"));

        assertThat(base.resolve("kept/file.txt")).hasContent("keep me");
        assertThat(await(backend.stat("kept/file.txt"))).map(ObjectInfo::sizeBytes).hasValue(7L);
    }

    @Test
    void deleteFile_ownsFiles_removesFileAndFoldersLeftEmptyButNotBasePath() throws Exception {
        LocalBackend backend = open(true);
        await(backend.uploadFile(source("deep"), "a/b/c/deep.txt"));
        await(backend.uploadFile(source("keep"), "a/keep.txt"));

        await(backend.deleteFile("a/b/c/deep.txt"));

        assertThat(base.resolve("a/b")).doesNotExist();
        assertThat(base.resolve("a/keep.txt")).hasContent("keep");

        await(backend.deleteFile("a/keep.txt"));

        assertThat(base.resolve("a")).doesNotExist();
        assertThat(base).isDirectory().isEmptyDirectory();
    }

    // ---------------------------------------------------------------- symbolic links

    @Test
    void symlinkToFolderOutsideBasePath_uploadStatAndDeleteThroughIt_failAccessDeniedAndTouchNothingOutside() throws Exception {
        LocalBackend backend = open(true);
        Files.write(outside.resolve("secret.txt"), utf8("secret"));
        Files.createSymbolicLink(base.resolve("link"), outside);
        Files.createSymbolicLink(Files.createDirectories(base.resolve("sub")).resolve("link"), outside);
        Map<String, String> outsideBefore = contents(outside);
        Path source = source("intruder");

        for (String key : List.of("link/new.txt", "link/secret.txt", "link/deeper/new.txt", "sub/link/new.txt")) {
            expectFailure(backend.uploadFile(source, key), ErrorKind.ACCESS_DENIED, Operation.UPLOAD, key);
        }
        for (String key : List.of("link/secret.txt", "sub/link/secret.txt")) {
            expectFailure(backend.stat(key), ErrorKind.ACCESS_DENIED, Operation.STAT, key);
            expectFailure(backend.deleteFile(key), ErrorKind.ACCESS_DENIED, Operation.DELETE, key);
        }

        assertThat(contents(outside)).isEqualTo(outsideBefore);
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void symlinkToFileOutsideBasePath_uploadStatAndDeleteOfIt_failAccessDeniedAndTouchNothingOutside() throws Exception {
        LocalBackend backend = open(true);
        Path secret = Files.write(outside.resolve("secret.txt"), utf8("secret"));
        Files.createSymbolicLink(base.resolve("evil.txt"), secret);

        expectFailure(backend.uploadFile(source("overwrite"), "evil.txt"), ErrorKind.ACCESS_DENIED, Operation.UPLOAD, "evil.txt");
        expectFailure(backend.stat("evil.txt"), ErrorKind.ACCESS_DENIED, Operation.STAT, "evil.txt");
        expectFailure(backend.deleteFile("evil.txt"), ErrorKind.ACCESS_DENIED, Operation.DELETE, "evil.txt");

        assertThat(secret).hasContent("secret");
        assertThat(Files.isSymbolicLink(base.resolve("evil.txt"))).as("the link is still there").isTrue();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void uploadFile_throughSymlinkToFolderInsideBasePath_isStored() throws Exception {
        LocalBackend backend = open(true);
        Path real = Files.createDirectories(base.resolve("real"));
        Files.createSymbolicLink(base.resolve("alias"), real);

        await(backend.uploadFile(source("inside"), "alias/x.txt"));

        assertThat(real.resolve("x.txt")).hasContent("inside");
        assertThat(await(backend.stat("alias/x.txt"))).isPresent();
    }

    @Test
    void lastNameIsLinkToFileInsideBasePath_statDescribesTheFile_deleteRemovesTheLink_uploadReplacesTheLink() throws Exception {
        LocalBackend backend = open(true);
        Path real = Files.write(Files.createDirectories(base.resolve("real")).resolve("file.txt"), utf8("the file"));
        Files.createSymbolicLink(base.resolve("alias.txt"), real);
        Files.createSymbolicLink(base.resolve("other.txt"), real);

        assertThat(await(backend.stat("alias.txt"))).map(ObjectInfo::sizeBytes).hasValue(8L);
        await(backend.deleteFile("alias.txt"));
        await(backend.uploadFile(source("new"), "other.txt"));

        assertThat(base.resolve("alias.txt")).doesNotExist();
        assertThat(Files.isSymbolicLink(base.resolve("other.txt"))).as("other.txt is a link").isFalse();
        assertThat(base.resolve("other.txt")).hasContent("new");
        assertThat(real).as("what the links led to").hasContent("the file");
    }

    // ---------------------------------------------------------------- temporary files

    @Test
    void uploadFile_success_leavesNoTempFiles() throws Exception {
        LocalBackend backend = open(true);

        await(backend.uploadFile(source("one"), "t/one.txt"));
        await(backend.uploadFile(source("two"), "t/one.txt"));
        await(backend.uploadFile(source(""), "t/deeper/empty.txt"));

        assertThat(tempFiles()).isEmpty();
        assertThat(base.resolve("t/one.txt")).hasContent("two");
    }

    @Test
    void uploadFile_failures_leaveNoTempFiles() throws Exception {
        LocalBackend backend = open(true);
        Files.createDirectories(base.resolve("folder/sub"));
        Files.write(base.resolve("plain.txt"), utf8("plain"));
        Path source = source("x");

        expectFailure(backend.uploadFile(source, "folder"), null, Operation.UPLOAD, "folder");
        expectFailure(backend.uploadFile(source, "plain.txt/child.txt"), null, Operation.UPLOAD, "plain.txt/child.txt");
        expectFailure(backend.uploadFile(sources.resolve("missing"), "m.txt"), null, Operation.UPLOAD, "m.txt");
        expectFailure(backend.uploadFile(sources, "dir-source.txt"), null, Operation.UPLOAD, "dir-source.txt");

        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void uploadFile_copyFailsAfterTempFileCreated_removesTempFile() throws Exception {
        // Each task runs on a thread that is already interrupted. Creating the folders and the temp
        // file does not look at the interrupt, but the first FileChannel call of the copy does
        // (ClosedByInterruptException): the failure comes after the temp file exists.
        Executor interrupted = task -> {
            Thread thread = new Thread(() -> {
                Thread.currentThread().interrupt();
                task.run();
            }, "interrupted-io");
            thread.setDaemon(true);
            thread.start();
        };
        LocalBackend backend = track(LocalBackend.builder().basePath(base).baseUrl(BASE_URL).executor(interrupted).build());

        expectFailure(backend.uploadFile(source("never lands"), "copy/fails.txt"), null, Operation.UPLOAD, "copy/fails.txt");

        assertThat(base.resolve("copy")).as("the upload got as far as making the folder").isDirectory();
        assertThat(base.resolve("copy/fails.txt")).doesNotExist();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void uploadFile_overExistingKeyCancelledBetweenChunks_keepsOldContentAndLeavesNoTempFile() throws Exception {
        ExecutorService io = Executors.newSingleThreadExecutor();
        LocalBackend backend = track(LocalBackend.builder().basePath(base).baseUrl(BASE_URL).executor(io).build());
        await(backend.uploadFile(source("old content"), "big/file.bin"));
        CompletableFuture<CompletableFuture<URI>> self = new CompletableFuture<>();
        UploadOptions cancelAfterFirstChunk = UploadOptions.builder().progress((done, total) -> {
            if (done > 0 && done < total) {
                self.join().cancel(true);
            }
        }).build();

        CompletableFuture<URI> upload = backend.uploadFile(bigSource(20 * MiB), "big/file.bin", cancelAfterFirstChunk);
        self.complete(upload);
        // The future completes at the cancel; the copy stops at the next chunk. Only the pool's end shows the work is over.
        io.shutdown();
        assertThat(io.awaitTermination(30, TimeUnit.SECONDS)).as("the upload's work ended").isTrue();

        assertThat(upload).isCancelled();
        assertThat(base.resolve("big/file.bin")).hasContent("old content");
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void uploadFile_overExistingKeySourceShrinksMidCopy_failsKeepsOldContentAndLeavesNoTempFile() throws Exception {
        LocalBackend backend = open(true);
        await(backend.uploadFile(source("old content"), "big/file.bin"));
        Path big = bigSource(20 * MiB);
        UploadOptions truncateAfterFirstChunk = UploadOptions.builder().progress((done, total) -> {
            if (done > 0 && done < total) {
                try (FileChannel channel = FileChannel.open(big, StandardOpenOption.WRITE)) {
                    channel.truncate(MiB);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }).build();

        StorageException e = expectFailure(backend.uploadFile(big, "big/file.bin", truncateAfterFirstChunk),
                ErrorKind.IO, Operation.UPLOAD, "big/file.bin");

        assertThat(e.getMessage()).contains("shrank");
        assertThat(base.resolve("big/file.bin")).hasContent("old content");
        assertThat(tempFiles()).isEmpty();
    }

    // ---------------------------------------------------------------- conflicts

    @Test
    void uploadFile_parentSegmentIsExistingFile_failsConflict() throws Exception {
        LocalBackend backend = open(true);
        Files.write(base.resolve("plain.txt"), utf8("plain"));
        Files.write(Files.createDirectories(base.resolve("dir")).resolve("file"), utf8("file"));

        expectFailure(backend.uploadFile(source("x"), "plain.txt/child.txt"), ErrorKind.CONFLICT, Operation.UPLOAD, "plain.txt/child.txt");
        expectFailure(backend.uploadFile(source("x"), "dir/file/a/b.txt"), ErrorKind.CONFLICT, Operation.UPLOAD, "dir/file/a/b.txt");

        assertThat(base.resolve("plain.txt")).hasContent("plain");
        assertThat(base.resolve("dir/file")).hasContent("file");
    }

    @Test
    void uploadFile_keyIsExistingFolder_failsConflict() throws Exception {
        LocalBackend backend = open(true);
        Files.write(Files.createDirectories(base.resolve("folder/sub")).resolve("inside.txt"), utf8("inside"));
        Files.createDirectories(base.resolve("empty-folder"));

        expectFailure(backend.uploadFile(source("x"), "folder"), ErrorKind.CONFLICT, Operation.UPLOAD, "folder");
        expectFailure(backend.uploadFile(source("x"), "folder/sub"), ErrorKind.CONFLICT, Operation.UPLOAD, "folder/sub");
        expectFailure(backend.uploadFile(source("x"), "empty-folder"), ErrorKind.CONFLICT, Operation.UPLOAD, "empty-folder");

        assertThat(base.resolve("folder/sub/inside.txt")).hasContent("inside");
        assertThat(base.resolve("empty-folder")).isEmptyDirectory();
    }

    // ---------------------------------------------------------------- base_path gone

    @Test
    void basePathDeletedAfterBuild_everyOperationFailsUnavailableNamingBasePath() throws Exception {
        Path served = Files.createDirectories(base.resolve("served"));
        LocalBackend backend = track(LocalBackend.builder().basePath(served).baseUrl(BASE_URL).ownsFiles(true).build());
        await(backend.uploadFile(source("x"), "a/x.txt"));

        deleteTree(served);

        assertEveryOperationFailsBasePathGone(backend, served);
        assertThat(served).doesNotExist();
    }

    @Test
    void basePathReplacedByLinkAfterBuild_everyOperationFailsUnavailableAndTouchesNothingOutside() throws Exception {
        Path served = Files.createDirectories(base.resolve("served"));
        LocalBackend backend = track(LocalBackend.builder().basePath(served).baseUrl(BASE_URL).ownsFiles(true).build());
        await(backend.uploadFile(source("x"), "a/x.txt"));
        Files.write(Files.createDirectories(outside.resolve("a")).resolve("x.txt"), utf8("outside"));
        Map<String, String> outsideBefore = contents(outside);

        Files.move(served, base.resolve("moved"));
        Files.createSymbolicLink(served, outside);

        assertEveryOperationFailsBasePathGone(backend, served);
        assertThat(contents(outside)).isEqualTo(outsideBefore);
    }

    @Test
    void basePathReplacedByFileAfterBuild_everyOperationFailsUnavailable() throws Exception {
        Path served = Files.createDirectories(base.resolve("served"));
        LocalBackend backend = track(LocalBackend.builder().basePath(served).baseUrl(BASE_URL).ownsFiles(true).build());

        Files.delete(served);
        Files.write(served, utf8("a file now"));

        assertEveryOperationFailsBasePathGone(backend, served);
    }

    private void assertEveryOperationFailsBasePathGone(LocalBackend backend, Path served) throws Exception {
        List<StorageException> failures = List.of(
                expectFailure(backend.uploadFile(source("y"), "a/y.txt"), ErrorKind.UNAVAILABLE, Operation.UPLOAD, "a/y.txt"),
                expectFailure(backend.stat("a/x.txt"), ErrorKind.UNAVAILABLE, Operation.STAT, "a/x.txt"),
                expectFailure(backend.deleteFile("a/x.txt"), ErrorKind.UNAVAILABLE, Operation.DELETE, "a/x.txt"),
                expectFailure(backend.forEach("a/", item -> { }), ErrorKind.UNAVAILABLE, Operation.LIST, "a/"));
        for (StorageException e : failures) {
            assertThat(e.getMessage()).contains("base_path is gone: " + served);
            assertThat(e.isRetryable()).as("retryable: %s", e.getMessage()).isFalse();
        }
    }

    // ---------------------------------------------------------------- executor and URLs

    @Test
    void uploadFile_executorRejectsWork_failureNamesOperationKeyAndBackend() throws Exception {
        ExecutorService shutDown = Executors.newSingleThreadExecutor();
        shutDown.shutdown();
        LocalBackend backend = track(LocalBackend.builder().basePath(base).baseUrl(BASE_URL).executor(shutDown).build());

        expectFailure(backend.uploadFile(source("x"), "rejected.txt"), null, Operation.UPLOAD, "rejected.txt");
    }

    @Test
    void getUrl_joinsBaseUrlAndPercentEncodedSegments() {
        LocalBackend backend = open(false);

        assertThat(backend.getUrl("a b/c+d.png")).isEqualTo(URI.create(BASE_URL + "/a%20b/c%2Bd.png"));
        assertThat(backend.baseUrl()).isEqualTo(URI.create(BASE_URL + "/"));
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void build_withoutBasePath_failsInvalidConfigNamingBasePath() {
        assertInvalidConfig(LocalBackend.builder().baseUrl(BASE_URL), "base_path");
    }

    @Test
    void build_withoutBaseUrl_failsInvalidConfigNamingBaseUrl() {
        assertInvalidConfig(LocalBackend.builder().basePath(base), "base_url");
    }

    @Test
    void build_baseUrlWithQuery_failsInvalidConfigNamingBaseUrl() {
        assertInvalidConfig(LocalBackend.builder().basePath(base).baseUrl(BASE_URL + "?token=abc"), "base_url");
    }

    @Test
    void build_basePathIsFile_failsInvalidConfigNamingBasePath() throws IOException {
        Path file = Files.write(sources.resolve("a-file"), utf8("not a folder"));

        assertInvalidConfig(LocalBackend.builder().basePath(file).baseUrl(BASE_URL), "base_path");
    }

    @Test
    void build_basePathMissing_createsIt() throws IOException {
        Path missing = base.resolve("to/be/created");

        LocalBackend backend = track(LocalBackend.builder().basePath(missing).baseUrl(BASE_URL).build());

        assertThat(missing).isDirectory();
        assertThat(backend.basePath()).isEqualTo(missing.toRealPath());
    }

    // ---------------------------------------------------------------- helpers

    private LocalBackend open(boolean ownsFiles) {
        return track(LocalBackend.builder().basePath(base).baseUrl(BASE_URL).ownsFiles(ownsFiles).build());
    }

    private LocalBackend track(LocalBackend backend) {
        opened.add(backend);
        return backend;
    }

    private Path source(String content) throws IOException {
        return Files.write(sources.resolve("source-" + ++sourceCount + ".txt"), utf8(content));
    }

    private Path bigSource(int sizeBytes) throws IOException {
        byte[] bytes = new byte[sizeBytes];
        Arrays.fill(bytes, (byte) 'n');
        return Files.write(sources.resolve("big-" + ++sourceCount + ".bin"), bytes);
    }

    private static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> paths = Files.walk(base)) {
            return paths.filter(p -> p.getFileName().toString().startsWith(LocalBackend.TEMP_PREFIX)).collect(Collectors.toList());
        }
    }

    /** Every path under a folder with its content (files) or "/" (folders), links not followed. */
    private static Map<String, String> contents(Path folder) throws IOException {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                result.put(folder.relativize(p).toString(), Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        ? Files.readString(p) : "/");
            }
        }
        return result;
    }

    private static void assertInvalidConfig(LocalBackend.Builder builder, String setting) {
        Throwable thrown = catchThrowable(builder::build);

        assertThat(thrown).isInstanceOf(StorageException.class);
        StorageException e = (StorageException) thrown;
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.INVALID_CONFIG);
        assertThat(e.getMessage()).contains(setting);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
