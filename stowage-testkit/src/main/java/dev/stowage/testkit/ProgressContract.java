package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.await;

import dev.stowage.UploadOptions;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What an upload reports to its {@link dev.stowage.UploadProgress}: {@code (0, total)} first,
 * {@code (total, total)} last and before the upload succeeds, never backwards, on the backend's
 * threads, whatever the size; and a listener that throws does not fail the upload.
 */
abstract class ProgressContract extends ContractGroup {
    ProgressContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void uploadFile_9MiB_progressFromZeroToTotal_neverBackwards_offTheCallersThread() throws Exception {
        // Larger than the local disk's copy chunk (8 MiB), so that it reports between start and end.
        assertProgress(randomSource(9L * MiB, 9), "progress/nine.bin");
    }

    @Test
    void uploadFile_emptyFile_progressFromZeroToZero() throws Exception {
        assertProgress(randomSource(0, 0), "progress/empty.bin");
    }

    @Test
    void uploadFile_progressListenerThrows_uploadStillSucceeds() throws Exception {
        byte[] content = utf8("heard by a broken listener");
        UploadOptions options = UploadOptions.builder().progress((done, total) -> {
            throw new IllegalStateException("a broken progress bar");
        }).build();

        await(backend().uploadFile(source(content), "progress/broken.txt", options));

        assertStored("progress/broken.txt", content);
    }

    private void assertProgress(SourceFile source, String key) throws Exception {
        ProgressLog progress = new ProgressLog();
        Thread caller = Thread.currentThread();

        CompletableFuture<URI> upload = backend().uploadFile(source.path(), key, UploadOptions.builder().progress(progress).build());
        // What had been reported when the upload succeeded: (total, total) comes before success.
        List<ProgressLog.Report> atSuccess = await(upload.thenApply(url -> progress.reports()));

        ProgressLog.assertFromZeroToTotal(atSuccess, source.sizeBytes(), thread -> thread != caller, "a thread other than the caller's");
    }
}
