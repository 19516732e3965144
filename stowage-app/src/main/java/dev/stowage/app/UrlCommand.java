package dev.stowage.app;

import dev.stowage.Keys;
import dev.stowage.StorageBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stowage url KEY}: prints the public URL of a key, without asking the backend. */
@Command(name = "url", exitCodeList = {ExitCode.DONE, ExitCode.OPERATION_FAILED, ExitCode.BAD_USAGE},
        description = "Prints the URL of KEY (computed, no request).")
final class UrlCommand extends BackendCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Override
    int run(StorageBackend storage) {
        Keys.validate(key);
        String url = storage.getUrl(key).toString();
        if (json) {
            Json.print(out(), Json.object().put("key", key).put("url", url));
        } else {
            out().println(url);
        }
        return ExitCode.OK;
    }
}
