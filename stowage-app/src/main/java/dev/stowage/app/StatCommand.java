package dev.stowage.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stowage stat KEY}: what the backend holds at a key; exit code 1 when nothing. */
@Command(name = "stat", description = "Prints what the backend holds at KEY: size, time, content type, SHA-256.",
        exitCodeList = {"0:KEY holds an object", "1:KEY holds nothing, or the request failed",
                "2:bad arguments or configuration; nothing was done"})
final class StatCommand extends BackendCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Override
    int run(StorageBackend storage) {
        Optional<ObjectInfo> info = storage.stat(key).join();
        if (info.isEmpty()) {
            if (json) {
                Json.print(out(), Json.object().put("key", key).put("exists", false));
            } else {
                err().println("not found: " + key);
            }
            return ExitCode.FAILED;
        }
        ObjectInfo o = info.get();
        if (json) {
            Json.print(out(), describe(o).put("exists", true));
        } else {
            out().println("key:           " + o.key());
            out().println("size:          " + o.sizeBytes());
            out().println("last modified: " + o.lastModified());
            o.etag().ifPresent(v -> out().println("etag:          " + v));
            o.sha256().ifPresent(v -> out().println("sha256:        " + v));
            o.contentType().ifPresent(v -> out().println("content type:  " + v));
            o.cacheControl().ifPresent(v -> out().println("cache control: " + v));
            o.metadata().forEach((k, v) -> out().println("metadata:      " + k + "=" + v));
            out().println("url:           " + storage.getUrl(o.key()));
        }
        return ExitCode.OK;
    }

    static ObjectNode describe(ObjectInfo o) {
        ObjectNode doc = Json.object().put("key", o.key()).put("size", o.sizeBytes())
                .put("last_modified", o.lastModified().toString());
        o.etag().ifPresent(v -> doc.put("etag", v));
        o.sha256().ifPresent(v -> doc.put("sha256", v));
        o.contentType().ifPresent(v -> doc.put("content_type", v));
        o.cacheControl().ifPresent(v -> doc.put("cache_control", v));
        if (!o.metadata().isEmpty()) {
            ObjectNode meta = doc.putObject("metadata");
            o.metadata().forEach(meta::put);
        }
        return doc;
    }
}
