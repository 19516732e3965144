package dev.stowage.internal;

/** Text made safe for one log line. Internal. */
public final class Printable {
    private Printable() {
    }

    /**
     * The text with control characters and the Unicode line and paragraph separators escaped as
     * {@code \\uXXXX}, so a hostile key cannot forge log lines.
     */
    public static String of(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                s.append(String.format("\\u%04X", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}
