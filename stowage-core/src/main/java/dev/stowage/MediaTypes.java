package dev.stowage;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The media type of a file, guessed from its name's extension, for the files a site publishes.
 * Independent of the platform ({@code Files.probeContentType} answers differently per system),
 * so every backend and the HTTP server agree.
 *
 * <pre>{@code
 * MediaTypes.guess("img/logo.SVG");   // image/svg+xml
 * MediaTypes.guess("data.bin");       // application/octet-stream
 * }</pre>
 *
 * <p>Stateless and thread-safe. Text types carry {@code charset=UTF-8}, in capitals: some servers
 * (S3Proxy's Jetty among them) rewrite a lower-case {@code utf-8} before checking a request's
 * signature, which then no longer matches.
 */
public final class MediaTypes {
    /** The type of content that is none of the known ones. */
    public static final String OCTET_STREAM = "application/octet-stream";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html; charset=UTF-8"),
            Map.entry("htm", "text/html; charset=UTF-8"),
            Map.entry("css", "text/css; charset=UTF-8"),
            Map.entry("js", "text/javascript; charset=UTF-8"),
            Map.entry("mjs", "text/javascript; charset=UTF-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("xml", "application/xml"),
            Map.entry("rss", "application/rss+xml"),
            Map.entry("atom", "application/atom+xml"),
            Map.entry("txt", "text/plain; charset=UTF-8"),
            Map.entry("md", "text/markdown; charset=UTF-8"),
            Map.entry("csv", "text/csv; charset=UTF-8"),
            Map.entry("ics", "text/calendar; charset=UTF-8"),
            Map.entry("vtt", "text/vtt; charset=UTF-8"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("avif", "image/avif"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("bmp", "image/bmp"),
            Map.entry("tif", "image/tiff"),
            Map.entry("tiff", "image/tiff"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("otf", "font/otf"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("ogg", "audio/ogg"),
            Map.entry("wav", "audio/wav"),
            Map.entry("flac", "audio/flac"),
            Map.entry("m4a", "audio/mp4"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"),
            Map.entry("mov", "video/quicktime"),
            Map.entry("m3u8", "application/vnd.apple.mpegurl"),
            Map.entry("ts", "video/mp2t"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"),
            Map.entry("tgz", "application/gzip"),
            Map.entry("tar", "application/x-tar"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("epub", "application/epub+zip"));

    private MediaTypes() {
    }

    /**
     * The media type for a file name or key, by the extension of its last segment, ignoring case;
     * {@link #OCTET_STREAM} when the extension is unknown or missing.
     */
    public static String guess(String name) {
        Objects.requireNonNull(name, "name");
        String last = name.substring(name.lastIndexOf('/') + 1);
        int dot = last.lastIndexOf('.');
        if (dot <= 0 || dot == last.length() - 1) {
            return OCTET_STREAM;
        }
        return BY_EXTENSION.getOrDefault(last.substring(dot + 1).toLowerCase(Locale.ROOT), OCTET_STREAM);
    }
}
