package dev.stowage.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Message digests every Java platform has, and their hex form. Internal. */
public final class Digests {
    private static final HexFormat HEX = HexFormat.of();

    private Digests() {
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        return of("SHA-256");
    }

    /** A new MD5 digest. */
    public static MessageDigest md5() {
        return of("MD5");
    }

    /** Lower-case hex digits of the bytes. */
    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    private static MessageDigest of(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }
}
