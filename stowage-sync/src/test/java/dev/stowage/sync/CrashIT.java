package dev.stowage.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.Keys;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.Urls;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.local.LocalBackend;
import dev.stowage.memory.MemoryBackend;
import dev.stowage.s3.S3Backend;
import dev.stowage.s3.S3Config;
import dev.stowage.s3.S3Preset;
import dev.stowage.testkit.CountingLayer;
import dev.stowage.testkit.S3TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crashes: a child JVM ({@link PublishChild}) publishes a folder and is killed with SIGKILL
 * at several points, once while it scans and then once it has put about 10%, 50% and 90% of the
 * files on the target, each time picking up from the state the last one left. After each kill the
 * state is never ahead of the target: every file it records as published is there with exactly
 * that content, and so is every file of a manifest on the target. A run in this JVM on the same
 * state then completes the mirror, uploading only what the state did not record, and the run after
 * it sends nothing.
 *
 * <p>The S3 target is a server of this class's own in this JVM, which the child reaches over TCP
 * like any S3 endpoint. Each child's output goes to files in the test's folder, and is printed
 * once the test ends.
 */
@Timeout(120)
class CrashIT {
    private static final String BASE_URL = "http://127.0.0.1:8080/";
    private static final String PREFIX = "crash/";
    private static final String MANIFEST = "manifest.json";
    /** Where to kill each child: 0 once it has opened the state and begun the run, then shares of the files on the target. */
    private static final double[] KILL_AT = {0, 0.10, 0.50, 0.90};
    /** The upload in parts cut by a kill: parts of the smallest size S3 allows. */
    private static final int PART_SIZE = 5 << 20;
    private static final int PARTS = 12;
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final RetryPolicy QUICK = new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20), 0.5);

    private static S3TestServer server;

    @TempDir
    Path dir;
    private final List<Child> children = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = S3TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Kills what is left, and prints what each child printed: failsafe keeps it in the test's output file. */
    @AfterEach
    void killChildren() throws InterruptedException {
        for (Child child : children) {
            child.process.destroyForcibly();
            child.process.waitFor(10, TimeUnit.SECONDS);
            System.out.println("child " + child.name + " (pid " + child.process.pid() + "):" + child.output());
        }
    }

    @Test
    void killedWhilePublishingToAFolder_theStateIsNeverAheadOfTheTarget_andTheNextRunCompletesIt() throws Exception {
        Path root = dir.resolve("site");
        SortedMap<String, String> files = OddTree.write(root, 3_000, 31);
        Path folder = dir.resolve("published");
        Target target = new FolderTarget(folder);

        crashRepeatedly(root, target, files);

        List<Path> leftovers = OddTree.hiddenEntries(folder);
        System.out.println(leftovers.size() + " temporary files left in the mirror: " + leftovers);
        assertThat(leftovers).as("all that the mirror holds besides the files: temporary files"
                        + " of the uploads the kills cut short, which every listing leaves out")
                .allSatisfy(p -> assertThat(p.getFileName().toString()).startsWith(LocalBackend.TEMP_PREFIX).endsWith(".tmp"));
    }

    @Test
    void killedWhilePublishingToS3_theStateIsNeverAheadOfTheBucket_andTheNextRunCompletesIt() throws Exception {
        Path root = dir.resolve("site");
        SortedMap<String, String> files = OddTree.write(root, 500, 32);

        crashRepeatedly(root, new BucketTarget(server.createBucket()), files);
    }

    @Test
    void killedInTheMiddleOfAnUploadInParts_theNextRunResumesIt_sendingOnlyTheMissingParts() throws Exception {
        Path root = dir.resolve("site");
        byte[] big = new byte[PARTS * PART_SIZE];
        new java.util.Random(33).nextBytes(big);
        OddTree.writeAged(root, "video/big clip.bin", big);
        OddTree.writeAged(root, "index.html", "<h1>clip</h1>".getBytes(StandardCharsets.UTF_8));
        String bucket = server.createBucket();
        Path state = dir.resolve("state/state.db");
        BucketTarget target = new BucketTarget(bucket);
        String[] args = target.childArgs(root, state);
        String[] withParts = java.util.Arrays.copyOf(args, args.length + 1);
        withParts[args.length] = Integer.toString(PART_SIZE);

        Child child = start("multipart", withParts);
        child.await("a third of the parts sent", () -> child.sentBytes() >= PARTS / 3 * (long) PART_SIZE);
        assertThat(child.process.isAlive()).as("still uploading: %s", child.output()).isTrue();
        child.process.destroyForcibly();
        assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(server.multipartUploads(bucket)).as("the cut upload stays on the server").hasSize(1);
        try (StateStore store = StateStore.open(state)) {
            assertThat(store.upload("video/big clip.bin")).as("and in the state's journal").isPresent();
            assertThat(store.published("video/big clip.bin")).isEmpty();
        }
        PartCounter parts = new PartCounter();
        try (S3Backend s3 = S3Backend.builder(target.config().multipartThresholdBytes(PART_SIZE).partSizeBytes(PART_SIZE)
                .build()).interceptor(parts).build();
             CacheManager manager = CacheManager.builder(root, s3).stateFile(state).retryPolicy(QUICK).build()) {
            PublishReport report = manager.publish().join();

            assertThat(report.complete()).as(report.summary()).isTrue();
            assertThat(parts.count()).as("the parts stored before the kill are not sent again")
                    .isPositive().isLessThanOrEqualTo(PARTS - PARTS / 3 + 1);
            assertThat(OddTree.sha256(server.read(bucket, PREFIX + "video/big clip.bin").orElseThrow()))
                    .isEqualTo(OddTree.sha256(big));
            assertThat(server.multipartUploads(bucket)).as("no upload left to bill").isEmpty();
            assertThat(manager.state().upload("video/big clip.bin")).isEmpty();
        }
    }

    /** Counts the UploadPart requests a backend sends. */
    private static final class PartCounter implements software.amazon.awssdk.core.interceptor.ExecutionInterceptor {
        private final java.util.concurrent.atomic.AtomicInteger parts = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                                    software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
            if (context.request() instanceof software.amazon.awssdk.services.s3.model.UploadPartRequest) {
                parts.incrementAndGet();
            }
        }

        int count() {
            return parts.get();
        }
    }

    @Test
    void aSecondProcess_onAStateAChildHolds_isRefusedAtOnce_namingTheChildsPid() throws Exception {
        Path root = dir.resolve("site");
        OddTree.writeAged(root, "a.txt", "a".getBytes(StandardCharsets.UTF_8));
        Path state = dir.resolve("state/state.db");
        Child holder = start("holder", "hold", root.toString(), state.toString());
        holder.awaitLine("ready ");

        try (MemoryBackend memory = MemoryBackend.builder().baseUrl("https://cdn.example.com/").build()) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> CacheManager.builder(root, memory).stateFile(state).build())
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("CONFLICT")
                    .hasMessageContaining("is in use by another Stowage process (pid " + holder.process.pid() + ")");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused at once").isLessThan(Duration.ofSeconds(2));

            holder.process.destroyForcibly();
            assertThat(holder.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            try (CacheManager manager = CacheManager.builder(root, memory).stateFile(state).build()) {
                assertThat(manager.publish().join().complete()).as("the lock of a killed process is free").isTrue();
            }
        }
    }

    /**
     * Publishes {@code root} to {@code target} in children killed at each point of {@link #KILL_AT},
     * checking the state against the target after each kill; then completes the mirror in this JVM.
     */
    private void crashRepeatedly(Path root, Target target, SortedMap<String, String> files) throws Exception {
        Path state = dir.resolve("state/state.db");
        long published = 0;
        List<String> kills = new ArrayList<>();
        for (double share : KILL_AT) {
            long started = System.nanoTime();
            Child child = start("publish-" + (int) (share * 100), target.childArgs(root, state));
            if (share == 0) {
                child.awaitLine("ready ");
            } else {
                int due = (int) (share * files.size());
                child.await(due + " files on the target", () -> target.fileCount() >= due);
            }
            assertThat(child.process.isAlive()).as("the child publishes still when killed: %s", child.output()).isTrue();
            child.process.destroyForcibly();
            assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).as("killed").isTrue();

            long recorded = assertStateNotAheadOfTarget(state, target, files);
            assertThat(recorded).as("what earlier children recorded stays recorded").isGreaterThanOrEqualTo(published);
            published = recorded;
            kills.add(String.format("killed at %.0f%% after %d ms: %d files on the target, %d recorded", 100 * share,
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), target.fileCount(), recorded));
        }
        System.out.println(target + ": " + kills);
        assertThat(published).as("the kills came before the end: %s", kills).isLessThan(files.size());

        CountingLayer counting = new CountingLayer();
        try (StorageBackend backend = target.open();
             CacheManager manager = CacheManager.builder(root, backend.with(counting)).stateFile(state)
                     .retryPolicy(QUICK).build()) {
            PublishReport last = manager.publish().join();

            assertThat(last.complete()).as(last.summary()).isTrue();
            assertThat(last.uploaded()).as("only what the state did not record goes up: %s", kills)
                    .isEqualTo(files.size() - published);
            assertThat(target.content()).as("the target, besides the manifest").isEqualTo(files);
            assertManifestLists(target, files);

            counting.reset();
            PublishReport again = manager.publish().join();
            assertThat(counting.requests()).as("requests: %s", counting.log()).isZero();
            assertThat(again.scan().hashedBytes()).isZero();
        }
    }

    /**
     * Every file the state records as published is on the target with that content, the content of
     * the file in the folder; the state records nothing else; and a manifest on the target names
     * only files the target holds with the content it names. Returns how many files the state records.
     */
    private static long assertStateNotAheadOfTarget(Path stateFile, Target target, SortedMap<String, String> files)
            throws IOException {
        long recorded = 0;
        try (StateStore state = StateStore.open(stateFile)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                Optional<PublishedFile> published = state.published(file.getKey());
                if (published.isEmpty()) {
                    continue;
                }
                recorded++;
                PublishedFile p = published.get();
                assertThat(p.sha256()).as("recorded content of %s", p.key()).isEqualTo(file.getValue());
                assertThat(p.url()).isEqualTo(target.url(p.key()));
                byte[] held = target.read(p.key()).orElseThrow(() ->
                        new AssertionError("the state records " + p.key() + " as published; the target lacks it"));
                assertThat(OddTree.sha256(held)).as("content of %s on the target", p.key()).isEqualTo(p.sha256());
                assertThat((long) held.length).isEqualTo(p.size());
            }
            assertThat(state.publishedCount()).as("files recorded as published").isEqualTo(recorded);
        }
        Optional<byte[]> manifest = target.read(MANIFEST);
        if (manifest.isPresent()) {
            for (ManifestEntry entry : Manifest.read(new ByteArrayInputStream(manifest.get())).files()) {
                assertThat(target.read(entry.key()).map(OddTree::sha256)).as("%s, named by the manifest", entry.key())
                        .hasValue(entry.sha256());
            }
        }
        return recorded;
    }

    private static void assertManifestLists(Target target, SortedMap<String, String> files) throws IOException {
        byte[] bytes = target.read(MANIFEST).orElseThrow(() -> new AssertionError("no manifest on the target"));
        List<ManifestEntry> entries = Manifest.read(new ByteArrayInputStream(bytes)).files();
        assertThat(entries).extracting(ManifestEntry::key).containsExactlyElementsOf(files.keySet());
        for (ManifestEntry entry : entries) {
            assertThat(entry.sha256()).as(entry.key()).isEqualTo(files.get(entry.key()));
            assertThat(entry.url()).as(entry.key()).isEqualTo(target.url(entry.key()));
        }
    }

    // ---- children --------------------------------------------------------------------------------

    private Child start(String name, String... args) throws IOException {
        Path out = dir.resolve("child-" + name + ".out");
        Path err = dir.resolve("child-" + name + ".err");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                PublishChild.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put(PublishChild.ACCESS_KEY_ENV, server.accessKeyId());
        builder.environment().put(PublishChild.SECRET_KEY_ENV, server.secretAccessKey());
        Child child = new Child(name, builder.start(), out, err);
        children.add(child);
        return child;
    }

    /** A child process, its standard input kept open so that it lives no longer than this JVM. */
    private record Child(String name, Process process, Path out, Path err) {

        void awaitLine(String prefix) throws InterruptedException {
            await("a line starting '" + prefix + "'", () -> read(out).lines().anyMatch(l -> l.startsWith(prefix)));
        }

        /** Waits until the condition holds, failing with the child's output if it exits first or takes too long. */
        void await(String what, BooleanSupplier condition) throws InterruptedException {
            Instant deadline = Instant.now().plus(AWAIT);
            while (!condition.getAsBoolean()) {
                if (!process.isAlive()) {
                    throw new AssertionError("child " + name + " exited (" + process.exitValue() + ") before " + what
                            + ": " + output());
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("child " + name + " did not reach " + what + " in " + AWAIT + ": " + output());
                }
                Thread.sleep(20);
            }
        }

        /** The last {@code sent <bytes>} the child printed, or 0. */
        long sentBytes() {
            return read(out).lines().filter(l -> l.startsWith("sent ")).mapToLong(l -> Long.parseLong(l.substring(5)))
                    .max().orElse(0);
        }

        String output() {
            return "\n--- " + out + " ---\n" + read(out) + "\n--- " + err + " ---\n" + read(err);
        }

        private static String read(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---- targets ---------------------------------------------------------------------------------

    /** Where the children publish, seen from this JVM without the backend under test where it can be. */
    private interface Target {
        /** The arguments for a child publishing {@code root} with {@code state} to this target. */
        String[] childArgs(Path root, Path state);

        /** A backend for this target, for the run in this JVM. */
        StorageBackend open();

        /** The files on the target now, the manifest left out. */
        int fileCount();

        Optional<byte[]> read(String key);

        /** Every file on the target as key to SHA-256, the manifest left out. */
        SortedMap<String, String> content();

        URI url(String key);
    }

    /** A folder the children fill through a {@link LocalBackend} that copies the files. */
    private record FolderTarget(Path folder) implements Target {
        @Override
        public String[] childArgs(Path root, Path state) {
            return new String[] {"publish", root.toString(), state.toString(), "local", folder.toString(), BASE_URL};
        }

        @Override
        public StorageBackend open() {
            return LocalBackend.builder().basePath(folder).baseUrl(BASE_URL).ownsFiles(true).build();
        }

        /** Counts while a child writes: temporary files come and go, and a walk must not trip on them. */
        @Override
        public int fileCount() {
            int[] count = {0};
            try {
                Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                        return d.getFileName().toString().startsWith(".") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String name = file.getFileName().toString();
                        boolean manifest = file.getParent().equals(folder) && name.equals(MANIFEST);
                        if (attrs.isRegularFile() && !name.startsWith(".") && !manifest) {
                            count[0]++;
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return count[0];
        }

        @Override
        public Optional<byte[]> read(String key) {
            Path file = folder.resolve(key);
            try {
                return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public SortedMap<String, String> content() {
            SortedMap<String, String> content = OddTree.content(folder);
            content.remove(MANIFEST);
            return content;
        }

        @Override
        public URI url(String key) {
            return Urls.join(URI.create(BASE_URL), key);
        }
    }

    /** A bucket of this class's S3 server, under a prefix, read through the server's store. */
    private record BucketTarget(String bucket) implements Target {
        @Override
        public String[] childArgs(Path root, Path state) {
            return new String[] {"publish", root.toString(), state.toString(), "s3", server.endpoint().toString(), bucket,
                    PREFIX};
        }

        @Override
        public StorageBackend open() {
            return S3Backend.create(config().build());
        }

        S3Config.Builder config() {
            return S3Config.builder(S3Preset.GENERIC).endpointUrl(server.endpoint().toString())
                    .region(S3TestServer.REGION).pathStyle(true).bucketName(bucket).bucketPrefix(PREFIX)
                    .credentials(server.accessKeyId(), server.secretAccessKey());
        }

        @Override
        public int fileCount() {
            return (int) server.keys(bucket).stream().filter(k -> !k.equals(PREFIX + MANIFEST)).count();
        }

        @Override
        public Optional<byte[]> read(String key) {
            return server.read(bucket, PREFIX + key);
        }

        @Override
        public SortedMap<String, String> content() {
            SortedMap<String, String> content = new TreeMap<>(Keys.ORDER);
            for (String key : server.keys(bucket)) {
                assertThat(key).as("every key in the bucket is under the prefix").startsWith(PREFIX);
                content.put(key.substring(PREFIX.length()), OddTree.sha256(server.read(bucket, key).orElseThrow()));
            }
            content.remove(MANIFEST);
            return content;
        }

        @Override
        public URI url(String key) {
            return Urls.join(URI.create(server.endpoint() + "/" + bucket + "/" + PREFIX), key);
        }
    }
}
