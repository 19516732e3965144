package dev.stowage.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The floor of hashing a folder in a JVM: what any Java process pays to walk it and take the
 * SHA-256 of every file, with nothing else (no state, no keys, no report). Walks the folder, then
 * reads each file in pieces of 1 MiB and hashes it, the files dealt out to one thread per core. Prints one
 * line: {@code files bytes xor-of-first-digest-bytes} (the last so that no hash can be skipped).
 *
 * <p>Usage: {@code HashFloor DIR}. Timed as a whole process, JVM start included, like
 * {@code sha256sum} beside it.
 */
public final class HashFloor {
    private HashFloor() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: HashFloor DIR");
            System.exit(2);
        }
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(Path.of(args[0]), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile()) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> hash(files, first, threads)));
            }
            long bytes = 0;
            long mix = 0;
            for (Future<long[]> part : parts) {
                long[] result = part.get();
                bytes += result[0];
                mix ^= result[1];
            }
            System.out.println(files.size() + " " + bytes + " " + HexFormat.of().toHexDigits((byte) mix));
        } finally {
            pool.shutdown();
        }
    }

    /** Hashes every {@code step}-th file from {@code first}: {bytes read, xor of the digests' first bytes}. */
    private static long[] hash(List<Path> files, int first, int step) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        long bytes = 0;
        long mix = 0;
        byte[] buffer = new byte[1 << 20]; // a file of any size, in pieces: a 2 GiB file fits no array
        for (int i = first; i < files.size(); i += step) {
            try (InputStream in = Files.newInputStream(files.get(i))) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    sha256.update(buffer, 0, n);
                    bytes += n;
                }
            }
            mix ^= sha256.digest()[0];
        }
        return new long[] {bytes, mix};
    }
}
