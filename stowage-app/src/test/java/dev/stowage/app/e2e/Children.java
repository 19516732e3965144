package dev.stowage.app.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Runs the built jar, {@code target/stowage.jar}, as child processes of a test class, and cleans
 * up after them: a child started in a test is stopped after that test, one started in
 * {@code @BeforeAll} after the class. When a test fails, the output of every child it could have
 * talked to is printed (to the test's output file, {@code target/failsafe-reports/*-output.txt}).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final Children children = new Children();
 * ...
 * Child serve = children.command("serve", folder, "--port", "0").start();
 * Child sync = children.command("sync", folder, uri).env("AWS_ACCESS_KEY_ID", id).run();
 * }</pre>
 *
 * <p>A child gets the test JVM's environment without any {@code STOWAGE_*} or {@code AWS_*}
 * variable, so a developer's own settings and credentials never reach it, and runs in a folder of
 * its own with no {@code stowage.yaml}. Its output goes to {@code target/e2e/<test class>/}.
 */
final class Children implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, TestWatcher {
    /**
     * The one JVM option of the children, as {@code STOWAGE_JAVA_OPTS} could give it: the quick
     * compiler only. A short run takes a quarter to a third less time on a two-core machine, and
     * nothing the app does changes.
     */
    static final String JIT = "-XX:TieredStopAtLevel=1";
    /** How long {@link Command#run()} lets a command take. */
    static final Duration RUN_LIMIT = Duration.ofSeconds(60);

    private final List<Child> ofClass = new CopyOnWriteArrayList<>();
    private final List<Child> ofTest = new CopyOnWriteArrayList<>();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean inTest;
    private volatile Path logs;

    /** The module's folder, {@code stowage-app}: failsafe runs the tests there. */
    static Path moduleFolder() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("stowage-app/pom.xml")) && Files.isRegularFile(p.resolve("stowage"))) {
                return p.resolve("stowage-app");
            }
        }
        throw new IllegalStateException("not inside the Stowage repository: " + here);
    }

    /** The repository's root folder, where the {@code ./stowage} launcher is. */
    static Path repositoryRoot() {
        return moduleFolder().getParent();
    }

    /**
     * The jar under test: {@code -Dstowage.jar=PATH}, else {@code stowage-app/target/stowage.jar}
     * as the {@code package} phase builds it.
     */
    static Path jar() {
        Path jar = Optional.ofNullable(System.getProperty("stowage.jar")).map(Path::of)
                .orElseGet(() -> moduleFolder().resolve("target/stowage.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": the end-to-end tests run the built jar;"
                    + " run them with 'mvnw verify' (failsafe runs after package)");
        }
        return jar;
    }

    /** The java executable of the JVM running the tests. */
    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** A command to the jar: {@code java -jar stowage.jar ARGS}; paths become their string form. */
    Command command(Object... args) {
        List<String> line = new ArrayList<>(List.of(java().toString(), JIT, "-jar", jar().toString()));
        for (Object arg : args) {
            line.add(arg.toString());
        }
        String label = line.stream().skip(4).filter(a -> a.matches("[a-z][a-z-]*")).findFirst().orElse("stowage");
        return new Command(label, line);
    }

    /** Any other command, such as the launcher script, cleaned up and reported like the jar's. */
    Command program(Object... args) {
        List<String> line = new ArrayList<>();
        for (Object arg : args) {
            line.add(arg.toString());
        }
        return new Command(Path.of(line.get(0)).getFileName().toString(), line);
    }

    /** A command to start, with its environment and working folder. */
    final class Command {
        private final String label;
        private final List<String> line;
        private final Map<String, String> set = new LinkedHashMap<>();
        private final List<String> unset = new ArrayList<>();
        private Path folder;

        private Command(String label, List<String> line) {
            this.label = label.replaceAll("[^A-Za-z0-9-]", "");
            this.line = line;
        }

        /** Sets a variable in the child's environment. */
        Command env(String name, String value) {
            set.put(name, value);
            return this;
        }

        /** Removes a variable from the child's environment. */
        Command unset(String name) {
            unset.add(name);
            return this;
        }

        /** The child's working folder (by default, its log folder). */
        Command in(Path folder) {
            this.folder = folder;
            return this;
        }

        /** Starts the child; it is stopped after the test, or after the class if started outside a test. */
        Child start() {
            Path logs = logs();
            int n = started.incrementAndGet();
            String name = String.format("%02d-%s", n, label);
            ProcessBuilder builder = new ProcessBuilder(line).directory((folder == null ? logs : folder).toFile());
            Map<String, String> environment = builder.environment();
            environment.keySet().removeIf(k -> k.startsWith("STOWAGE_") || k.startsWith("AWS_"));
            // No instance metadata look-ups: credentials and regions come from the test only.
            environment.put("AWS_EC2_METADATA_DISABLED", "true");
            unset.forEach(environment::remove);
            environment.putAll(set);
            Child child = Child.start(name, builder, logs.resolve(name + ".stdout"), logs.resolve(name + ".stderr"));
            (inTest ? ofTest : ofClass).add(child);
            return child;
        }

        /** Starts the child and waits up to {@link #RUN_LIMIT} for it to exit. */
        Child run() {
            Child child = start();
            child.awaitExit(RUN_LIMIT);
            return child;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Path folder = moduleFolder().resolve("target/e2e").resolve(context.getRequiredTestClass().getSimpleName());
        deleteTree(folder);
        logs = Files.createDirectories(folder);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ofTest.clear();
        inTest = true;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        inTest = false;
        close(context, ofTest);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close(context, ofClass);
    }

    private static void close(ExtensionContext context, List<Child> children) {
        children.forEach(Child::close);
        children.forEach(c -> System.out.println(context.getDisplayName() + ": " + c.summary()));
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        List<Child> involved = new ArrayList<>(ofClass);
        involved.addAll(ofTest);
        if (involved.isEmpty()) {
            return;
        }
        StringBuilder out = new StringBuilder("=== " + context.getDisplayName() + " failed; the processes it ran:\n");
        involved.forEach(c -> out.append(c.report()).append('\n'));
        System.out.println(out);
    }

    private Path logs() {
        if (logs == null) {
            throw new IllegalStateException("register Children as a static @RegisterExtension field");
        }
        return logs;
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
