package dev.stowage.sync;

import java.util.regex.Pattern;

/**
 * A glob pattern over keys. {@code *} matches within one folder name, {@code **} across folders
 * ({@code **}{@code /} also matches no folder at all), {@code ?} one character, {@code [abc]} and
 * {@code [!abc]} one of a set, {@code {a,b}} either. A pattern without {@code /} matches a name at
 * any depth, as in {@code .gitignore}: {@code *.tmp} excludes {@code a/b/c.tmp}. A backslash makes the
 * next character literal. Immutable.
 */
final class KeyGlob {
    private final String glob;
    private final Pattern pattern;

    private KeyGlob(String glob, Pattern pattern) {
        this.glob = glob;
        this.pattern = pattern;
    }

    /** Compiles {@code glob}; an unbalanced bracket or brace fails naming the pattern. */
    static KeyGlob of(String glob) {
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("exclude pattern must not be empty");
        }
        String body = glob.startsWith("/") ? glob.substring(1) : glob.contains("/") ? glob : "**/" + glob;
        return new KeyGlob(glob, Pattern.compile(toRegex(glob, body)));
    }

    /** A pattern that matches {@code text} exactly: every character that means something is escaped. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            if ("*?[]{},\\".indexOf(c) >= 0) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    /** True when the pattern matches {@code key}. */
    boolean matches(String key) {
        return pattern.matcher(key).matches();
    }

    /**
     * True when the pattern excludes the whole folder {@code folderKey}: it matches the folder
     * itself ({@code build}) or everything in it ({@code build/**}).
     */
    boolean matchesFolder(String folderKey) {
        return matches(folderKey) || matches(folderKey + "/");
    }

    private static String toRegex(String glob, String body) {
        StringBuilder regex = new StringBuilder();
        int braces = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                regex.append(Pattern.quote(String.valueOf(body.charAt(++i))));
                continue;
            }
            switch (c) {
                case '*' -> {
                    if (i + 1 < body.length() && body.charAt(i + 1) == '*') {
                        boolean slash = i + 2 < body.length() && body.charAt(i + 2) == '/';
                        regex.append(slash ? "(?:.*/)?" : ".*");
                        i += slash ? 2 : 1;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                case '[' -> {
                    int end = body.indexOf(']', i + 2);
                    if (end < 0) {
                        throw new IllegalArgumentException("exclude pattern has an unclosed '[': " + glob);
                    }
                    String set = body.substring(i + 1, end);
                    boolean negated = set.startsWith("!");
                    regex.append(negated ? "[^/" : "[");
                    for (char s : (negated ? set.substring(1) : set).toCharArray()) {
                        regex.append(s == '\\' || s == '[' || s == ']' || s == '^' || s == '&' ? "\\" + s : String.valueOf(s));
                    }
                    regex.append(']');
                    i = end;
                }
                case '{' -> {
                    braces++;
                    regex.append("(?:");
                }
                case '}' -> {
                    if (braces == 0) {
                        throw new IllegalArgumentException("exclude pattern has an unmatched '}': " + glob);
                    }
                    braces--;
                    regex.append(')');
                }
                case ',' -> regex.append(braces > 0 ? "|" : ",");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (braces != 0) {
            throw new IllegalArgumentException("exclude pattern has an unclosed '{': " + glob);
        }
        return regex.toString();
    }

    @Override
    public String toString() {
        return glob;
    }
}
