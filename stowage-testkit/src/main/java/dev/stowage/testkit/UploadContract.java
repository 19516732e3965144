package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.await;
import static dev.stowage.testkit.StorageBackendContract.expectFailure;
import static dev.stowage.testkit.StorageBackendContract.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link dev.stowage.StorageBackend#uploadFile}: what is stored, and sources that fail. */
abstract class UploadContract extends ContractGroup {
    UploadContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void uploadFile_thenStatAndGetUrl_agreeOnOneObject() throws Exception {
        byte[] content = utf8("Hello, Stowage.\n");
        String key = "docs/hello.txt";
        Instant before = Instant.now();

        URI url = await(backend().uploadFile(source(content), key));

        Instant after = Instant.now();
        ObjectInfo info = await(backend().stat(key)).orElseThrow(() -> new AssertionError("stat found nothing after upload"));
        assertThat(info.key()).isEqualTo(key);
        assertThat(info.sizeBytes()).isEqualTo(content.length);
        assertBetween(info.lastModified(), before, after, "lastModified");
        assertStored(key, content);
        assertThat(backend().getUrl(key)).as("getUrl of the uploaded key").isEqualTo(url);
    }

    @Test
    void uploadFile_existingKey_replacesContentAndSize() throws Exception {
        String key = "replace/me.bin";
        await(backend().uploadFile(source(randomBytes(100_000, 1)), key));
        byte[] shorter = utf8("now much shorter");

        URI url = await(backend().uploadFile(source(shorter), key));

        assertStored(key, shorter);
        assertThat(await(backend().stat(key))).map(ObjectInfo::sizeBytes).hasValue((long) shorter.length);
        assertThat(url).isEqualTo(backend().getUrl(key));
    }

    @Test
    void uploadFile_emptyFile_storesEmptyObject() throws Exception {
        String key = "empty.txt";

        await(backend().uploadFile(source(new byte[0]), key));

        assertStored(key, new byte[0]);
        assertThat(await(backend().stat(key))).map(ObjectInfo::sizeBytes).hasValue(0L);
    }

    @Test
    void uploadFile_24MiBRandomFile_storesEveryByte() throws Exception {
        // Larger than the local disk's copy chunk (8 MiB) and S3's multipart threshold (16 MiB).
        SourceFile large = randomSource(24L * MiB, 24);

        await(backend().uploadFile(large.path(), "large/random.bin"));

        byte[] stored = readObject("large/random.bin").orElseThrow(() -> new AssertionError("nothing stored"));
        assertThat(stored.length).isEqualTo(large.sizeBytes());
        assertThat(sha256(stored)).as("SHA-256 of the stored object").isEqualTo(large.sha256());
        ObjectInfo info = await(backend().stat("large/random.bin")).orElseThrow();
        assertThat(info.sizeBytes()).isEqualTo(large.sizeBytes());
        assertKept(claims().storesSha256(), "storesSha256", info.sha256(), Optional.of(large.sha256()));
    }

    @Test
    void uploadFile_withEveryOption_storesTheSameBytes() throws Exception {
        byte[] content = utf8("{\"ok\":true}");
        UploadOptions options = UploadOptions.builder()
                .contentType("application/json")
                .cacheControl("public, max-age=60")
                .metadata("origin", "contract-test")
                .sha256(sha256(content))
                .build();

        URI url = await(backend().uploadFile(source(content), "data/ok.json", options));

        assertStored("data/ok.json", content);
        assertThat(url).isEqualTo(backend().getUrl("data/ok.json"));
    }

    @Test
    void uploadFile_callersSha256IsWrong_failsIntegrityWhereChecksumsAreKept_neverReportsTheWrongOne() throws Exception {
        byte[] content = utf8("the real content");
        String wrong = sha256(utf8("some other content"));
        String key = "checked/file.txt";

        CompletableFuture<URI> upload = backend().uploadFile(source(content), key, UploadOptions.builder().sha256(wrong).build());

        // A backend that keeps checksums checks the caller's word; one that does not (the local
        // disk) may store the file, but must never report the wrong checksum as the content's.
        if (claims().storesSha256() || failureOf(upload) != null) {
            expectFailure(upload, ErrorKind.INTEGRITY, Operation.UPLOAD, key);
            assertThat(readObject(key)).as("stored after an integrity failure").isEmpty();
        } else {
            assertStored(key, content);
            ObjectInfo info = await(backend().stat(key)).orElseThrow();
            assertKept(claims().storesSha256(), "storesSha256", info.sha256(), Optional.of(sha256(content)));
        }
    }

    @Test
    void uploadFile_missingSource_failsNotFoundNamingPathAndStoresNothing() throws Exception {
        assertFailsNotFoundAndStoresNothing(suite.sources().resolve("no such file.txt"), "missing/source.txt");
    }

    @Test
    void uploadFile_sourceBelowAFile_failsNotFoundNamingPathAndStoresNothing() throws Exception {
        // "notes.txt/child" cannot exist: its parent is a file. Unix reports ENOTDIR, not ENOENT.
        assertFailsNotFoundAndStoresNothing(source(utf8("a file, not a folder")).resolve("child"), "below-file.txt");
    }

    private void assertFailsNotFoundAndStoresNothing(Path missing, String key) throws Exception {
        Set<String> before = storedNames();

        StorageException e = expectFailure(backend().uploadFile(missing, key), ErrorKind.NOT_FOUND, Operation.UPLOAD, key);

        assertThat(e.getMessage()).contains(missing.toString());
        assertThat(storedNames()).isEqualTo(before);
    }

    @Test
    void uploadFile_directoryAsSource_failsAndStoresNothing() throws Exception {
        Path folder = Files.createDirectory(suite.sources().resolve("a folder"));
        Files.write(folder.resolve("inside.txt"), utf8("inside"));
        Set<String> before = storedNames();

        expectFailure(backend().uploadFile(folder, "folder-as-source"), null, Operation.UPLOAD, "folder-as-source");

        assertThat(storedNames()).isEqualTo(before);
    }
}
