package dev.stowage.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.sync.CacheManager;
import dev.stowage.sync.Change;
import dev.stowage.sync.FailedOperation;
import dev.stowage.sync.Plan;
import dev.stowage.sync.PublishReport;
import dev.stowage.sync.ScanProblem;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stowage sync DIR [BACKEND-URI]}: publishes a folder once, with progress and a summary. */
@Command(name = "sync", description = {"Publishes DIR to the backend once.",
        "Uploads what is new or changed, then the manifest, then deletes what left the folder. On a terminal, a"
                + " progress bar; else a line for the plan and one for each failure. Then a summary."},
        exitCodeList = {"0:everything is published", "1:some operations failed; they stay pending for the next run",
                "2:bad arguments or configuration; nothing was done"})
final class SyncCommand extends FolderCommand {
    @Option(names = "--dry-run", description = "Prints the plan and sends nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Deletes removed files even when they are more than publish.max_delete_share of the published files.")
    boolean force;

    @Override
    int run(String uri, Managers managers) {
        boolean terminal = top.progressOnTerminal() && !json;
        try (ProgressBar progress = new ProgressBar(err(), terminal); CacheManager manager = managers.open(progress)) {
            if (dryRun) {
                printPlan(out(), manager.plan().join());
                return ExitCode.OK;
            }
            PublishReport report;
            try {
                report = manager.publish(force).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (json && e.getCause() instanceof dev.stowage.StorageException failure) {
                    // A run that failed as a whole still answers a script in JSON; the error line follows.
                    Json.print(out(), Json.object().put("complete", false).put("error", failure.kind().name())
                            .put("message", Stowage.describe(failure)));
                }
                throw e;
            }
            progress.close();
            printReport(out(), report);
            return report.complete() ? ExitCode.OK : ExitCode.FAILED;
        }
    }

    private void printPlan(PrintWriter out, Plan plan) {
        if (json) {
            out.println(plan.toJson());
            return;
        }
        // Written without a flush at every line (println and printf flush): a plan may list a million files.
        String newline = System.lineSeparator();
        StringBuilder lines = new StringBuilder(1 << 16);
        for (Change c : plan.uploads()) {
            lines.append("upload ").append(c.key()).append(c.added() ? " (added, " : " (modified, ")
                    .append(ProgressBar.size(c.size())).append(')').append(newline);
            writeIfLong(out, lines);
        }
        for (String key : plan.deletes()) {
            lines.append("delete ").append(key).append(newline);
            writeIfLong(out, lines);
        }
        out.write(lines.toString());
        plan.scan().problems().forEach(p -> out.println("skip " + p));
        out.printf("plan: %d uploads (%s), %d deletes, %d files published now%n", plan.uploads().size(),
                ProgressBar.size(plan.uploadBytes()), plan.deletes().size(), plan.publishedFiles());
        plan.refusal().ifPresent(r -> out.println("a publish would stop: " + r + "; --force deletes anyway"));
    }

    private static void writeIfLong(PrintWriter out, StringBuilder lines) {
        if (lines.length() >= 1 << 16) {
            out.write(lines.toString());
            lines.setLength(0);
        }
    }

    private void printReport(PrintWriter out, PublishReport report) {
        if (json) {
            ObjectNode doc = Json.object()
                    .put("complete", report.complete())
                    .put("files", report.scan().files())
                    .put("uploaded", report.uploaded())
                    .put("uploaded_bytes", report.uploadedBytes())
                    .put("deleted", report.deleted())
                    .put("failed", report.failedCount())
                    .put("deletes_held_back", report.deletesHeldBack())
                    .put("pending", report.pending())
                    .put("manifest_uploaded", report.manifestUploaded())
                    .put("skipped", report.scan().problemCount())
                    .put("elapsed_ms", report.elapsed().toMillis())
                    .put("scan_ms", report.scan().elapsed().toMillis());
            ArrayNode failures = doc.putArray("failures");
            for (FailedOperation f : report.failed()) {
                failures.addObject().put("key", f.key()).put("operation", f.operation().name())
                        .put("kind", f.kind().name()).put("message", f.message());
            }
            ArrayNode skipped = doc.putArray("skipped_files");
            for (ScanProblem p : report.scan().problems()) {
                skipped.addObject().put("path", p.path().toString()).put("reason", p.reason());
            }
            Json.print(out, doc);
            return;
        }
        // Each failure had its line on standard error as it happened; the files the scan left out get theirs now.
        report.scan().problems().forEach(p -> err().println("skipped " + p));
        out.println(report.summary());
    }
}
