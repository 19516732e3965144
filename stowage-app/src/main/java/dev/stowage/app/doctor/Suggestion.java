package dev.stowage.app.doctor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The settings {@link Doctor} suggests from what it saw. Immutable.
 *
 * @param preset   the S3 preset that fits the store, e.g. {@code r2}; empty for other backends
 * @param settings the settings to add to the URI or change in it, beyond the preset, in order;
 *                 empty when those in use fit
 * @param changesPreset whether {@code preset} differs from the one in use
 * @param uri      the backend URI with the suggestions applied, secrets hidden; empty when nothing changes
 */
public record Suggestion(Optional<String> preset, Map<String, String> settings, boolean changesPreset, Optional<String> uri) {
    public Suggestion {
        Objects.requireNonNull(preset, "preset");
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        Objects.requireNonNull(uri, "uri");
    }

    /** Nothing to suggest, for a backend that is not S3. */
    static Suggestion none() {
        return new Suggestion(Optional.empty(), Map.of(), false, Optional.empty());
    }

    /** Whether anything should change. */
    public boolean changesSomething() {
        return changesPreset || !settings.isEmpty();
    }

    /** What to paste into the URI's query, e.g. {@code preset=r2&sdk_checksums=false}; empty when nothing changes. */
    public String fragment() {
        Map<String, String> all = new LinkedHashMap<>();
        if (changesPreset) {
            all.put("preset", preset.orElseThrow());
        }
        all.putAll(settings);
        return all.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
    }
}
