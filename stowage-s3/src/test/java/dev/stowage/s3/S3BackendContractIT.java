package dev.stowage.s3;

import dev.stowage.StorageBackend;
import dev.stowage.testkit.StorageBackendContract;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;

/** {@link S3Backend} against the backend contract, on a real S3 server, one fresh bucket per test. */
class S3BackendContractIT extends StorageBackendContract {
    private String bucket;

    @Override
    protected StorageBackend createBackend() {
        S3Config config = TestS3.freshBucket().build();
        bucket = config.bucketName();
        return S3Backend.create(config);
    }

    /** The test server keeps objects in memory: each test's bucket goes once the test is over. */
    @AfterEach
    void deleteBucket() {
        if (bucket != null) {
            TestS3.server().deleteBucket(bucket);
        }
    }

    @Override
    protected Optional<byte[]> readObject(String key) {
        return TestS3.server().read(bucket, key);
    }

    @Override
    protected boolean allowsFileAndFolderWithSameName() {
        return true;
    }

    @Override
    protected Optional<Set<String>> storedNames() {
        return Optional.of(Set.copyOf(TestS3.server().keys(bucket)));
    }

    @Override
    protected boolean expectedRemote() {
        return true;
    }
}
