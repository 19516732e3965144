package dev.stowage.app.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.stowage.internal.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML configuration file into the values it gives, each with its line. Settings nest
 * ({@code server:} then {@code port: 8080}) or are written dotted ({@code server.port: 8080}).
 *
 * <p>It streams the parser's tokens rather than binding a tree, so that every value keeps its line
 * for messages, an unknown key is caught where it stands, and the parser's own messages, which
 * quote the lines around a fault (a token among them), never reach the user. Stateless.
 */
final class YamlFile {
    /** Far more than any configuration; a larger file is not one. */
    static final int MAX_BYTES = 1 << 20;
    // An empty value ("server:" with nothing after it) reads as null, as a YAML loader reads it.
    private static final YAMLFactory YAML = new YAMLFactory().configure(YAMLParser.Feature.EMPTY_STRING_AS_NULL, true);

    /** A value given in a file, an environment variable or an override. */
    record Given(Setting setting, Raw raw, Source source) {
    }

    private final Path file;
    private final String name;
    private final List<Given> given = new ArrayList<>();
    private final Map<Setting, Integer> lines = new HashMap<>();
    /** The first fault in the settings, thrown once the whole file has parsed: a syntax error comes first. */
    private ConfigException fault;

    private YamlFile(Path file) {
        this.file = file;
        this.name = "config file " + Printable.of(file.toString());
    }

    /**
     * The values the file gives, in the order written.
     *
     * @throws ConfigException naming the file when it cannot be read or is not YAML, or naming the
     *         key for an unknown key, a value of the wrong shape or a key given twice
     */
    static List<Given> read(Path file) throws ConfigException {
        return new YamlFile(file).read();
    }

    private List<Given> read() throws ConfigException {
        String text = text();
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return List.of(); // empty, or only comments: every default stands
            }
            if (first == JsonToken.START_OBJECT) {
                mapping(parser, "");
            } else if (first != JsonToken.VALUE_NULL) {
                // An empty document ("---", "~") is an empty file with a marker: every default stands.
                throw new ConfigException(name + " line " + line(parser), "must be a mapping of settings such as 'server:', got "
                        + describe(first), null);
            }
            if (parser.nextToken() != null) {
                throw new ConfigException(name + " line " + line(parser), "holds a second YAML document; a configuration is one",
                        null);
            }
            if (fault != null) {
                throw fault;
            }
            return List.copyOf(given);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new ConfigException(name, "cannot be read: " + Printable.of(String.valueOf(e.getMessage())), null);
        }
    }

    /** The file's text: UTF-8, a byte order mark dropped. */
    private String text() throws ConfigException {
        if (Files.isDirectory(file)) {
            throw new ConfigException(name, "is a folder, not a file", null);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, "not found", null);
        } catch (AccessDeniedException e) {
            throw new ConfigException(name, "cannot be read: permission denied", null);
        } catch (IOException e) {
            throw new ConfigException(name, "cannot be read: " + Printable.of(String.valueOf(e.getMessage())), null);
        }
        if (bytes.length > MAX_BYTES) {
            throw new ConfigException(name, "is larger than 1 MiB; is it the right file?", null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(name, "is not UTF-8 text", null);
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Reads the entries of a mapping whose START_OBJECT was just read, keys under {@code prefix}. */
    private void mapping(JsonParser parser, String prefix) throws IOException {
        Map<String, Integer> sections = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = prefix.isEmpty() ? parser.currentName() : prefix + "." + parser.currentName();
            int line = line(parser);
            JsonToken value = parser.nextToken();
            Source source = Source.file(file, line);
            var setting = Setting.byKey(key);
            // A YAML loader keeps the last of two equal keys, dropping what the first section set: ambiguous, so refused.
            Integer sectionBefore = Setting.SECTIONS.contains(key) ? sections.put(key, line) : null;
            if (sectionBefore != null) {
                fault(new ConfigException(key, "given twice, at lines " + sectionBefore + " and " + line, file.toString()));
            }
            if (isAlias(parser)) {
                fault(new ConfigException(Printable.of(key), "YAML aliases (*name) are not supported; write the value out", source.name()));
            } else if (setting.isPresent()) {
                Integer before = lines.put(setting.get(), line);
                if (before != null) {
                    fault(new ConfigException(key, "given twice, at lines " + before + " and " + line, file.toString()));
                }
                given.add(new Given(setting.get(), value(parser, value, key, source), source));
            } else if (Setting.SECTIONS.contains(key) && value == JsonToken.START_OBJECT) {
                mapping(parser, key);
            } else if (Setting.SECTIONS.contains(key) && value == JsonToken.VALUE_NULL) {
                continue; // "server:" with nothing under it
            } else if (Setting.SECTIONS.contains(key)) {
                fault(new ConfigException(key, "must be a mapping of settings such as " + exampleIn(key) + ", got "
                        + describe(value), source.name()));
            } else {
                fault(Loader.unknownKey(key, source));
            }
            parser.skipChildren(); // of a value left unread: a no-op after a single value or a mapping read through
        }
    }

    /** The value whose first token was just read. */
    private Raw value(JsonParser parser, JsonToken token, String key, Source source) throws IOException {
        switch (token) {
            case VALUE_NULL:
                return Raw.nothing();
            case START_OBJECT:
                parser.skipChildren();
                return Raw.mapping();
            case START_ARRAY:
                List<String> items = new ArrayList<>();
                for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser.nextToken()) {
                    if (isAlias(parser)) {
                        fault(new ConfigException(key, "YAML aliases (*name) are not supported; write the value out", source.name()));
                    } else if (!item.isScalarValue() || item == JsonToken.VALUE_NULL) {
                        fault(new ConfigException(key, "list items must be single values, got " + describe(item)
                                + " at line " + line(parser), source.name()));
                        parser.skipChildren();
                    } else {
                        items.add(parser.getText());
                    }
                }
                return Raw.list(items);
            default:
                // Numbers and booleans keep the text written: 0.50 stays 0.50 in a message, yes stays yes.
                return Raw.single(parser.getText());
        }
    }

    private void fault(ConfigException e) {
        if (fault == null) {
            fault = e;
        }
    }

    private static boolean isAlias(JsonParser parser) {
        // Jackson hands an alias over as a string holding the alias's name, not the value it stands for.
        return parser instanceof YAMLParser yaml && yaml.isCurrentAlias();
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    /** The first key of a section, as an example: {@code 'host: ...'} for {@code server}. */
    private static String exampleIn(String section) {
        return Arrays.stream(Setting.values()).filter(s -> s.section().filter(section::equals).isPresent())
                .map(s -> "'" + s.key.substring(section.length() + 1) + ": ...'").findFirst().orElseThrow();
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> "a mapping";
            case VALUE_NULL -> "nothing";
            default -> "a single value";
        };
    }

    /**
     * One line with the place and the problem. SnakeYAML's message quotes the lines around the
     * fault, so only its problem and context are kept.
     */
    private ConfigException malformed(JsonProcessingException e) {
        int line = 0;
        int column = 0;
        String problem = "not valid YAML";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked) {
                if (marked.getProblemMark() != null) {
                    line = marked.getProblemMark().getLine() + 1;
                    column = marked.getProblemMark().getColumn() + 1;
                }
                problem = marked.getProblem();
                if (marked.getContext() != null) {
                    // "while scanning a quoted scalar", and where that began: usually where to look.
                    problem += " (" + marked.getContext() + (marked.getContextMark() == null ? "" : " started at line "
                            + (marked.getContextMark().getLine() + 1) + " column " + (marked.getContextMark().getColumn() + 1)) + ")";
                }
                break;
            }
        }
        if (line == 0) {
            JsonLocation at = e.getLocation();
            line = at == null ? 0 : at.getLineNr();
            column = at == null ? 0 : at.getColumnNr();
        }
        String place = line > 0 ? " line " + line + (column > 0 ? " column " + column : "") : "";
        return new ConfigException(name + place, "malformed YAML: " + Printable.of(problem.strip()), null);
    }
}
