package dev.stowage.app.http;

import java.util.Objects;

/**
 * What {@code GET /healthz} reports: whether the app is well, a word on what it is doing, and how
 * many operations wait to be published. The server answers {@code 200} when {@code ok}, else
 * {@code 503}, with this record as JSON: {@code {"ok":true,"status":"idle","pending":0}}.
 *
 * @param ok      whether the app works as it should
 * @param status  a short word or phrase for people, e.g. {@code idle}, {@code publishing}, {@code remote down}
 * @param pending the operations waiting for the next run, {@code >= 0}
 */
public record Health(boolean ok, String status, long pending) {
    /** A well app with nothing to do. */
    public static Health idle() {
        return new Health(true, "idle", 0);
    }

    public Health {
        Objects.requireNonNull(status, "status");
        if (pending < 0) {
            throw new IllegalArgumentException("pending must be >= 0: " + pending);
        }
    }

    /** This record as one line of JSON, the body of {@code /healthz}. */
    public String toJson() {
        StringBuilder json = new StringBuilder(48 + status.length());
        json.append("{\"ok\":").append(ok).append(",\"status\":\"");
        for (int i = 0; i < status.length(); i++) {
            char c = status.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c) && !validSurrogateAt(status, i)) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append("\",\"pending\":").append(pending).append('}').toString();
    }

    // A lone surrogate cannot be written as UTF-8; its escape keeps the JSON valid.
    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c)
                ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
