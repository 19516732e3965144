package dev.stowage.app;

import dev.stowage.StorageBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stowage ls [PREFIX]}: lists the keys under a prefix, in key order, a page at a time. */
@Command(name = "ls", exitCodeList = {ExitCode.DONE, ExitCode.OPERATION_FAILED, ExitCode.BAD_USAGE},
        description = {"Lists the keys under PREFIX (all by default).",
        "In key order, a line each: size, time, key; with --json, one JSON object per line."})
final class LsCommand extends BackendCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX", description = "Only keys starting with this.")
    String prefix = "";

    @Override
    int run(StorageBackend storage) {
        long count = storage.forEach(prefix, o -> {
            if (json) {
                Json.print(out(), StatCommand.describe(o));
            } else {
                out().printf("%12d  %s  %s%n", o.sizeBytes(), o.lastModified(), o.key());
            }
        }).join();
        if (!json) {
            err().println(count + (count == 1 ? " object" : " objects"));
        }
        return ExitCode.OK;
    }
}
