package dev.stowage.app.config;

import java.util.List;
import java.util.Objects;

/**
 * A value as written, before it is checked: a single value (its text), a list of single values,
 * nothing (YAML {@code null} or an empty entry), or a mapping where a value was expected. Immutable.
 */
record Raw(Shape shape, String text, List<String> items) {
    enum Shape { NOTHING, SINGLE, LIST, MAPPING }

    Raw {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(text, "text");
        items = List.copyOf(items);
    }

    static Raw single(String text) {
        return new Raw(Shape.SINGLE, text, List.of());
    }

    static Raw list(List<String> items) {
        return new Raw(Shape.LIST, "", items);
    }

    static Raw nothing() {
        return new Raw(Shape.NOTHING, "", List.of());
    }

    static Raw mapping() {
        return new Raw(Shape.MAPPING, "", List.of());
    }

    /** Nothing, or a single value that is blank: what clears an optional setting or a list. */
    boolean isEmpty() {
        return shape == Shape.NOTHING || shape == Shape.SINGLE && text.isBlank();
    }
}
