package dev.stowage.app.e2e;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The launcher script, {@code ./stowage}. Once as the README's quick start, in this repository with
 * a fresh jar: it builds nothing and runs the jar. The other tests run the same script in a
 * throwaway copy of the repository's layout, in a folder whose name holds spaces and pattern
 * characters, with a Maven wrapper that records its calls and writes a stand-in jar, and a java that
 * prints what it was asked to run: no test builds the real jar. They cover which java it runs,
 * which repository a link leads to, what makes it build again, and a build that fails.
 */
class LauncherIT {
    @RegisterExtension
    static final Children children = new Children();

    private static final Duration LIMIT = Duration.ofSeconds(30);
    /** A source file of the copy, which the changes below act on. */
    private static final String KEYS = "stowage-core/src/main/java/dev/stowage/Keys.java";
    private static final String JAR = "stowage-app/target/stowage.jar";
    private static final String DIRECTIVES = "stowage-app/src/main/jvm/compiler-directives.json";

    @TempDir
    Path dir;

    @Test
    void launcher_withAFreshJar_buildsNothingAndRunsIt() throws IOException {
        Path root = Children.repositoryRoot();
        Path jar = root.resolve(JAR);
        Assumptions.assumeTrue(Files.isRegularFile(jar), "no " + jar);
        Launcher.assumeFresh();

        Child launcher = children.program(root.resolve("stowage"), "--version").in(root)
                .env("JAVA_HOME", System.getProperty("java.home")).start();
        int exit = launcher.awaitExit(LIMIT);
        Child jarItself = children.command("--version").run();

        assertThat(exit).as(launcher.report()).isZero();
        assertThat(launcher.stderr()).as("a fresh jar is not built again").isEmpty();
        assertThat(launcher.stdout().strip()).matches("stowage \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?")
                .isEqualTo(jarItself.stdout().strip());
    }

    @Test
    void launcher_throughAChainOfLinks_runsTheRepositoryAtItsEnd_inTheCallersFolder() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        // bin/stowage -> ../links/stowage (relative to bin), which -> the copy's launcher (absolute).
        Files.createSymbolicLink(Files.createDirectories(dir.resolve("links")).resolve("stowage"), copy.root.resolve("stowage"));
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("bin")).resolve("stowage"),
                Path.of("../links/stowage"));
        Path caller = Files.createDirectories(dir.resolve("caller"));

        Child launcher = children.program(link, "--version").in(caller).env("JAVA_HOME", jdk.toString()).start();

        assertThat(launcher.awaitExit(LIMIT)).as(launcher.report()).isZero();
        assertThat(copy.builds()).as("the jar at the end of the links is fresh").isEmpty();
        assertThat(launcher.stdout().lines()).containsExactlyElementsOf(lines(
                "java=" + jdk.resolve("bin/java"), "cwd=" + caller.toRealPath(), copy.leanOptions(),
                "-jar", copy.jar(), "--version"));
    }

    @Test
    void launcher_withJavaHome_runsItsJava_notTheOneOnPath() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        Path other = javaHome(dir.resolve("other"));

        Child launcher = children.program(copy.root.resolve("stowage"), "--version")
                .env("JAVA_HOME", jdk.toString()).env("PATH", other.resolve("bin") + ":" + System.getenv("PATH")).run();

        assertThat(launcher.exitCode()).as(launcher.report()).isZero();
        assertThat(launcher.stdout().lines()).first().isEqualTo("java=" + jdk.resolve("bin/java"));
    }

    @Test
    void launcher_withoutJavaHome_runsTheJavaOnPath() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path other = javaHome(dir.resolve("other"));

        Child launcher = children.program(copy.root.resolve("stowage"), "--version").unset("JAVA_HOME")
                .env("PATH", other.resolve("bin") + ":" + System.getenv("PATH")).run();

        assertThat(launcher.exitCode()).as(launcher.report()).isZero();
        assertThat(launcher.stdout().lines()).first().isEqualTo("java=" + other.resolve("bin/java"));
    }

    @Test
    void launcher_withJavaHomeWithoutJava_saysSoInOneLine_andExits2() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jre = Files.createDirectories(dir.resolve("not a jdk/bin"));

        Child launcher = children.program(copy.root.resolve("stowage"), "--version")
                .env("JAVA_HOME", jre.getParent().toString()).run();

        assertThat(launcher.exitCode()).as(launcher.report()).isEqualTo(2);
        assertThat(launcher.stderrLines()).singleElement().asString()
                .startsWith("error: JAVA_HOME is " + jre.getParent() + ", which has no bin/java");
        assertThat(launcher.stdout()).isEmpty();
        assertThat(copy.builds()).isEmpty();
    }

    @Test
    void launcher_withNoJavaAnywhere_saysSoInOneLine_andExits2() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        // A PATH with the commands a shell script needs to start, and no java.
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : List.of("sh", "dirname", "readlink")) {
            Files.createSymbolicLink(tools.resolve(tool), onPath(tool));
        }

        Child launcher = children.program(copy.root.resolve("stowage"), "--version")
                .unset("JAVA_HOME").env("PATH", tools.toString()).run();

        assertThat(launcher.exitCode()).as(launcher.report()).isEqualTo(2);
        assertThat(launcher.stderrLines()).singleElement().asString()
                .isEqualTo("error: no java on PATH, and JAVA_HOME is not set: install a JDK 17 or newer, or set JAVA_HOME to one");
    }

    @Test
    void launcher_passesStowageJavaOptsAsWords_neverAsFilePatterns() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        Path caller = Files.createDirectories(dir.resolve("caller"));
        Files.writeString(caller.resolve("-Dskip=a.tmp"), "a file the pattern would match");

        Child launcher = children.program(copy.root.resolve("stowage"), "--version").in(caller)
                .env("JAVA_HOME", jdk.toString()).env("STOWAGE_JAVA_OPTS", "-Xmx64m  -Dskip=*.tmp").run();

        assertThat(launcher.exitCode()).as(launcher.report()).isZero();
        assertThat(launcher.stdout().lines()).containsSubsequence(lines(copy.leanOptions("-XX:+DisplayVMOutputToStderr"),
                "-Xmx64m", "-Dskip=*.tmp", "-jar", copy.jar(), "--version"));
    }

    @Test
    void launcher_startsServeWithTheJvmDefaults_andTheOtherCommandsLean_allFromTheArchiveTheFirstSyncMade() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        Path caller = Files.createDirectories(dir.resolve("caller"));
        Path target = copy.root.resolve("stowage-app/target");

        List<String> serve = run(copy, jdk, caller, "serve", "site");
        List<String> sync = run(copy, jdk, caller, "--set", "x=y", "sync", "site", "memory:");
        List<Path> archives;
        try (Stream<Path> files = Files.list(target)) {
            archives = files.filter(f -> f.getFileName().toString().matches("stowage-\\d+\\.jsa")).toList();
        }
        List<String> syncAgain = run(copy, jdk, caller, "sync", "site", "memory:");
        List<String> serveAgain = run(copy, jdk, caller, "serve", "site");

        assertThat(serve).doesNotContainAnyElementsOf(copy.leanOptions()).noneMatch(arg -> arg.contains("Archive"));
        assertThat(archives).as("the archive the first sync wrote, under its final name").hasSize(1);
        String archive = archives.get(0).toString();
        assertThat(sync).containsSubsequence(copy.leanOptions())
                .anyMatch(arg -> arg.startsWith("-XX:ArchiveClassesAtExit=" + archive + "."))
                .as("the archive run loads the S3 client's classes too").contains("-Dstowage.archive.training=true");
        assertThat(syncAgain).contains("-XX:SharedArchiveFile=" + archive).noneMatch(arg -> arg.contains("ArchiveClassesAtExit"))
                .noneMatch(arg -> arg.contains("stowage.archive.training"));
        assertThat(syncAgain).containsSubsequence(copy.leanOptions());
        assertThat(serveAgain).contains("-XX:SharedArchiveFile=" + archive).doesNotContainAnyElementsOf(copy.leanOptions());
    }

    @Test
    void launcher_unpacksTheNativeLibrariesOncePerBuild_andLoadsThemThroughTheArgumentFile() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        Path target = copy.root.resolve("stowage-app/target");
        Path unpacks = dir.resolve("unpacks.log");

        List<String> first = runWithNatives(copy, jdk, unpacks);
        List<Path> folders;
        try (Stream<Path> files = Files.list(target)) {
            folders = files.filter(f -> f.getFileName().toString().startsWith("native-")).toList();
        }
        assertThat(folders).as("one folder, under its final name").singleElement().asString().matches(".*/native-\\d+");
        String argumentFile = "@" + folders.get(0).toRealPath().resolve("jvm.options");
        assertThat(first).as("the run that unpacked them loads them").contains(argumentFile);
        assertThat(first.indexOf(argumentFile)).isLessThan(first.indexOf("-jar"));

        List<String> second = runWithNatives(copy, jdk, unpacks);
        assertThat(second).contains(argumentFile);
        assertThat(Files.readAllLines(unpacks)).as("unpacked once").hasSize(1);

        // Libraries unpacked before the jar was built (it is an hour old): unpacked again.
        Files.setLastModifiedTime(folders.get(0).resolve("jvm.options"), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        List<String> rebuilt = runWithNatives(copy, jdk, unpacks);
        assertThat(Files.readAllLines(unpacks)).as("unpacked again for the new jar").hasSize(2);
        assertThat(rebuilt).contains(argumentFile);
    }

    @Test
    void launcher_whoseJavaCannotUnpackTheLibraries_runsWithoutThem() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));

        Child launcher = children.program(copy.root.resolve("stowage"), "--version").env("JAVA_HOME", jdk.toString()).run();

        assertThat(launcher.exitCode()).as(launcher.report()).isZero();
        assertThat(launcher.stdout().lines()).noneMatch(arg -> arg.startsWith("@"));
        try (Stream<Path> files = Files.list(copy.root.resolve("stowage-app/target"))) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(name -> name.startsWith("native-"));
        }
    }

    private List<String> runWithNatives(Copy copy, Path jdk, Path unpacks) {
        Child launcher = children.program(copy.root.resolve("stowage"), "--version")
                .env("JAVA_HOME", jdk.toString()).env("FAKE_NATIVES", unpacks.toString()).run();
        assertThat(launcher.exitCode()).as(launcher.report()).isZero();
        return launcher.stdout().lines().toList();
    }

    @Test
    void launcher_withANativeAgent_writesNoArchive_whichTheJvmWouldRefuse() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));

        Child sync = children.program(copy.root.resolve("stowage"), "sync", "site", "memory:")
                .env("JAVA_HOME", jdk.toString()).env("STOWAGE_JAVA_OPTS", "-Xmx64m -agentpath:/opt/profiler.so=start").run();

        assertThat(sync.exitCode()).as(sync.report()).isZero();
        assertThat(sync.stdout().lines()).contains("-agentpath:/opt/profiler.so=start")
                .noneMatch(arg -> arg.contains("Archive"));
    }

    @Test
    void leanOptions_startTheRealJvm_withTheDirectivesParsed_andNothingOnStandardOutput() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Child lean = children.program(lines(java, copy.leanOptions(), "-version").toArray()).run();
        Child withUserOptions = children.program(lines(java, copy.leanOptions("-XX:+DisplayVMOutputToStderr"), "-version").toArray()).run();
        Child refused = children.program(lines(java, copy.leanOptions("-XX:+DisplayVMOutputToStderr"), "-Xmx1k", "-version").toArray()).run();

        assertThat(lean.exitCode()).as(lean.report()).isZero();
        assertThat(lean.stdout()).isEmpty();
        assertThat(withUserOptions.exitCode()).as(withUserOptions.report()).isZero();
        assertThat(withUserOptions.stdout()).isEmpty();
        assertThat(withUserOptions.stderr()).as("what the directives' parser prints when the VM may speak")
                .startsWith("2 compiler directives added\n");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).as("why the VM refused an option of the user's").contains("Too small maximum heap");
    }

    /** The words, and the elements of the lists among them, in order. */
    private static List<String> lines(Object... words) {
        return Stream.of(words).flatMap(w -> w instanceof List<?> list ? list.stream().map(String::valueOf) : Stream.of(String.valueOf(w)))
                .toList();
    }

    private List<String> run(Copy copy, Path jdk, Path caller, String... args) {
        Child launcher = children.program(Stream.concat(Stream.of(copy.root.resolve("stowage")), Stream.of(args)).toArray()).in(caller).env("JAVA_HOME", jdk.toString()).run();
        assertThat(launcher.exitCode()).as(launcher.report()).isZero();
        return launcher.stdout().lines().toList();
    }

    /** What makes the jar stale: each row changes the copy, whose jar was fresh. */
    static Stream<Arguments> changes() {
        return Stream.of(
                change("no jar yet (first use)", root -> Files.delete(root.resolve(JAR))),
                change("a source file edited", root -> Files.writeString(root.resolve(KEYS), "final class Keys { }\n")),
                change("a source file added", root -> Files.writeString(root.resolve(KEYS).resolveSibling("Urls.java"), "")),
                change("a source file deleted", root -> Files.delete(root.resolve(KEYS))),
                change("a source file renamed", root -> Files.move(root.resolve(KEYS), root.resolve(KEYS).resolveSibling("Key.java"))),
                change("a source file moved to another package", root -> Files.move(root.resolve(KEYS),
                        Files.createDirectories(root.resolve(KEYS).resolveSibling("util")).resolve("Keys.java"))),
                change("a file copied in with its old time", root -> Files.copy(root.resolve("docs/commands.md"),
                        root.resolve("stowage-app/src/main/resources/help.md"), StandardCopyOption.COPY_ATTRIBUTES)),
                change("a resource folder deleted", root -> deleteTree(root.resolve("stowage-core/src/main/resources/META-INF"))),
                change("a module's pom.xml edited", root -> Files.writeString(root.resolve("stowage-core/pom.xml"), "<project/>\n")),
                change("the root pom.xml edited", root -> Files.writeString(root.resolve("pom.xml"), "<project/>\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void launcher_afterAChange_buildsOnce_withTheBuildsOutputOnStandardError(String change, ThrowingConsumer<Path> action)
            throws Throwable {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        Path caller = Files.createDirectories(dir.resolve("caller"));
        action.accept(copy.root);

        Child first = children.program(copy.root.resolve("stowage"), "--version").in(caller)
                .env("JAVA_HOME", jdk.toString()).run();
        Child second = children.program(copy.root.resolve("stowage"), "--version").in(caller)
                .env("JAVA_HOME", jdk.toString()).run();

        assertThat(first.exitCode()).as(first.report()).isZero();
        assertThat(copy.builds()).as(change).singleElement().asString()
                .contains("-q", "-B", "-pl stowage-app -am package -DskipTests");
        assertThat(first.stdout().lines()).as("only what java printed").containsExactlyElementsOf(lines(
                "java=" + jdk.resolve("bin/java"), "cwd=" + caller.toRealPath(), copy.leanOptions(),
                "-jar", copy.jar(), "--version"));
        assertThat(first.stderr()).contains("stowage: building", "[INFO] the stand-in build");
        assertThat(Files.readString(copy.root.resolve(JAR))).isEqualTo("the jar of build 1\n");
        assertThat(second.exitCode()).as(second.report()).isZero();
        assertThat(second.stderr()).as("the jar the first run built is fresh").isEmpty();
        assertThat(copy.builds()).hasSize(1);
    }

    @Test
    void launcher_afterChangesTheBuildDoesNotRead_buildsNothing() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        // Newer than the jar, each in a place the build does not read.
        for (String path : List.of("stowage-core/target/pom.xml", "stowage-core/target/generated/src/main/java/Gen.java",
                ".git/index", "docs/commands.md", "stowage.yaml", "examples/site/.stowage/state.db")) {
            Files.createDirectories(copy.root.resolve(path).getParent());
            Files.writeString(copy.root.resolve(path), "newer than the jar\n");
        }

        Child launcher = children.program(copy.root.resolve("stowage"), "--version").env("JAVA_HOME", jdk.toString()).run();

        assertThat(launcher.exitCode()).as(launcher.report()).isZero();
        assertThat(launcher.stderr()).isEmpty();
        assertThat(copy.builds()).isEmpty();
        assertThat(launcher.stdout().lines()).containsSubsequence("-jar", copy.jar(), "--version");
    }

    @Test
    void launcher_whenTheBuildFails_exits2_withTheWrappersOutput_andRunsNothing() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        Files.writeString(copy.root.resolve(KEYS), "not java\n");

        Child launcher = children.program(copy.root.resolve("stowage"), "--version")
                .env("JAVA_HOME", jdk.toString()).env("STAND_IN_BUILD", "fail").run();

        assertThat(launcher.exitCode()).as(launcher.report()).isEqualTo(2);
        assertThat(launcher.stdout()).as("the stale jar is not run").isEmpty();
        assertThat(launcher.stderrLines()).containsSubsequence(
                "[ERROR] Keys.java:[1,1] class, interface, enum, or record expected",
                "error: the build failed (the Maven wrapper's output is above); nothing was run");
        assertThat(copy.builds()).hasSize(1);
    }

    @Test
    void launcher_whenASourceChangesDuringTheBuild_buildsAgainOnTheNextRun() throws IOException {
        Copy copy = Copy.of(dir.resolve("repo [1] *? x"));
        Path jdk = javaHome(dir.resolve("jdk"));
        Files.delete(copy.root.resolve(JAR));

        Child first = children.program(copy.root.resolve("stowage"), "--version")
                .env("JAVA_HOME", jdk.toString()).env("STAND_IN_BUILD", "edit " + KEYS).run();
        Child second = children.program(copy.root.resolve("stowage"), "--version").env("JAVA_HOME", jdk.toString()).run();

        assertThat(first.exitCode()).as(first.report()).isZero();
        assertThat(second.exitCode()).as(second.report()).isZero();
        assertThat(second.stderr()).contains("stowage: building, since " + KEYS + " changed");
        assertThat(copy.builds()).hasSize(2);
    }

    private static Arguments change(String name, ThrowingConsumer<Path> action) {
        return Arguments.of(name, action);
    }

    /**
     * A throwaway copy of the repository's layout: this repository's launcher, a stand-in Maven
     * wrapper, POMs, a few sources, files the build does not read, and a stand-in jar newer than all
     * of them. The wrapper appends its arguments to {@code mvnw.calls}, prints a line to standard
     * output and writes {@code the jar of build N}; with {@code STAND_IN_BUILD=fail} it prints an
     * error and exits 1 instead, and with {@code STAND_IN_BUILD="edit PATH"} it changes that file
     * while it runs.
     */
    private record Copy(Path root) {
        private static final String WRAPPER = """
                #!/bin/sh
                root=$(dirname -- "$0")
                printf '%s\\n' "$*" >>"$root/mvnw.calls"
                echo "[INFO] the stand-in build"
                case "${STAND_IN_BUILD:-}" in
                  fail)
                    echo "[ERROR] Keys.java:[1,1] class, interface, enum, or record expected"
                    exit 1 ;;
                  edit\\ *)
                    # Until the file's time is past this script's start, on any clock granularity.
                    : >"$root/mvnw.started"
                    while ! [ "$root/${STAND_IN_BUILD#edit }" -nt "$root/mvnw.started" ]; do
                      touch "$root/${STAND_IN_BUILD#edit }"
                    done ;;
                esac
                mkdir -p "$root/stowage-app/target"
                echo "the jar of build $(wc -l <"$root/mvnw.calls" | tr -d ' ')" >"$root/stowage-app/target/stowage.jar"
                """;

        static Copy of(Path root) throws IOException {
            Files.createDirectories(root);
            Files.copy(Children.repositoryRoot().resolve("stowage"), root.resolve("stowage"));
            Files.createDirectories(root.resolve(DIRECTIVES).getParent());
            Files.copy(Children.repositoryRoot().resolve(DIRECTIVES), root.resolve(DIRECTIVES));
            executable(Files.writeString(root.resolve("mvnw"), WRAPPER));
            Map<String, String> files = Map.of(
                    "pom.xml", "<project><modules><module>stowage-core</module><module>stowage-app</module></modules></project>\n",
                    "stowage-core/pom.xml", "<project/>\n",
                    KEYS, "final class Keys { }\n",
                    "stowage-core/src/main/resources/META-INF/services/dev.stowage.spi.BackendProvider", "dev.stowage.local.Local\n",
                    "stowage-app/pom.xml", "<project/>\n",
                    "stowage-app/src/main/java/dev/stowage/app/Stowage.java", "final class Stowage { }\n",
                    "stowage-app/src/main/resources/logback.xml", "<configuration/>\n",
                    "docs/commands.md", "# The stowage command\n",
                    ".git/HEAD", "ref: refs/heads/main\n",
                    JAR, "the jar built before\n");
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.createDirectories(root.resolve(file.getKey()).getParent());
                Files.writeString(root.resolve(file.getKey()), file.getValue());
            }
            // Everything, folders too, an hour older than the jar: no test depends on the clock's granularity.
            Instant now = Instant.now();
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.toList()) {
                    Files.setLastModifiedTime(p, FileTime.from(now.minus(Duration.ofHours(2))));
                }
            }
            Files.setLastModifiedTime(root.resolve(JAR), FileTime.from(now.minus(Duration.ofHours(1))));
            return new Copy(root);
        }

        /** The jar's path as the launcher names it: the copy's real path, whatever links led to it. */
        String jar() {
            try {
                return root.toRealPath().resolve(JAR).toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The JVM options of every command but serve, in order, when STOWAGE_JAVA_OPTS is not set. */
        List<String> leanOptions() {
            return leanOptions("-XX:-DisplayVMOutput");
        }

        /** The same, with where the VM's own messages go. */
        List<String> leanOptions(String vmOutput) {
            try {
                return List.of("-XX:+UseSerialGC", "-XX:+UnlockDiagnosticVMOptions", vmOutput,
                        "-XX:Tier4InvocationThreshold=40", "-XX:Tier4MinInvocationThreshold=20",
                        "-XX:Tier4CompileThreshold=60", "-XX:Tier4BackEdgeThreshold=400",
                        "-XX:CompilerDirectivesFile=" + root.toRealPath().resolve(DIRECTIVES));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The arguments of each call to the wrapper, in order. */
        List<String> builds() throws IOException {
            Path calls = root.resolve("mvnw.calls");
            return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        }
    }

    /**
     * A stand-in JDK whose {@code bin/java} prints its own path, its working folder, then one argument
     * a line. Asked to unpack the native libraries, it prints nothing and unpacks none; with
     * {@code FAKE_NATIVES} (a file) set, it writes the argument file and adds a line to that file.
     */
    private static Path javaHome(Path home) throws IOException {
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        // Prints what it was asked to run, and writes the class archive a real JVM would write at exit.
        executable(Files.writeString(java, "#!/bin/sh\n"
                + "if [ \"$3\" = dev.stowage.app.NativeLibraries ]; then\n"
                + "  [ -n \"${FAKE_NATIVES:-}\" ] && mkdir -p \"$4\" && : >\"$4/jvm.options\" && echo \"$4\" >>\"$FAKE_NATIVES\"\n"
                + "  exit 0\n"
                + "fi\n"
                + "printf '%s\\n' \"java=$0\" \"cwd=$(pwd -P)\" \"$@\"\n"
                + "for a; do case $a in -XX:ArchiveClassesAtExit=*) : >\"${a#*=}\" ;; esac; done\n"));
        return home;
    }

    private static Path executable(Path file) throws IOException {
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The first {@code name} on the test JVM's PATH. */
    private static Path onPath(String name) {
        return Stream.of(System.getenv("PATH").split(":")).map(folder -> Path.of(folder, name))
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + " on PATH"));
    }

    private static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
