package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
    @TempDir
    Path dir;

    @Test
    void bothLibrariesOfThisPlatform_areUnpacked() throws IOException {
        NativeLibraries.unpack(dir);

        assertThat(dir.resolve(NativeLibraries.CRT)).isRegularFile().isExecutable();
        assertThat(Files.size(dir.resolve(NativeLibraries.CRT))).isGreaterThan(1 << 20);
        assertThat(dir.resolve(NativeLibraries.SQLITE)).isRegularFile();
        assertThat(Files.size(dir.resolve(NativeLibraries.SQLITE))).isGreaterThan(100_000);
        assertThat(NativeLibraries.jvmOptions(dir, Path.of("/final"))).containsExactly("-Djava.library.path=/final",
                "-Dorg.sqlite.lib.path=/final", "-Dorg.sqlite.lib.name=" + NativeLibraries.SQLITE);
    }

    @Test
    void theArgumentFile_namesTheFinalFolder_asTheJvmReadsIt_whateverItsPathHolds() throws Exception {
        Path unpacking = dir.resolve("unpacking");
        Path folder = dir.resolve("a \"quoted\" folder with \\ and spaces");

        NativeLibraries.main(new String[] {unpacking.toString(), folder.toString()});

        Path options = unpacking.resolve(NativeLibraries.OPTIONS);
        assertThat(options).isRegularFile();
        assertThat(unpacking.resolve(NativeLibraries.OPTIONS + ".partial")).doesNotExist();
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + options, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        String settings = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(settings).isZero();
        assertThat(settings.lines().map(String::strip).toList()).as(settings).contains(
                "java.library.path = " + folder, "org.sqlite.lib.path = " + folder,
                "org.sqlite.lib.name = " + NativeLibraries.SQLITE);
    }

    @Test
    void aFolderThatCannotBeMade_failsWithOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("a file"), "not a folder");
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), NativeLibraries.class.getName(), file.resolve("natives").toString())
                .start();
        String err = new String(java.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(java.exitValue()).isEqualTo(1);
        assertThat(err.lines().toList()).singleElement().asString()
                .startsWith("error: cannot unpack the native libraries into " + file.resolve("natives"));
        assertThat(out).isEmpty();
    }
}
