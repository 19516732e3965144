package dev.stowage.app.http;

/**
 * What a request path asks for: the files below the base path, one of the fixed endpoints, or
 * nothing the server has. The endpoints answer at their paths whatever the base path, and take
 * precedence over files of the same name when the base path is {@code /}. Each route's
 * {@link #tag()} is the {@code uri} tag of the request timer: a handful of values, never the raw path.
 */
enum Route {
    FILES("files"),
    MANIFEST("manifest"),
    HEALTHZ("healthz"),
    METRICS("metrics"),
    RESCAN("rescan"),
    OTHER("other");

    static final String MANIFEST_PATH = "/manifest.json";
    static final String HEALTHZ_PATH = "/healthz";
    static final String METRICS_PATH = "/metrics";
    static final String RESCAN_PATH = "/-/rescan";

    private final String tag;

    Route(String tag) {
        this.tag = tag;
    }

    /** The route of a raw request path ({@code null} for a request target with no path, such as {@code *}). */
    static Route of(String rawPath, String basePath) {
        if (rawPath == null) {
            return OTHER;
        }
        return switch (rawPath) {
            case MANIFEST_PATH -> MANIFEST;
            case HEALTHZ_PATH -> HEALTHZ;
            case METRICS_PATH -> METRICS;
            case RESCAN_PATH -> RESCAN;
            default -> rawPath.startsWith(basePath) ? FILES : OTHER;
        };
    }

    /** The value of the {@code uri} tag for this route. */
    String tag() {
        return tag;
    }
}
