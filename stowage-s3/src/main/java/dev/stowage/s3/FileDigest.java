package dev.stowage.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * What one read of a file yields before it is sent: its size, its SHA-256 (stored with the
 * object) and the MD5 of each part the upload will send (for {@code Content-MD5}, which the server
 * checks). The upload then sends exactly {@link #sizeBytes()} bytes, so what the server verifies is
 * what was hashed.
 *
 * @param sizeBytes the bytes read
 * @param sha256    the SHA-256 of the whole file, lower-case hex
 * @param partMd5s  the base64 MD5 of each part of {@code partSizeBytes}, in order (one part for a single PUT)
 */
record FileDigest(long sizeBytes, String sha256, List<String> partMd5s) {
    private static final int BUFFER_BYTES = 1 << 20;

    FileDigest {
        partMd5s = List.copyOf(partMd5s);
    }

    /**
     * Reads the whole file once.
     *
     * @param partSizeBytes where a new MD5 starts; {@link Long#MAX_VALUE} for one MD5 of the whole file
     * @param stop          polled between reads; when true the read stops with a {@link CancellationException}
     */
    static FileDigest of(Path file, long partSizeBytes, BooleanSupplier stop) throws IOException {
        MessageDigest sha256 = digest("SHA-256");
        MessageDigest md5 = digest("MD5");
        List<String> parts = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        long total = 0;
        long inPart = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                if (stop.getAsBoolean()) {
                    throw new CancellationException("the upload was cancelled while its file was hashed");
                }
                buffer.clear();
                // Never read across a part boundary, so each part's MD5 covers exactly its bytes.
                buffer.limit((int) Math.min(BUFFER_BYTES, partSizeBytes - inPart));
                int n = channel.read(buffer);
                if (n < 0) {
                    break;
                }
                buffer.flip();
                sha256.update(buffer.duplicate());
                md5.update(buffer);
                total += n;
                inPart += n;
                if (inPart == partSizeBytes) {
                    parts.add(Base64.getEncoder().encodeToString(md5.digest()));
                    inPart = 0;
                }
            }
        }
        if (inPart > 0 || parts.isEmpty()) {
            parts.add(Base64.getEncoder().encodeToString(md5.digest()));
        }
        return new FileDigest(total, HexFormat.of().formatHex(sha256.digest()), parts);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }
}
