package dev.stowage.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.sync.CacheManager;
import dev.stowage.sync.Difference;
import dev.stowage.sync.PublishListener;
import dev.stowage.sync.VerifyReport;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stowage verify DIR [BACKEND-URI]}: compares what the backend holds with what was published. */
@Command(name = "verify", description = {"Checks that the backend holds what was published from DIR.",
        "Compares what the backend holds with what was published from DIR and with the manifest, and names"
                + " each difference."},
        exitCodeList = {"0:they agree, or --repair fixed every difference", "1:differences remain, or a request failed",
                "2:bad arguments or configuration; nothing was done"})
final class VerifyCommand extends FolderCommand {
    @Option(names = "--deep", description = "Also checks each object's stored SHA-256 (one request per object on S3).")
    boolean deep;

    @Option(names = "--repair", description = "Uploads what is missing or different and deletes extra objects.")
    boolean repair;

    @Override
    int run(String uri, Managers managers) {
        try (CacheManager manager = managers.open(PublishListener.NONE)) {
            VerifyReport report = manager.verify(deep, repair).join();
            print(out(), report);
            boolean fixed = report.repair().map(r -> r.complete() && report.extrasHeldBack() == 0).orElse(false);
            return report.clean() || fixed ? ExitCode.OK : ExitCode.FAILED;
        }
    }

    private void print(PrintWriter out, VerifyReport report) {
        if (json) {
            ObjectNode doc = Json.object().put("clean", report.clean()).put("listed", report.listed())
                    .put("published", report.published()).put("extras_deleted", report.extrasDeleted())
                    .put("extras_held_back", report.extrasHeldBack());
            ObjectNode counts = doc.putObject("counts");
            report.counts().forEach((kind, n) -> counts.put(kind.name().toLowerCase(java.util.Locale.ROOT), n));
            ArrayNode list = doc.putArray("differences");
            for (Difference d : report.differences()) {
                list.addObject().put("key", d.key()).put("kind", d.kind().name()).put("detail", d.detail());
            }
            report.repair().ifPresent(r -> doc.put("repair", r.summary()));
            Json.print(out, doc);
            return;
        }
        report.differences().forEach(out::println);
        report.repair().ifPresent(r -> out.println("repair: " + r.summary()
                + (report.extrasDeleted() > 0 ? ", " + report.extrasDeleted() + " extra objects deleted" : "")));
        out.println(report.clean() ? "clean: the backend holds what was published (" + report.published() + " files)"
                : report.differenceCount() + " differences in " + report.listed() + " objects listed");
    }
}
