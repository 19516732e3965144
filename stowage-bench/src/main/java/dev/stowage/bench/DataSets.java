package dev.stowage.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The benchmark's data sets, the same bytes for the same seed on every machine:
 * <ul>
 *   <li>{@code small}: 10,000 files of 4 KiB in 100 folders;</li>
 *   <li>{@code large}: one file of 2 GiB;</li>
 *   <li>{@code tree}: 100,000 files of 1 KiB, 100 in each of 1,000 folders three levels deep;</li>
 *   <li>{@code mixed}: 1,000 files from 1 KiB to 50 MiB in 10 folders, most of them small
 *       (size = 1 KiB &times; 51200<sup>q&sup3;</sup> for evenly spaced q in [0, 1]: 1.6 GiB in all).</li>
 * </ul>
 * {@code touch} gives 1% of a folder's files new content of the same size, a different 1% for each round.
 * Names end in {@code .bin} or {@code .dat}, sent as {@code application/octet-stream} by every
 * contender: S3Proxy refuses the signature of rclone's uploads with {@code Content-Type: text/plain; charset=utf-8}.
 *
 * <p>Usage: {@code DataSets make SET DIR SEED [SCALE]} (SCALE divides file counts and sizes, for a quick
 * run), or {@code DataSets touch DIR ROUND}. Prints the files and bytes written.
 */
public final class DataSets {
    private static final long KiB = 1024;
    private static final long MiB = KiB * KiB;

    private DataSets() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 4 && args[0].equals("make")) {
            int scale = args.length > 4 ? Integer.parseInt(args[4]) : 1;
            make(args[1], Path.of(args[2]), Long.parseLong(args[3]), scale);
        } else if (args.length == 3 && args[0].equals("touch")) {
            touch(Path.of(args[1]), Integer.parseInt(args[2]));
        } else {
            System.err.println("usage: DataSets make small|large|tree|mixed DIR SEED [SCALE] | DataSets touch DIR ROUND");
            System.exit(2);
        }
    }

    static void make(String set, Path dir, long seed, int scale) throws IOException {
        List<Path> names = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        switch (set) {
            case "small" -> {
                for (int i = 0; i < 10_000 / scale; i++) {
                    names.add(Path.of(String.format(Locale.ROOT, "d%02d/f%04d.bin", i % 100, i)));
                    sizes.add(4 * KiB);
                }
            }
            case "large" -> {
                names.add(Path.of("large.bin"));
                sizes.add(2048 * MiB / scale);
            }
            case "tree" -> {
                for (int i = 0; i < 100_000 / scale; i++) {
                    int folder = i / 100;
                    names.add(Path.of(String.format(Locale.ROOT, "a%d/b%d/c%d/f%02d.dat",
                            folder / 100, folder / 10 % 10, folder % 10, i % 100)));
                    sizes.add(KiB);
                }
            }
            case "mixed" -> {
                int count = 1000 / scale;
                SplittableRandom order = new SplittableRandom(seed);
                List<Long> all = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    double q = count == 1 ? 1 : (double) i / (count - 1);
                    all.add(Math.round(KiB * Math.pow(51_200, q * q * q)));
                }
                for (int i = 0; i < count; i++) { // shuffled, so sizes are not sorted by name
                    int j = i + order.nextInt(count - i);
                    long t = all.get(i);
                    all.set(i, all.get(j));
                    all.set(j, t);
                    names.add(Path.of(String.format(Locale.ROOT, "m%d/file%03d.dat", i % 10, i)));
                    sizes.add(all.get(i));
                }
            }
            default -> throw new IllegalArgumentException("no data set " + set + ": small, large, tree or mixed");
        }
        long bytes = 0;
        for (int i = 0; i < names.size(); i++) {
            Path file = dir.resolve(names.get(i));
            Files.createDirectories(file.getParent());
            write(file, sizes.get(i), new SplittableRandom(seed * 1_000_003 + i));
            bytes += sizes.get(i);
        }
        System.out.println(names.size() + " files, " + bytes + " bytes");
    }

    /** Rewrites every 100th file (in name order, from an offset the round chooses) with other bytes of its size. */
    static void touch(Path dir, int round) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        long bytes = 0;
        int touched = 0;
        for (int i = (round * 37) % 100; i < files.size(); i += 100) {
            Path file = files.get(i);
            long size = Files.size(file);
            write(file, size, new SplittableRandom(((long) round << 32) ^ i ^ size));
            bytes += size;
            touched++;
        }
        System.out.println(touched + " files, " + bytes + " bytes");
    }

    private static void write(Path file, long size, SplittableRandom random) {
        byte[] chunk = new byte[(int) Math.min(size, MiB)];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8 && i + b < chunk.length; b++) {
                        chunk[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
