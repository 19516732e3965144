package dev.stowage.app;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code stowage config}: prints the effective configuration, secrets hidden. */
@Command(name = "config", exitCodeList = {ExitCode.DONE, ExitCode.BAD_USAGE},
        description = {"Prints the effective configuration, secrets as ****.",
        "The defaults, the file, the environment and --set applied, each key with where its value came from."})
final class ConfigCommand implements Callable<Integer> {
    @ParentCommand
    Stowage top;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        spec.commandLine().getOut().print(top.explain());
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
