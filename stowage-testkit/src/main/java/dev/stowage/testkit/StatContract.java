package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.MediaTypes;
import dev.stowage.ObjectInfo;
import dev.stowage.UploadOptions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.stowage.StorageBackend#stat}: what it reports, each field held to the backend's
 * {@link dev.stowage.Capabilities}: a field claimed is exactly what was given at upload (or, for the
 * content type, guessed from the key), and a field not claimed is empty or right, never wrong.
 */
abstract class StatContract extends ContractGroup {
    StatContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void stat_missingKey_isEmpty() throws Exception {
        assertThat(await(backend().stat("nothing/here.txt"))).isEmpty();
    }

    @Test
    void stat_keyThatIsOnlyAFolderOfOthers_isEmpty() throws Exception {
        await(backend().uploadFile(source(utf8("inside a folder")), "dir/sub/a.txt"));

        assertThat(await(backend().stat("dir"))).as("stat of dir").isEmpty();
        assertThat(await(backend().stat("dir/sub"))).as("stat of dir/sub").isEmpty();
    }

    @Test
    void stat_keyBelowAnExistingObject_isEmpty() throws Exception {
        await(backend().uploadFile(source(utf8("x")), "x"));

        assertThat(await(backend().stat("x/y"))).isEmpty();
    }

    @Test
    void stat_sha256_isTheContentsIfClaimed_neverWrong() throws Exception {
        byte[] content = utf8("hash me");

        ObjectInfo info = upload("hashed.txt", content, UploadOptions.defaults());

        assertKept(claims().storesSha256(), "storesSha256", info.sha256(), Optional.of(sha256(content)));
    }

    @Test
    void stat_contentTypeGiven_isReportedIfClaimed_neverWrong() throws Exception {
        // Not what the extension says: a backend that guesses instead of keeping it shows.
        String given = "application/vnd.stowage.contract+json";

        ObjectInfo info = upload("data/report.json", utf8("{}"), UploadOptions.builder().contentType(given).build());

        assertKept(claims().storesContentType(), "storesContentType", asMediaType(info.contentType()), asMediaType(Optional.of(given)));
    }

    @Test
    void stat_noContentTypeGiven_isTheOneGuessedFromTheKeyIfClaimed_neverWrong() throws Exception {
        for (String key : new String[] {"notes/readme.txt", "img/logo.SVG", "no-extension"}) {
            ObjectInfo info = upload(key, utf8("typed by its name"), UploadOptions.defaults());

            assertKept(claims().storesContentType(), "storesContentType", asMediaType(info.contentType()),
                    asMediaType(Optional.of(MediaTypes.guess(key))));
        }
    }

    @Test
    void stat_cacheControlGiven_isReportedIfClaimed_neverWrong() throws Exception {
        String given = "public, max-age=31536000, immutable";

        ObjectInfo info = upload("cached.css", utf8("a{}"), UploadOptions.builder().cacheControl(given).build());

        assertKept(claims().storesCacheControl(), "storesCacheControl", info.cacheControl(), Optional.of(given));
    }

    @Test
    void stat_metadataGiven_isReportedIfClaimed_neverWrong() throws Exception {
        Map<String, String> given = Map.of("origin", "contract-test", "run-id", "42");

        ObjectInfo info = upload("described.bin", utf8("with metadata"),
                UploadOptions.builder().metadata("origin", "contract-test").metadata("Run-Id", "42").build());

        assertKept(claims().storesMetadata(), "storesMetadata", nonEmpty(info.metadata()), Optional.of(given));
    }

    @Test
    void stat_nothingGiven_reportsNoCacheControlAndNoMetadata() throws Exception {
        ObjectInfo info = upload("plain.bin", utf8("no options"), UploadOptions.defaults());

        assertKept(claims().storesCacheControl(), "storesCacheControl", info.cacheControl(), Optional.empty());
        assertKept(claims().storesMetadata(), "storesMetadata", nonEmpty(info.metadata()), Optional.empty());
    }

    /**
     * A content type as HTTP compares it (RFC 9110, 8.3.1): type, subtype, parameter names and the
     * charset are case-insensitive, and spaces around parameters do not count. S3Proxy, the S3 test
     * server, stores {@code text/plain; charset=UTF-8} as {@code text/plain;charset=utf-8}.
     */
    private static Optional<String> asMediaType(Optional<String> contentType) {
        return contentType.map(type -> type.toLowerCase(Locale.ROOT).replaceAll("\\s*([;=])\\s*", "$1").trim());
    }

    private ObjectInfo upload(String key, byte[] content, UploadOptions options) throws Exception {
        await(backend().uploadFile(source(content), key, options));
        ObjectInfo info = await(backend().stat(key)).orElseThrow(() -> new AssertionError("stat found nothing under " + key));
        assertThat(info.key()).isEqualTo(key);
        assertThat(info.sizeBytes()).isEqualTo(content.length);
        return info;
    }
}
