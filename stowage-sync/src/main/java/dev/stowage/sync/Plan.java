package dev.stowage.sync;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a publish would do, from a dry run: every file it would upload and every key it would
 * delete, in key order, and whether it would be refused for deleting too much.
 *
 * @param uploads        files to upload, added or modified
 * @param deletes        keys to delete
 * @param uploadBytes    bytes to upload
 * @param publishedFiles files the target holds now
 * @param refusal        why a publish would not start unless forced, if it would not
 * @param scan           the scan the plan is made from
 */
public record Plan(List<Change> uploads, List<String> deletes, long uploadBytes, long publishedFiles,
                   Optional<String> refusal, ScanReport scan) {
    private static final JsonFactory JSON = new JsonFactory();

    public Plan {
        uploads = List.copyOf(uploads);
        deletes = List.copyOf(deletes);
        Objects.requireNonNull(refusal, "refusal");
        Objects.requireNonNull(scan, "scan");
    }

    /** True when a publish would send nothing. */
    public boolean isEmpty() {
        return uploads.isEmpty() && deletes.isEmpty();
    }

    /**
     * The plan as JSON: {@code {"uploads":[{"key","size","sha256","change":"added"|"modified"}],
     * "deletes":[key...],"upload_bytes":n,"published_files":n,"refusal":text|null,
     * "scan_problems":[{"path","reason"}]}}.
     */
    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeArrayFieldStart("uploads");
            for (Change c : uploads) {
                json.writeStartObject();
                json.writeStringField("key", c.key());
                json.writeNumberField("size", c.size());
                json.writeStringField("sha256", c.sha256());
                json.writeStringField("change", c.added() ? "added" : "modified");
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("deletes");
            for (String key : deletes) {
                json.writeString(key);
            }
            json.writeEndArray();
            json.writeNumberField("upload_bytes", uploadBytes);
            json.writeNumberField("published_files", publishedFiles);
            json.writeStringField("refusal", refusal.orElse(null));
            json.writeArrayFieldStart("scan_problems");
            for (ScanProblem p : scan.problems()) {
                json.writeStartObject();
                json.writeStringField("path", p.path().toString());
                json.writeStringField("reason", p.reason());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
