package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.DeleteResult;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import dev.stowage.UploadOptions;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No I/O on the caller's thread: on an executor that holds every task until the test releases
 * it ({@link HeldExecutor}), each operation returns a future at once, not done, having handed the
 * executor its work, and nothing changes in storage until the executor runs; then the work runs on
 * the executor's threads. Skipped for a backend whose test class gives no
 * {@link StorageBackendContract#createBackendOn}.
 */
abstract class ThreadingContract extends ContractGroup {
    private final HeldExecutor executor = new HeldExecutor();
    /** A backend working on {@link #executor}. */
    private StorageBackend held;

    ThreadingContract(StorageBackendContract suite) {
        super(suite);
    }

    @BeforeEach
    final void openOnAHeldExecutor() throws Exception {
        held = backendOn(executor);
    }

    @AfterEach
    final void closeIt() throws Exception {
        if (held != null) {
            held.close();
        }
        executor.shutDown();
    }

    /** Stores an object through the held backend, its executor let go for that, then held again. */
    private void store(String key, byte[] content) throws Exception {
        executor.release();
        await(held.uploadFile(source(content), key));
        executor.hold();
    }

    @Test
    void uploadFile_storesNothingUntilTheExecutorRuns_thenReportsFromItsThreads() throws Exception {
        byte[] content = utf8("held");
        ProgressLog progress = new ProgressLog();
        Set<String> before = storedNames();

        CompletableFuture<URI> upload = held.uploadFile(source(content), "held/upload.txt",
                UploadOptions.builder().progress(progress).build());

        assertWaitsForTheExecutor(upload, "uploadFile");
        assertThat(storedNames()).as("stored before the executor ran").isEqualTo(before);
        executor.release();
        await(upload);
        assertStored("held/upload.txt", content);
        ProgressLog.assertFromZeroToTotal(progress.reports(), content.length, executor::owns, "the executor's threads");
    }

    @Test
    void stat_answersOnlyOnceTheExecutorRuns() throws Exception {
        store("held/stat.txt", utf8("held"));

        CompletableFuture<Optional<ObjectInfo>> stat = held.stat("held/stat.txt");

        assertWaitsForTheExecutor(stat, "stat");
        executor.release();
        assertThat(await(stat)).map(ObjectInfo::sizeBytes).hasValue(4L);
    }

    @Test
    void deleteFile_deletesNothingUntilTheExecutorRuns() throws Exception {
        byte[] content = utf8("held");
        store("held/delete.txt", content);

        CompletableFuture<Void> delete = held.deleteFile("held/delete.txt");

        assertWaitsForTheExecutor(delete, "deleteFile");
        assertStored("held/delete.txt", content);
        executor.release();
        await(delete);
        assertDeletedIfClaimed("held/delete.txt", content);
    }

    @Test
    void deleteFiles_deletesNothingUntilTheExecutorRuns() throws Exception {
        byte[] content = utf8("held");
        store("held/batch.txt", content);

        CompletableFuture<DeleteResult> delete = held.deleteFiles(List.of("held/batch.txt"));

        assertWaitsForTheExecutor(delete, "deleteFiles");
        assertStored("held/batch.txt", content);
        executor.release();
        assertThat(await(delete).deleted()).containsExactly("held/batch.txt");
        assertDeletedIfClaimed("held/batch.txt", content);
    }

    @Test
    void forEach_deliversNothingUntilTheExecutorRuns_thenOnItsThreads() throws Exception {
        store("held/listed.txt", utf8("held"));
        Set<Thread> threads = ConcurrentHashMap.newKeySet();

        CompletableFuture<Long> listing = held.forEach("", info -> threads.add(Thread.currentThread()));

        assertWaitsForTheExecutor(listing, "forEach");
        assertThat(threads).as("threads items arrived on before the executor ran").isEmpty();
        executor.release();
        assertThat(await(listing)).isEqualTo(1L);
        assertThat(threads).as("threads items arrived on").isNotEmpty().allMatch(executor::owns);
    }

    @Test
    void uploadFile_cancelledBeforeTheExecutorRunsIt_storesNothing() throws Exception {
        Set<String> before = storedNames();
        CompletableFuture<URI> upload = held.uploadFile(source(utf8("never stored")), "held/cancelled.txt");

        assertThat(upload.cancel(true)).as("cancel of an upload that has not started").isTrue();
        executor.release();
        executor.shutDown();

        awaitNoLeftovers();
        assertThat(storedNames()).as("stored after an upload cancelled before it began").isEqualTo(before);
    }

    private void assertWaitsForTheExecutor(CompletableFuture<?> future, String operation) {
        assertThat(future).as("%s's future, before the executor ran anything", operation).isNotDone();
        // An operation that gave the executor nothing does its work elsewhere: on the caller's
        // thread, or on threads the caller did not give it.
        assertThat(executor.heldTasks()).as("tasks %s gave the backend's executor before returning", operation).isPositive();
    }

    private void assertDeletedIfClaimed(String key, byte[] content) throws Exception {
        if (held.capabilities().deletes()) {
            assertThat(readObject(key)).as("stored under %s after delete", key).isEmpty();
        } else {
            assertStored(key, content);
        }
    }
}
