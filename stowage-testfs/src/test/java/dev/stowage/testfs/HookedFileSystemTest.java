package dev.stowage.testfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.testfs.HookedFileSystem.Call;
import dev.stowage.testfs.HookedFileSystem.Hook;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookedFileSystemTest {
    @TempDir
    Path dir;
    final HookedFileSystem hooked = new HookedFileSystem();
    Path root;

    @BeforeEach
    void wrap() throws IOException {
        Files.writeString(dir.resolve("a.txt"), "a");
        root = hooked.wrap(dir);
    }

    @Test
    void readFile_runsForEveryWayOfOpeningAFileToReadIt() throws IOException {
        Hook reads = hooked.beforeEach(Call.READ_FILE, "a.txt"::equals, () -> { });
        Path a = root.resolve("a.txt");

        try (SeekableByteChannel channel = Files.newByteChannel(a)) {
            assertThat(channel.size()).isEqualTo(1);
        }
        try (FileChannel channel = FileChannel.open(a, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            assertThat(channel.size()).isEqualTo(1);
        }
        try (InputStream in = Files.newInputStream(a)) {
            assertThat(in.readAllBytes()).hasSize(1);
        }
        assertThat(Files.readString(a)).isEqualTo("a");

        assertThat(reads.runs()).isEqualTo(4);
    }

    @Test
    void readFile_runsForAFileOpenedInAnOpenFolder() throws IOException {
        Hook reads = hooked.beforeEach(Call.READ_FILE, "a.txt"::equals, () -> { });
        try (DirectoryStream<Path> folder = Files.newDirectoryStream(root)) {
            Assumptions.assumeTrue(folder instanceof SecureDirectoryStream, "the platform offers secure directory streams");
            SecureDirectoryStream<Path> secure = (SecureDirectoryStream<Path>) folder;
            try (SeekableByteChannel channel = secure.newByteChannel(root.getFileSystem().getPath("a.txt"),
                    Set.of(StandardOpenOption.READ))) {
                assertThat(channel.size()).isEqualTo(1);
            }
        }

        assertThat(reads.runs()).isEqualTo(1);
    }

    @Test
    void stat_runsForAttributesReadRelativeToAnOpenFolder() throws IOException {
        Hook stats = hooked.beforeEach(Call.STAT, "a.txt"::equals, () -> { });
        try (DirectoryStream<Path> folder = Files.newDirectoryStream(root)) {
            Assumptions.assumeTrue(folder instanceof SecureDirectoryStream, "the platform offers secure directory streams");
            SecureDirectoryStream<Path> secure = (SecureDirectoryStream<Path>) folder;
            PosixFileAttributeView view = secure.getFileAttributeView(root.getFileSystem().getPath("a.txt"),
                    PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            assertThat(stats.runs()).as("not before the attributes are read").isZero();
            assertThat(view.readAttributes().size()).isEqualTo(1);
        }
        assertThat(stats.runs()).isEqualTo(1);

        hooked.failing(Call.STAT, "a.txt"::equals, AccessDeniedException::new);
        try (DirectoryStream<Path> folder = Files.newDirectoryStream(root)) {
            SecureDirectoryStream<Path> secure = (SecureDirectoryStream<Path>) folder;
            assertThatThrownBy(() -> secure.getFileAttributeView(root.getFileSystem().getPath("a.txt"),
                    PosixFileAttributeView.class).readAttributes()).isInstanceOf(AccessDeniedException.class);
        }
    }

    @Test
    void readFile_doesNotRunForWritingOrCreating() throws IOException {
        Hook reads = hooked.beforeEach(Call.READ_FILE, name -> true, () -> { });
        Hook creates = hooked.beforeEach(Call.CREATE_FILE, name -> true, () -> { });

        Files.writeString(root.resolve("b.txt"), "b");
        try (SeekableByteChannel channel = Files.newByteChannel(root.resolve("a.txt"), StandardOpenOption.WRITE)) {
            assertThat(channel.size()).isEqualTo(1);
        }
        try (SeekableByteChannel channel = Files.newByteChannel(root.resolve("a.txt"), StandardOpenOption.APPEND)) {
            assertThat(channel.size()).isEqualTo(1);
        }

        assertThat(reads.runs()).isZero();
        assertThat(creates.runs()).isEqualTo(1);
    }

    @Test
    void failing_failsEveryMatchingCall_withTheExceptionNamingThePath_untilRemoved() throws IOException {
        Hook denied = hooked.failing(Call.READ_FILE, "a.txt"::equals, AccessDeniedException::new);
        Path a = root.resolve("a.txt");

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> Files.readString(a))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessage(dir.resolve("a.txt").toString());
        }
        assertThat(denied.runs()).isEqualTo(2);
        denied.remove();

        assertThat(Files.readString(a)).isEqualTo("a");
        assertThat(denied.runs()).isEqualTo(2);
    }

    @Test
    void anActionThatThrows_failsTheCallBeforeItReachesTheDisk() {
        Hook refused = hooked.before(Call.DELETE, "a.txt"::equals, () -> {
            throw new AccessDeniedException("a.txt");
        });

        assertThatThrownBy(() -> Files.delete(root.resolve("a.txt"))).isInstanceOf(AccessDeniedException.class);

        assertThat(refused.ran()).isTrue();
        assertThat(dir.resolve("a.txt")).exists();
    }

    @Test
    void before_runsOnce_beforeEach_runsOnEveryCall() throws IOException {
        List<String> order = new ArrayList<>();
        Hook once = hooked.before(Call.OPEN_FOLDER, name -> true, () -> order.add("once"));
        Hook each = hooked.beforeEach(Call.OPEN_FOLDER, name -> true, () -> order.add("each"));

        for (int i = 0; i < 3; i++) {
            try (DirectoryStream<Path> folder = Files.newDirectoryStream(root)) {
                assertThat(folder).hasSize(1);
            }
        }

        assertThat(order).containsExactly("once", "each", "each", "each");
        assertThat(once.runs()).isEqualTo(1);
        assertThat(each.runs()).isEqualTo(3);
    }

    @Test
    void stat_runsForAttributesReadByClassOrByName() throws IOException {
        Hook stats = hooked.beforeEach(Call.STAT, "a.txt"::equals, () -> { });
        Path a = root.resolve("a.txt");

        assertThat(Files.isRegularFile(a)).isTrue();
        assertThat(Files.readAttributes(a, BasicFileAttributes.class).size()).isEqualTo(1);
        assertThat(Files.readAttributes(a, "size")).containsEntry("size", 1L);

        assertThat(stats.runs()).isEqualTo(3);
    }

    @Test
    void attributesByName_areTheDefaultFileSystems_unixViewIncluded() throws IOException {
        assertThat(root.getFileSystem().supportedFileAttributeViews())
                .isEqualTo(FileSystems.getDefault().supportedFileAttributeViews());
        Assumptions.assumeTrue(root.getFileSystem().supportedFileAttributeViews().contains("unix"), "a unix view");
        String attributes = "unix:size,lastModifiedTime,ino,ctime,isRegularFile,isDirectory,isSymbolicLink";

        Map<String, Object> hookedView = Files.readAttributes(root.resolve("a.txt"), attributes, LinkOption.NOFOLLOW_LINKS);

        assertThat(hookedView).isEqualTo(Files.readAttributes(dir.resolve("a.txt"), attributes, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void pathsFromListingsAndRealPaths_stayOnTheHookedFileSystem() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("sub"));

        Path real = root.resolve("link").toRealPath();
        List<Path> listed = new ArrayList<>();
        try (DirectoryStream<Path> folder = Files.newDirectoryStream(root)) {
            folder.forEach(listed::add);
        }

        assertThat(real.getFileSystem()).isSameAs(hooked);
        assertThat(real).isEqualTo(hooked.wrap(dir.resolve("sub").toRealPath()));
        assertThat(listed).allSatisfy(p -> assertThat(p.getFileSystem()).isSameAs(hooked))
                .extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder("a.txt", "sub", "link");
    }
}
