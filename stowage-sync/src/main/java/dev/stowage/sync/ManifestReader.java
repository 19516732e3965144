package dev.stowage.sync;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a manifest token by token, so that every error can say which field of which entry is wrong
 * and where, rather than what a data-binding layer would make of it.
 *
 * <p>One instance reads one document on one thread.
 */
final class ManifestReader {
    private final JsonParser parser;
    private final String source;

    private ManifestReader(JsonParser parser, String source) {
        this.parser = parser;
        this.source = source;
    }

    /**
     * Reads one manifest to the end of the stream, which stays open.
     *
     * @param source how error messages start, such as {@code manifest /srv/site/manifest.json}
     */
    static Manifest read(InputStream in, String source) throws IOException {
        try (JsonParser parser = Manifest.JSON.createParser(in)) {
            return new ManifestReader(parser, source).document();
        } catch (Malformed e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new Malformed(source + ": " + describe(e), e);
        } catch (IOException e) {
            // The stream failed, not the document: say whose stream it was, keep the cause.
            throw new IOException(source + ": could not be read: " + e.getMessage(), e);
        }
    }

    private Manifest document() throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw problem("is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw problem("must be a JSON object, not " + kind(first));
        }
        Integer version = null;
        Instant generatedAt = null;
        List<ManifestEntry> files = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            JsonToken value = parser.nextToken();
            switch (name) {
                // The version is written first, so a newer document is refused before its files are
                // read under rules that may no longer be its own.
                case Manifest.VERSION -> version = version(value);
                case Manifest.GENERATED_AT -> generatedAt = generatedAt(value);
                case Manifest.FILES -> files = files(value);
                default -> parser.skipChildren(); // a field from a newer release: ignored by design
            }
        }
        if (parser.nextToken() != null) {
            throw problem("has more after the manifest's closing brace");
        }
        if (version == null) {
            throw problem(Manifest.VERSION + " is missing");
        }
        if (generatedAt == null) {
            throw problem(Manifest.GENERATED_AT + " is missing");
        }
        if (files == null) {
            throw problem(Manifest.FILES + " is missing");
        }
        return new Manifest(version, generatedAt, files);
    }

    private int version(JsonToken value) throws IOException {
        expect(value, JsonToken.VALUE_NUMBER_INT, Manifest.VERSION, "a whole number");
        BigInteger version = parser.getBigIntegerValue(); // any size, so 1e30 digits do not overflow into a small number
        if (version.signum() <= 0) {
            throw problem(Manifest.VERSION + " must be 1 or more: " + version);
        }
        if (version.compareTo(BigInteger.valueOf(Manifest.CURRENT_VERSION)) > 0) {
            throw problem(Manifest.VERSION + " " + version + " is newer than this release reads (up to "
                    + Manifest.CURRENT_VERSION + "): upgrade Stowage to read it");
        }
        return version.intValueExact();
    }

    private Instant generatedAt(JsonToken value) throws IOException {
        expect(value, JsonToken.VALUE_STRING, Manifest.GENERATED_AT, "a string");
        try {
            return Instant.parse(parser.getText());
        } catch (DateTimeParseException e) {
            throw problem(Manifest.GENERATED_AT + " must be an ISO-8601 instant such as 2026-11-30T14:00:00Z");
        }
    }

    private List<ManifestEntry> files(JsonToken value) throws IOException {
        expect(value, JsonToken.START_ARRAY, Manifest.FILES, "an array");
        List<ManifestEntry> files = new ArrayList<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            files.add(entry(token, Manifest.FILES + "[" + files.size() + "]"));
        }
        return files;
    }

    private ManifestEntry entry(JsonToken first, String path) throws IOException {
        expect(first, JsonToken.START_OBJECT, path, "an object");
        String key = null;
        Long size = null;
        String sha256 = null;
        URI url = null;
        boolean pending = false;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            JsonToken value = parser.nextToken();
            String field = path + "." + name;
            switch (name) {
                case Manifest.KEY -> key = key(value, field);
                case Manifest.SIZE -> size = size(value, field);
                case Manifest.SHA256 -> sha256 = sha256(value, field);
                case Manifest.URL -> url = url(value, field);
                case Manifest.PENDING -> {
                    if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
                        throw wrongType(field, "true or false", value);
                    }
                    pending = value == JsonToken.VALUE_TRUE;
                }
                default -> parser.skipChildren();
            }
        }
        present(key, path, Manifest.KEY);
        present(size, path, Manifest.SIZE);
        present(sha256, path, Manifest.SHA256);
        present(url, path, Manifest.URL);
        // Every rule of the constructor was checked above with the field's path; it cannot throw here.
        return new ManifestEntry(key, size, sha256, url, pending);
    }

    private void present(Object value, String path, String name) throws Malformed {
        if (value == null) {
            throw problem(path + "." + name + " is missing");
        }
    }

    private String key(JsonToken value, String field) throws IOException {
        expect(value, JsonToken.VALUE_STRING, field, "a string");
        String key = parser.getText();
        if (key.isEmpty()) {
            throw problem(field + " must not be empty");
        }
        return key;
    }

    private long size(JsonToken value, String field) throws IOException {
        expect(value, JsonToken.VALUE_NUMBER_INT, field, "a whole number");
        BigInteger size = parser.getBigIntegerValue();
        if (size.signum() < 0) {
            throw problem(field + " must be 0 or more: " + size);
        }
        if (size.bitLength() > 63) {
            throw problem(field + " is too large: " + size);
        }
        return size.longValue();
    }

    private String sha256(JsonToken value, String field) throws IOException {
        expect(value, JsonToken.VALUE_STRING, field, "a string");
        String sha256 = parser.getText();
        if (!ManifestEntry.isSha256(sha256)) {
            throw problem(field + " must be 64 lower-case hex digits");
        }
        return sha256;
    }

    private URI url(JsonToken value, String field) throws IOException {
        expect(value, JsonToken.VALUE_STRING, field, "a string");
        URI url;
        try {
            url = new URI(parser.getText());
        } catch (URISyntaxException e) {
            throw problem(field + " is not a valid URL (" + e.getReason() + ")");
        }
        if (!url.isAbsolute()) {
            throw problem(field + " must be an absolute URL");
        }
        return url;
    }

    private void expect(JsonToken actual, JsonToken expected, String field, String what) throws Malformed {
        if (actual != expected) {
            throw wrongType(field, what, actual);
        }
    }

    private Malformed wrongType(String field, String what, JsonToken actual) {
        return problem(field + " must be " + what + ", not " + kind(actual));
    }

    /** A problem with the value the parser is on, located so that it can be found in a large file. */
    private Malformed problem(String what) {
        return new Malformed(source + ": " + what + at(parser.currentTokenLocation()), null);
    }

    private static String kind(JsonToken token) {
        if (token == null) {
            return "the end of the document";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "a whole number";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    /** Jackson's message, cut to its first line (the rest repeats the location) and located our way. */
    private static String describe(JsonProcessingException e) {
        if (e instanceof JsonEOFException) {
            return "ends too early: the document is cut short" + at(e.getLocation());
        }
        String message = String.valueOf(e.getOriginalMessage());
        int end = message.indexOf('\n');
        return "is not valid JSON: " + (end < 0 ? message : message.substring(0, end)).strip() + at(e.getLocation());
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1 || location.getColumnNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** A document that is not a manifest this code reads; its message is complete and one line. */
    private static final class Malformed extends IOException {
        private static final long serialVersionUID = 1L;

        Malformed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
