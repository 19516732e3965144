package dev.stowage.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.DeleteResult;
import dev.stowage.StorageBackend;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stowage delete KEY...}: deletes keys; a key that holds nothing counts as deleted. */
@Command(name = "delete", exitCodeList = {ExitCode.DONE, ExitCode.OPERATION_FAILED, ExitCode.BAD_USAGE},
        description = "Deletes KEYs (a key that holds nothing counts as deleted).")
final class DeleteCommand extends BackendCommand {
    @Parameters(arity = "1..*", paramLabel = "KEY", description = "The keys to delete.")
    List<String> keys;

    @Override
    int run(StorageBackend storage) {
        keys.forEach(dev.stowage.Keys::validate); // a key that breaks the rules is a bad argument: nothing is deleted
        DeleteResult result = storage.deleteFiles(keys).join();
        if (json) {
            ObjectNode doc = Json.object();
            result.deleted().forEach(doc.putArray("deleted")::add);
            ObjectNode failed = doc.putObject("failed");
            result.failed().forEach((key, e) -> failed.put(key, e.getMessage()));
            Json.print(out(), doc);
        } else {
            result.deleted().forEach(key -> out().println("deleted " + key));
            result.failed().forEach((key, e) -> err().println("failed " + key + ": " + e.getMessage()));
        }
        return result.isComplete() ? ExitCode.OK : ExitCode.FAILED;
    }
}
