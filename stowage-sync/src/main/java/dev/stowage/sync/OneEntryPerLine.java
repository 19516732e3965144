package dev.stowage.sync;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import java.io.IOException;

/**
 * The manifest's layout: compact JSON, except that each element of the (only) array starts a line
 * of its own, so that a diff between two manifests shows one line per changed file.
 *
 * <pre>{@code
 * {"version":1,"generated_at":"...","files":[
 * {"key":"a",...},
 * {"key":"b",...}
 * ]}
 * }</pre>
 *
 * <p>Stateless, so one instance serves every generator, on any thread.
 */
final class OneEntryPerLine implements PrettyPrinter {
    static final OneEntryPerLine INSTANCE = new OneEntryPerLine();

    private OneEntryPerLine() {
    }

    @Override
    public void writeRootValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw('\n');
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
        g.writeRaw('{');
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) {
        // Entries follow the brace directly.
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(':');
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
        g.writeRaw(',');
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) throws IOException {
        g.writeRaw('}');
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
        g.writeRaw('[');
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
        g.writeRaw('\n'); // called only before a first element: an empty array stays "[]"
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(",\n");
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) throws IOException {
        g.writeRaw(values > 0 ? "\n]" : "]");
    }
}
