package dev.stowage.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.util.OSInfo;
import software.amazon.awssdk.crt.internal.ExtractLib;

/**
 * Unpacks the native libraries of the AWS CRT and of SQLite for this platform into a folder, each
 * as the library itself would unpack it. Without them there, each library unpacks its own (6 MB
 * and 1 MB) into the temporary folder at every start of the JVM, which costs a short command
 * about 0.2 s; the {@code stowage} launcher runs this once per build and hands the folder to the
 * JVM ({@link #jvmOptions}).
 *
 * <p>Usage: {@code NativeLibraries FOLDER [FINAL]}: writes the libraries into {@code FOLDER}, then,
 * last, {@code jvm.options}: a JVM argument file ({@code java @FINAL/jvm.options}) with the options
 * that load them from {@code FINAL} (by default {@code FOLDER}), where the caller moves the folder.
 * Exit code 0; 1 (with a line on standard error) if they cannot be written. A library this platform
 * has no copy of is left out, and loads as it always does.
 */
public final class NativeLibraries {
    /** The CRT's library, which it loads from {@code java.library.path} before unpacking its own. */
    static final String CRT = System.mapLibraryName("aws-crt-jni");
    /** SQLite's, which it loads from {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} when set. */
    static final String SQLITE = System.mapLibraryName("sqlitejdbc");
    /** The argument file, written last. */
    static final String OPTIONS = "jvm.options";

    private NativeLibraries() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: NativeLibraries FOLDER [FINAL]");
            System.exit(2);
        }
        try {
            Path folder = Files.createDirectories(Path.of(args[0]));
            unpack(folder);
            Path loadedFrom = Path.of(args.length > 1 ? args[1] : args[0]).toAbsolutePath();
            StringBuilder file = new StringBuilder();
            for (String option : jvmOptions(folder, loadedFrom)) {
                // An argument file's quoting: the folder's path may hold spaces, quotes or backslashes.
                file.append('"').append(option.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
            }
            Path options = folder.resolve(OPTIONS);
            Path partial = folder.resolve(OPTIONS + ".partial");
            Files.writeString(partial, file);
            Files.move(partial, options, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            System.err.println("error: cannot unpack the native libraries into " + args[0] + ": " + e);
            System.exit(1);
        }
    }

    /** Writes each library this platform has into {@code folder}, under the name it is loaded by. */
    static void unpack(Path folder) throws IOException {
        Path crt = folder.resolve(CRT);
        try {
            Files.deleteIfExists(crt);
            Files.createFile(crt); // the CRT writes into a file that is there, as it does into its temporary one
            ExtractLib.extractLibrary(crt.toFile());
        } catch (RuntimeException e) {
            Files.deleteIfExists(crt); // no copy for this platform: the CRT unpacks its own, or says why not
        }
        String sqlite = "/org/sqlite/native/" + OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + SQLITE;
        try (InputStream in = OSInfo.class.getResourceAsStream(sqlite)) {
            if (in != null) {
                Files.copy(in, folder.resolve(SQLITE), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** The JVM options that load the libraries found in {@code folder} from {@code loadedFrom}. */
    static List<String> jvmOptions(Path folder, Path loadedFrom) {
        List<String> options = new ArrayList<>();
        if (Files.isRegularFile(folder.resolve(CRT))) {
            options.add("-Djava.library.path=" + loadedFrom);
        }
        if (Files.isRegularFile(folder.resolve(SQLITE))) {
            options.add("-Dorg.sqlite.lib.path=" + loadedFrom);
            options.add("-Dorg.sqlite.lib.name=" + SQLITE);
        }
        return options;
    }
}
