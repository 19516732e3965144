package dev.stowage.app.doctor;

import java.util.Locale;

/** How one check of {@link Doctor} ended. */
public enum Status {
    /** It works. */
    OK("ok"),
    /** It does not work as it might, but the store does: public URLs that serve nothing, a clock a little off. */
    WARN("warn"),
    /** It does not work: publishing to this store will fail or go wrong until it is fixed. */
    FAIL("FAIL"),
    /** Not tried: it does not apply to this backend, or an earlier failure makes it pointless. */
    SKIP("skip");

    private final String label;

    Status(String label) {
        this.label = label;
    }

    /** The word that opens the check's line: {@code ok}, {@code warn}, {@code FAIL} or {@code skip}. */
    public String label() {
        return label;
    }

    /** The name in JSON: {@code ok}, {@code warn}, {@code fail} or {@code skip}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
