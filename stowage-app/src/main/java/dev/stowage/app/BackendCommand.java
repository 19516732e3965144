package dev.stowage.app;

import dev.stowage.StorageBackend;
import dev.stowage.app.config.AppConfig;
import dev.stowage.app.config.CommandOptions;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command that works on one backend: taken from {@code --backend URI} or the configuration. */
abstract class BackendCommand implements Callable<Integer> {
    @ParentCommand
    Stowage top;

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "URI",
            description = "The backend (default: backend in the configuration), such as s3://bucket/site?preset=r2")
    String backend;

    @Option(names = "--json", description = "Prints the result as JSON.")
    boolean json;

    @Override
    public final Integer call() throws Exception {
        AppConfig config = top.config(CommandOptions.none().with("--backend", "backend", backend));
        try (StorageBackend storage = Backends.open(Backends.uri(Optional.ofNullable(backend), config))) {
            return run(storage);
        }
    }

    /** Does the command's work on {@code storage}; returns the exit code. */
    abstract int run(StorageBackend storage) throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
