package dev.stowage.app.config;

import dev.stowage.app.config.YamlFile.Given;
import dev.stowage.internal.Printable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Merges the layers of a configuration, weakest first: the defaults, the YAML file, the
 * environment, the overrides, a command's options. Every value given is checked, even one a stronger layer overrides,
 * so a file with a mistake is reported while an override hides it. Stateless.
 */
final class Loader {
    /** Variables that share the prefix without being settings: the file's path, for the command to read. */
    static final Set<String> RESERVED_VARIABLES = Set.of("STOWAGE_CONFIG");
    /**
     * What Kubernetes defines for a Service named {@code stowage} or {@code stowage-*} (service
     * links): {@code STOWAGE_SERVICE_HOST}, {@code STOWAGE_SERVICE_PORT_HTTP},
     * {@code STOWAGE_PORT_8080_TCP_ADDR}... They are not settings, and failing on them would stop
     * the app in any such cluster. {@link #SERVICE_PORT} is told apart by its value, since a
     * misspelt setting can end in {@code _PORT} too.
     */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "STOWAGE_(?:[A-Z0-9_]+_)?(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT_\\d+_(?:TCP|UDP|SCTP)(?:_PROTO|_PORT|_ADDR)?)");
    /** {@code STOWAGE_PORT=tcp://10.0.0.11:8080}, the other service link. */
    private static final Pattern SERVICE_PORT = Pattern.compile("STOWAGE_(?:[A-Z0-9_]+_)?PORT");
    private static final Pattern SERVICE_ADDRESS = Pattern.compile("(?i)(tcp|udp|sctp)://.*");

    /** The configuration, and where each of its values came from. */
    record Loaded(AppConfig config, Map<Setting, Source> origins) {
    }

    private final Map<Setting, Object> values = new EnumMap<>(Setting.class);
    private final Map<Setting, Source> origins = new EnumMap<>(Setting.class);

    private Loader() {
        for (Setting s : Setting.values()) {
            values.put(s, s.defaultValue);
            origins.put(s, Source.DEFAULT);
        }
    }

    static Loaded load(Optional<Path> file, Map<String, String> environment, Map<String, String> overrides,
                       CommandOptions options) throws ConfigException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(overrides, "overrides");
        Objects.requireNonNull(options, "options");
        Loader loader = new Loader();
        if (file.isPresent()) {
            loader.apply(YamlFile.read(file.get()));
        }
        loader.apply(fromEnvironment(environment));
        loader.apply(fromOverrides(overrides));
        loader.apply(fromOptions(options));
        return loader.finish();
    }

    private void apply(List<Given> layer) throws ConfigException {
        for (Given g : layer) {
            Object value;
            try {
                value = g.setting().type.parse(g.raw());
            } catch (Invalid e) {
                throw new ConfigException(g.setting().key, e.getMessage(), g.source().name());
            }
            values.put(g.setting(), value);
            origins.put(g.setting(), g.source());
        }
    }

    /** Checks what involves more than one setting, then builds the records. */
    private Loaded finish() throws ConfigException {
        Duration delay = (Duration) values.get(Setting.PUBLISH_RETRY_DELAY);
        Duration maxDelay = (Duration) values.get(Setting.PUBLISH_RETRY_MAX_DELAY);
        if (maxDelay.compareTo(delay) < 0) {
            Source maxSource = origins.get(Setting.PUBLISH_RETRY_MAX_DELAY);
            if (maxSource.kind() != Source.Kind.DEFAULT) {
                throw new ConfigException(Setting.PUBLISH_RETRY_MAX_DELAY.key, "must not be shorter than "
                        + Setting.PUBLISH_RETRY_DELAY.key + " (" + Grammar.format(delay) + ", from "
                        + origins.get(Setting.PUBLISH_RETRY_DELAY) + "), got " + Grammar.format(maxDelay), maxSource.name());
            }
            // As a backend URI does: a first pause longer than the default longest one raises the longest.
            values.put(Setting.PUBLISH_RETRY_MAX_DELAY, delay);
            origins.put(Setting.PUBLISH_RETRY_MAX_DELAY, new Source(Source.Kind.DEFAULT,
                    "default, raised to " + Setting.PUBLISH_RETRY_DELAY.key));
        }
        return new Loaded(AppConfig.of(values), Map.copyOf(origins));
    }

    /** The {@code STOWAGE_*} variables, in name order, so the first fault reported is always the same. */
    private static List<Given> fromEnvironment(Map<String, String> environment) throws ConfigException {
        List<Given> given = new ArrayList<>();
        List<String> variables = Arrays.stream(Setting.values()).map(Setting::variable).collect(Collectors.toList());
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String name = e.getKey();
            Source source = Source.environment(name);
            Optional<Setting> setting = Setting.byVariable(name);
            if (setting.isPresent()) {
                given.add(new Given(setting.get(), raw(setting.get(), Objects.requireNonNull(e.getValue(), name)), source));
                continue;
            }
            if (!name.startsWith(Setting.ENV_PREFIX) || RESERVED_VARIABLES.contains(name) || isServiceLink(name, e.getValue())) {
                continue;
            }
            String rest = name.substring(Setting.ENV_PREFIX.length());
            // A variable one edit or two from a setting's, or in a section of ours, is a typo; any
            // other STOWAGE_ variable belongs to something else and is left alone.
            Optional<String> typo = Suggestions.closest(name, variables).filter(v -> Suggestions.distance(name, v) <= 2);
            // STOWAGE_SERVER_TOKEN_FILE is after the server's token, not AWS credentials: it is told the variable to use.
            boolean nearASecretSetting = Suggestions.closest(name, variables).flatMap(Setting::byVariable)
                    .filter(s -> s.type instanceof ValueType.Token).isPresent();
            if (typo.isEmpty() && !nearASecretSetting && ValueType.Backend.CREDENTIAL.matcher(rest).matches()) {
                throw credentials(Printable.of(name), source);
            }
            boolean ours = rest.startsWith("BACKEND") || Setting.SECTIONS.stream()
                    .anyMatch(section -> rest.startsWith(section.toUpperCase(Locale.ROOT) + "_"));
            if (typo.isPresent() || ours) {
                throw new ConfigException(Printable.of(name), "unknown setting"
                        + typo.or(() -> Suggestions.closest(name, variables)).map(v -> "; did you mean " + v + "?").orElse(""), null);
            }
        }
        return given;
    }

    private static boolean isServiceLink(String name, String value) {
        return SERVICE_LINK.matcher(name).matches()
                || SERVICE_PORT.matcher(name).matches() && value != null && SERVICE_ADDRESS.matcher(value).matches();
    }

    /** The overrides, in key order; every key must be a setting. */
    private static List<Given> fromOverrides(Map<String, String> overrides) throws ConfigException {
        List<Given> given = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
            Optional<Setting> setting = Setting.byKey(e.getKey());
            if (setting.isEmpty()) {
                throw unknownKey(e.getKey(), Source.OVERRIDE);
            }
            given.add(new Given(setting.get(), raw(setting.get(), Objects.requireNonNull(e.getValue(), e.getKey())), Source.OVERRIDE));
        }
        return given;
    }

    /** A command's options, each named as given. */
    private static List<Given> fromOptions(CommandOptions options) {
        return options.options().stream()
                .map(o -> new Given(o.setting(), raw(o.setting(), o.value()), Source.option(o.name())))
                .toList();
    }

    /** A value given as one string: a list is its comma-separated items. */
    private static Raw raw(Setting setting, String text) {
        return setting.type.isList() ? Raw.list(splitList(text)) : Raw.single(text);
    }

    /**
     * The items of a comma-separated list, trimmed, empty ones dropped. A comma inside braces or
     * brackets belongs to a pattern ({@code *.{jpg,png}}), not between two.
     */
    static List<String> splitList(String text) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        StringBuilder item = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && depth > 0) {
                depth--;
            } else if (c == ',' && depth == 0) {
                add(items, item);
                continue;
            }
            item.append(c);
        }
        add(items, item);
        return items;
    }

    private static void add(List<String> items, StringBuilder item) {
        String s = item.toString().strip();
        if (!s.isEmpty()) {
            items.add(s);
        }
        item.setLength(0);
    }

    /**
     * An unknown key, with the nearest known one; a key that names a credential is told where
     * credentials go instead. The value is never shown.
     */
    static ConfigException unknownKey(String key, Source source) {
        String shown = Printable.of(key);
        List<String> known = new ArrayList<>(Setting.SECTIONS);
        Arrays.stream(Setting.values()).forEach(s -> known.add(s.key));
        Optional<String> typo = Suggestions.closest(key, known);
        if (typo.isEmpty() && ValueType.Backend.CREDENTIAL.matcher(key.substring(key.lastIndexOf('.') + 1)).matches()) {
            return credentials(shown, source);
        }
        Optional<String> suggestion = typo.or(() -> Suggestions.sameLastPart(key, known));
        return new ConfigException(shown, "unknown setting" + suggestion.map(s -> "; did you mean " + s + "?").orElse(""),
                source.name());
    }

    private static ConfigException credentials(String shown, Source source) {
        return new ConfigException(shown, "credentials are not settings: " + ValueType.Backend.CREDENTIALS_HINT,
                source.kind() == Source.Kind.ENVIRONMENT ? null : source.name());
    }
}
