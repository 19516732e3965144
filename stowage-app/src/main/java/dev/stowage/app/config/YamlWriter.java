package dev.stowage.app.config;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Writes a configuration as YAML, every key in {@link Setting} order, each with a comment (where
 * the value came from, what a default stands for). Secrets print as {@code ****}. Stateless.
 */
final class YamlWriter {
    private static final int COMMENT_COLUMN = 40;

    private YamlWriter() {
    }

    /**
     * @param comment the comment for a setting, without {@code #}, or empty for none
     */
    static String write(AppConfig config, Function<Setting, Optional<String>> comment) {
        StringBuilder out = new StringBuilder("# The effective Stowage configuration. Secrets are shown as ****.\n");
        String section = null;
        for (Setting s : Setting.values()) {
            String current = s.section().orElse(null);
            String indent = current == null ? "" : "  ";
            if (current != null && !current.equals(section)) {
                out.append(current).append(":\n");
            }
            section = current;
            String name = current == null ? s.key : s.key.substring(current.length() + 1);
            Object value = s.valueIn(config);
            Optional<String> note = comment.apply(s);
            if (s.type.isList()) {
                List<?> items = (List<?>) value;
                line(out, indent + name + ":" + (items.isEmpty() ? " []" : ""), note);
                items.forEach(item -> out.append(indent).append("  - ").append(ValueType.Texts.yamlString((String) item)).append('\n'));
            } else {
                line(out, indent + name + ": " + scalar(s, config, value), note);
            }
        }
        return out.toString();
    }

    /** The value; a base URL left to its default prints as the URL it stands for. */
    private static String scalar(Setting s, AppConfig config, Object value) {
        if (s == Setting.SERVER_BASE_URL) {
            return ValueType.Texts.yamlString(config.server().effectiveBaseUrl().toString());
        }
        return s.type.yaml(value);
    }

    private static void line(StringBuilder out, String text, Optional<String> note) {
        out.append(text);
        note.ifPresent(n -> out.append(" ".repeat(Math.max(2, COMMENT_COLUMN - text.length()))).append("# ").append(n));
        out.append('\n');
    }

    /** What a setting left to its default stands for, when the value alone does not say it. */
    static Optional<String> meaningOfDefault(Setting s, AppConfig config) {
        Object value = s.valueIn(config);
        boolean empty = value instanceof Optional<?> o && o.isEmpty();
        if (!empty) {
            return Optional.empty();
        }
        return switch (s) {
            case SERVER_BASE_URL -> Optional.of("http://HOST:PORT/");
            case SERVER_TOKEN -> Optional.of("none, so the endpoints that change state are off");
            case PUBLISH_STATE -> Optional.of(".stowage/state.db in the folder published");
            case BACKEND -> Optional.of("the folder itself, served by the app");
            default -> Optional.empty();
        };
    }
}
