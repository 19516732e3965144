package dev.stowage.app.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stowage sync} and {@code stowage verify}, the built jar in processes of their own, against
 * the in-process S3 server, with the credentials in the child's environment as the AWS chain reads
 * them. Every run is checked for the secret key in its output.
 */
class SyncIT {
    @RegisterExtension
    static final Children children = new Children();

    @TempDir
    Path dir;

    @Test
    void sync_uploadsEveryFileByteExactAndTheManifest_andASecondSyncHasNothingToDo() throws IOException {
        Path folder = Site.write(dir.resolve("site"));
        SortedMap<String, String> hashes = Site.hashes(folder);
        long bytes = totalSize(folder);
        String bucket = Buckets.server().createBucket();
        String uri = Buckets.uri(bucket, Buckets.server().endpoint());

        Child first = stowage("sync", "--json", folder, uri);

        assertThat(first.exitCode()).as(first.report()).isZero();
        JsonNode report = Http.json(first.stdout());
        assertThat(report.get("complete").asBoolean()).as(report.toString()).isTrue();
        assertThat(report.get("files").asInt()).isEqualTo(hashes.size());
        assertThat(report.get("uploaded").asInt()).isEqualTo(hashes.size());
        assertThat(report.get("uploaded_bytes").asLong()).isEqualTo(bytes);
        assertThat(report.get("failed").asInt()).isZero();
        assertThat(report.get("pending").asInt()).isZero();
        assertThat(report.get("manifest_uploaded").asBoolean()).isTrue();
        assertThat(report.get("scan_ms").asLong()).isNotNegative().isLessThanOrEqualTo(report.get("elapsed_ms").asLong());
        assertThat(report.get("failures")).isEmpty();
        Buckets.assertHolds(bucket, hashes, Buckets.server().endpoint());

        Child second = stowage("sync", folder, uri);

        assertThat(second.exitCode()).as(second.report()).isZero();
        assertThat(second.stdout().strip()).as("the summary").startsWith(hashes.size() + " files: 0 uploaded (0 bytes), 0 deleted");
        Buckets.assertHolds(bucket, hashes, Buckets.server().endpoint());
    }

    @Test
    void verify_isClean_thenNamesAnObjectDeletedBehindItsBackAsMissing_andRepairRestoresIt() throws IOException {
        Path folder = Site.write(dir.resolve("site"));
        SortedMap<String, String> hashes = Site.hashes(folder);
        String bucket = Buckets.server().createBucket();
        String uri = Buckets.uri(bucket, Buckets.server().endpoint());
        Child sync = stowage("sync", folder, uri);
        assertThat(sync.exitCode()).as(sync.report()).isZero();

        Child clean = stowage("verify", folder, uri);

        assertThat(clean.exitCode()).as(clean.report()).isZero();
        assertThat(clean.stdout().strip()).as(clean.report())
                .isEqualTo("clean: the backend holds what was published (" + hashes.size() + " files)");

        Buckets.delete(bucket, Site.SVG);
        Child missing = stowage("verify", folder, uri);

        assertThat(missing.exitCode()).as(missing.report()).isEqualTo(1);
        assertThat(missing.stdout().lines().filter(l -> l.matches("[A-Z]+ .*: .*"))).as("the differences")
                .singleElement().satisfies(l -> assertThat(l).startsWith("MISSING " + Site.SVG + ": "));

        Child repair = stowage("verify", "--repair", folder, uri);

        assertThat(repair.exitCode()).as(repair.report()).isZero();
        assertThat(repair.stdout()).contains("repair:");
        Buckets.assertHolds(bucket, hashes, Buckets.server().endpoint());
    }

    @Test
    void dryRun_printsThePlanAsJson_andSendsNothing() throws IOException {
        Path folder = Site.write(dir.resolve("site"));
        SortedMap<String, String> hashes = Site.hashes(folder);
        String bucket = Buckets.server().createBucket();
        String uri = Buckets.uri(bucket, Buckets.server().endpoint());

        Child plan = stowage("sync", "--dry-run", "--json", folder, uri);

        assertThat(plan.exitCode()).as(plan.report()).isZero();
        JsonNode json = Http.json(plan.stdout());
        assertThat(uploads(json, folder)).isEqualTo(toEach(hashes, "added"));
        assertThat(json.get("deletes")).isEmpty();
        assertThat(json.get("upload_bytes").asLong()).isEqualTo(totalSize(folder));
        assertThat(Buckets.server().keys(bucket)).as("a dry run sends nothing").isEmpty();

        assertThat(stowage("sync", folder, uri).exitCode()).isZero();
        SortedMap<String, String> published = Buckets.content(bucket);
        Site.write(folder, "index.html", "<!doctype html><title>changed</title>\n".getBytes(UTF_8));
        Site.write(folder, "docs/new page.html", "<!doctype html><title>new</title>\n".getBytes(UTF_8));
        Files.delete(folder.resolve("docs/style.css"));

        Child changes = stowage("sync", "--dry-run", "--json", folder, uri);

        assertThat(changes.exitCode()).as(changes.report()).isZero();
        JsonNode changed = Http.json(changes.stdout());
        assertThat(uploads(changed, folder)).containsOnlyKeys("index.html", "docs/new page.html")
                .containsEntry("index.html", "modified " + Site.sha256(folder.resolve("index.html")))
                .containsEntry("docs/new page.html", "added " + Site.sha256(folder.resolve("docs/new page.html")));
        assertThat(changed.get("deletes")).extracting(JsonNode::asText).containsExactly("docs/style.css");
        assertThat(Buckets.content(bucket)).as("a dry run sends nothing").isEqualTo(published);
    }

    @Test
    void aFailingSync_withVerboseErrorsAndTraceLogging_neverPrintsTheSecret() throws IOException {
        Path folder = Site.write(dir.resolve("site"));
        String bucket = Buckets.server().createBucket();

        // The real secret with an unknown key id: every request is refused, and errors print in full.
        Child refused = checked(Buckets.withCredentials(children.command("-v", "sync", folder,
                        Buckets.uri(bucket, Buckets.server().endpoint())))
                .env("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN0000")
                .env("STOWAGE_LOGGING_LEVEL", "trace")
                .run());

        // A target the state does not record yet must answer a listing before any upload: it does not.
        assertThat(refused.exitCode()).as(refused.report()).isEqualTo(1);
        assertThat(refused.stdout()).as(refused.report()).isEmpty();
        assertThat(refused.stderr()).as(refused.report()).contains("error: ACCESS_DENIED at LIST", "InvalidAccessKeyId")
                .contains("\tat dev.stowage.");
        assertThat(Buckets.server().keys(bucket)).isEmpty();
    }

    @Test
    void loggingLevelWarn_leavesOutTheInfoLines() throws IOException {
        Path folder = Site.write(dir.resolve("site"));

        // A backend in memory: the run logs at INFO what it published, and needs no server.
        Child quiet = children.command("--set", "logging.level=warn", "sync", folder, "memory:").run();

        assertThat(quiet.exitCode()).as(quiet.report()).isZero();
        assertThat(quiet.stderrLines()).as("logged at INFO with logging.level=warn")
                .noneMatch(l -> l.matches("\\[[^]]+] INFO .*"));
    }

    /** Runs the jar with the S3 server's credentials; checks that the secret is nowhere in its output. */
    private Child stowage(Object... args) {
        return checked(Buckets.withCredentials(children.command(args)).run());
    }

    /** {@code child}, once checked for the secret key in its output. */
    private static Child checked(Child child) {
        String secret = Buckets.server().secretAccessKey();
        assertThat(child.stdout()).as("stdout of %s", child).doesNotContain(secret);
        assertThat(child.stderr()).as("stderr of %s", child).doesNotContain(secret);
        return child;
    }

    /** A plan's uploads as key to "change sha256", after checking each size against the file in {@code folder}. */
    private static Map<String, String> uploads(JsonNode plan, Path folder) {
        Map<String, String> uploads = new TreeMap<>();
        StreamSupport.stream(plan.get("uploads").spliterator(), false).forEach(u -> {
            String key = u.get("key").asText();
            assertThat(u.get("size").asLong()).as(key).isEqualTo(size(folder.resolve(key)));
            uploads.put(key, u.get("change").asText() + " " + u.get("sha256").asText());
        });
        return uploads;
    }

    private static Map<String, String> toEach(SortedMap<String, String> hashes, String change) {
        Map<String, String> each = new TreeMap<>();
        hashes.forEach((key, sha256) -> each.put(key, change + " " + sha256));
        return each;
    }

    private static long totalSize(Path folder) throws IOException {
        long total = 0;
        for (Path file : Site.files(folder).values()) {
            total += Files.size(file);
        }
        return total;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
