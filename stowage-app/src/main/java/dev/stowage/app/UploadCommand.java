package dev.stowage.app;

import dev.stowage.StorageBackend;
import dev.stowage.UploadOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stowage upload FILE KEY}: uploads one file and prints its URL. */
@Command(name = "upload", exitCodeList = {ExitCode.DONE, ExitCode.OPERATION_FAILED, ExitCode.BAD_USAGE},
        description = "Uploads FILE as KEY and prints its URL.")
final class UploadCommand extends BackendCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The file to upload.")
    Path file;

    @Parameters(index = "1", paramLabel = "KEY", description = "Its key on the backend, e.g. img/logo.png.")
    String key;

    @Option(names = "--content-type", paramLabel = "TYPE", description = "The Content-Type to store (default: from the key's extension).")
    String contentType;

    @Option(names = "--cache-control", paramLabel = "VALUE", description = "The Cache-Control to store.")
    String cacheControl;

    @Override
    int run(StorageBackend storage) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a file: " + file.toAbsolutePath());
        }
        UploadOptions.Builder options = UploadOptions.builder();
        if (contentType != null) {
            options.contentType(contentType);
        }
        if (cacheControl != null) {
            options.cacheControl(cacheControl);
        }
        URI url = storage.uploadFile(file, key, options.build()).join();
        if (json) {
            Json.print(out(), Json.object().put("key", key).put("url", url.toString()).put("size", Files.size(file)));
        } else {
            out().println(url);
        }
        return ExitCode.OK;
    }
}
