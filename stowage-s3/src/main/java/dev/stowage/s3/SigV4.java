package dev.stowage.s3;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.SortedMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * AWS Signature Version 4 for S3 requests: the {@code Authorization} header of a request from its
 * method, encoded path, canonical query string, headers and payload hash, with the signing key of
 * the day kept between requests. Thread-safe.
 */
final class SigV4 {
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HmacSHA256 in this JVM", e);
        }
    });
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    });

    private final String region;
    /** The signing key of the last day and secret used. */
    private volatile SigningKey signingKey;

    SigV4(String region) {
        this.region = region;
    }

    /**
     * The {@code Authorization} header of a request whose headers (names in lower case, sorted,
     * values as sent) are all signed.
     *
     * @param amzDate       the request's {@code x-amz-date}, as {@link #amzDate} writes it
     * @param encodedPath   the request's path, URI-encoded as sent
     * @param query         the canonical query string: names and values URI-encoded, sorted by name, joined by
     *                      {@code &}; empty for none
     * @param payloadSha256 the payload's SHA-256, in hex, as in {@code x-amz-content-sha256}
     */
    String authorization(AwsCredentials identity, String method, String amzDate, String encodedPath, String query,
                         SortedMap<String, String> headers, String payloadSha256) {
        String day = amzDate.substring(0, 8);
        StringBuilder canonical = new StringBuilder(512).append(method).append('\n').append(encodedPath).append('\n')
                .append(query).append('\n');
        StringBuilder signed = new StringBuilder(160);
        headers.forEach((name, value) -> {
            canonical.append(name).append(':').append(value).append('\n');
            if (signed.length() > 0) {
                signed.append(';');
            }
            signed.append(name);
        });
        canonical.append('\n').append(signed).append('\n').append(payloadSha256);
        String scope = day + "/" + region + "/s3/aws4_request";
        String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + HEX.formatHex(SHA256.get().digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] signature = hmac(signingKey(identity.secretAccessKey(), day), toSign);
        return ALGORITHM + " Credential=" + identity.accessKeyId() + "/" + scope + ", SignedHeaders=" + signed
                + ", Signature=" + HEX.formatHex(signature);
    }

    private byte[] signingKey(String secret, String day) {
        SigningKey key = signingKey;
        if (key == null || !key.day.equals(day) || !key.secret.equals(secret)) {
            byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
            k = hmac(k, region);
            k = hmac(k, "s3");
            k = hmac(k, "aws4_request");
            key = new SigningKey(day, secret, k);
            signingKey = key;
        }
        return key.key;
    }

    private static byte[] hmac(byte[] key, String data) {
        Mac mac = HMAC.get();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with HmacSHA256", e);
        }
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'} in UTC. */
    static String amzDate(long epochMillis) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000), 0, ZoneOffset.UTC);
        char[] c = new char[16];
        digits(c, 0, t.getYear(), 4);
        digits(c, 4, t.getMonthValue(), 2);
        digits(c, 6, t.getDayOfMonth(), 2);
        c[8] = 'T';
        digits(c, 9, t.getHour(), 2);
        digits(c, 11, t.getMinute(), 2);
        digits(c, 13, t.getSecond(), 2);
        c[15] = 'Z';
        return new String(c);
    }

    private static void digits(char[] into, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            into[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** A day's signing key, and what it was derived from (a class, not a record: its text must not show the secret). */
    private static final class SigningKey {
        final String day;
        final String secret;
        final byte[] key;

        SigningKey(String day, String secret, byte[] key) {
            this.day = day;
            this.secret = secret;
            this.key = key;
        }
    }
}
