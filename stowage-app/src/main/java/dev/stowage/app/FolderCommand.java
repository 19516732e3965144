package dev.stowage.app;

import dev.stowage.StorageBackend;
import dev.stowage.app.config.AppConfig;
import dev.stowage.app.config.CommandOptions;
import dev.stowage.sync.CacheManager;
import dev.stowage.sync.PublishListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command on a published folder and its backend: {@code DIR [BACKEND-URI]}, as {@code sync} and {@code verify} take. */
abstract class FolderCommand implements Callable<Integer> {
    @ParentCommand
    Stowage top;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The published folder.")
    Path dir;

    @Parameters(index = "1", arity = "0..1", paramLabel = "BACKEND-URI",
            description = "Where it is published (default: backend in the configuration), such as s3://bucket/site?preset=r2")
    String backend;

    @Option(names = "--json", description = "Prints the result as JSON.")
    boolean json;

    @Override
    public final Integer call() throws Exception {
        AppConfig config = top.config(CommandOptions.none().with("BACKEND-URI", "backend", backend));
        Path folder = Publishing.folder(dir);
        String uri = Backends.uri(Optional.ofNullable(backend), config);
        try (StorageBackend storage = Backends.openForSync(uri)) {
            return run(uri, listener -> Publishing.manager(folder, storage, config, Backends.retriesItself(uri), listener)
                    .target(dev.stowage.spi.BackendUri.parse(uri).toString()).build());
        }
    }

    /** Makes the folder's cache manager, hearing {@code listener}. */
    interface Managers {
        CacheManager open(PublishListener listener);
    }

    /** Does the command's work; returns the exit code. */
    abstract int run(String uri, Managers managers) throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
