package dev.stowage.s3;

import static dev.stowage.testkit.StorageBackendContract.await;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.ResumeJournal;
import dev.stowage.ResumePoint;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.UploadProgress;
import dev.stowage.layer.RetryLayer;
import dev.stowage.layer.RetryPolicy;
import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Multipart uploads recorded in a {@link ResumeJournal}: an upload that a dead process left is
 * taken up and only its missing parts are sent; a record that does not fit is dropped; a failure
 * of the network keeps the upload for the retry; {@code abortStaleUploads} clears what no journal
 * holds.
 *
 * <p>What was sent is told by {@link RecordedRequests}, an SDK interceptor inside the backend's own
 * client: it sees every HTTP request that client sends, each attempt on its own (the SDK's own
 * retries are off), with its URI, so each {@code UploadPart}'s part number and upload id. A
 * "dead process" is an upload made and partly filled here through a client of its own, with the
 * record such a process would have saved.
 */
@Timeout(120)
class ResumableUploadIT {
    private static final long MiB = 1 << 20;
    private static final HexFormat HEX = HexFormat.of();
    /** The test log: {@code simplelogger.properties} sends every line there. */
    private static final Path LOG = Path.of("target", "s3-tests.log");

    @TempDir
    Path dir;
    private final S3TestServer server = TestS3.server();
    private final String bucket = server.createBucket();
    /** Per test, so that a line of the log names this test's upload only. */
    private final String key = "video/" + bucket + ".bin";
    private final MemoryJournal journal = new MemoryJournal();
    private final RecordedRequests recorded = new RecordedRequests();
    private final S3Config direct = TestS3.config(S3Preset.GENERIC, bucket).build();
    private final S3AsyncClient raw = S3Clients.client(direct, S3Clients.credentials(direct), List.of());

    @AfterEach
    void closeClient() {
        raw.close();
    }

    /** Parts of 5 MiB, two at a time: a file of 16 MiB goes in parts of 5, 5, 5 and 1 MiB. */
    private S3Config.Builder multipart() {
        return TestS3.config(S3Preset.GENERIC, bucket).multipartThresholdBytes(5 * MiB).partSizeBytes(5 * MiB).partConcurrency(2);
    }

    @Test
    void uploadLeftByADeadProcess_isResumed_sendingOnlyTheMissingParts() throws Exception {
        Path file = file(16, 1);
        String id = deadUpload(file, 5 * MiB, 1, 3);
        List<long[]> progress = new CopyOnWriteArrayList<>();
        UploadProgress recorder = (done, total) -> progress.add(new long[] {done, total});

        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).build()) {
            await(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).progress(recorder).build()));
            ObjectInfo info = await(s3.stat(key)).orElseThrow();
            assertThat(info.sha256()).hasValue(sha256(file));
        }

        assertThat(recorded.of("CreateMultipartUploadRequest")).as("no new upload").isEmpty();
        assertThat(recorded.of("ListPartsRequest")).hasSize(1);
        assertThat(partNumbers()).as("parts sent").containsExactlyInAnyOrder(2, 4);
        assertThat(uploadIds()).as("sent to the upload left").containsExactly(id);
        assertThat(recorded.of("UploadPartRequest")).extracting(RecordedRequests.Request::contentLength)
                .as("bytes sent").containsExactlyInAnyOrder(5 * MiB, MiB);
        assertStoredExactly(file);
        assertThat(journal.points()).as("records left").isEmpty();
        assertThat(server.multipartUploads(bucket)).as("uploads left").isEmpty();

        long total = 16 * MiB;
        assertThat(progress.get(0)).as("first report").containsExactly(0, total);
        // The 10 MiB stored already are told at once; a part that ends soon after may be told
        // first, and then the smaller figure is left out, as progress never goes down.
        assertThat(progress.subList(1, progress.size())).as("reports after the first")
                .isNotEmpty().allSatisfy(report -> assertThat(report[0]).isGreaterThanOrEqualTo(10 * MiB));
        assertThat(progress.get(progress.size() - 1)).as("last report").containsExactly(total, total);
        assertThat(journal.threads()).as("the journal, called on the backend's I/O threads only")
                .isNotEmpty().allSatisfy(thread -> assertThat(thread).startsWith("stowage-s3-io-"));
        assertThat(Files.readAllLines(LOG)).as("the INFO line of the resumption")
                .anyMatch(line -> line.contains("INFO") && line.contains("resuming upload of " + key
                        + ": 2 of 4 parts already stored (" + 10 * MiB + " bytes)"));
    }

    @Test
    void uploadLeftWithEveryPartStored_isOnlyCompleted() throws Exception {
        Path file = file(11, 1);
        String id = deadUpload(file, 5 * MiB, 1, 2, 3);

        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).build()) {
            await(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build()));
        }

        assertThat(recorded.of("UploadPartRequest")).isEmpty();
        assertThat(recorded.of("CompleteMultipartUploadRequest")).singleElement()
                .satisfies(r -> assertThat(r.uri().getRawQuery()).contains("uploadId=" + id));
        assertStoredExactly(file);
        assertThat(journal.points()).isEmpty();
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /** How the record left differs from the upload to make now. */
    enum OtherPlan { CONTENT, PART_SIZE }

    @ParameterizedTest
    @EnumSource(OtherPlan.class)
    void recordOfOtherContentOrPartSize_itsUploadIsAborted_andTheFileGoesAfresh(OtherPlan other) throws Exception {
        Path file = file(16, 1);
        Path before = other == OtherPlan.CONTENT ? file(16, 2) : file;
        long partSize = other == OtherPlan.PART_SIZE ? 6 * MiB : 5 * MiB;
        String old = deadUpload(before, partSize, 1, 2);

        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).build()) {
            await(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build()));
        }

        assertThat(recorded.of("ListPartsRequest")).as("not worth asking").isEmpty();
        assertThat(recorded.of("AbortMultipartUploadRequest")).singleElement()
                .satisfies(r -> assertThat(r.uri().getRawQuery()).contains("uploadId=" + old));
        assertThat(recorded.of("CreateMultipartUploadRequest")).hasSize(1);
        assertThat(partNumbers()).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(uploadIds()).doesNotContain(old).hasSize(1);
        assertStoredExactly(file);
        assertThat(journal.points()).isEmpty();
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /** How the store tells that the upload recorded is gone. */
    enum Gone {
        /** S3Proxy, for an upload it no longer has, lists no parts. */
        NO_PARTS_LISTED,
        /** AWS answers {@code NoSuchUpload}; S3Proxy does not, so the answer is made in the client. */
        NO_SUCH_UPLOAD
    }

    @ParameterizedTest
    @EnumSource(Gone.class)
    void recordedUploadGoneFromTheStore_theFileGoesAfresh(Gone gone) throws Exception {
        Path file = file(16, 1);
        String old = deadUpload(file, 5 * MiB, 1, 2);
        raw.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(old)).get(20, SECONDS); // behind the journal's back
        ExecutionInterceptor noSuchUpload = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (gone == Gone.NO_SUCH_UPLOAD && context.request() instanceof ListPartsRequest) {
                    throw NoSuchUploadException.builder().statusCode(404).message("The specified upload does not exist")
                            .awsErrorDetails(AwsErrorDetails.builder().errorCode("NoSuchUpload").serviceName("S3")
                                    .errorMessage("The specified upload does not exist").build()).build();
                }
            }
        };

        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).interceptor(noSuchUpload).build()) {
            await(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build()));
        }

        assertThat(recorded.of("ListPartsRequest")).hasSize(1);
        assertThat(recorded.of("CreateMultipartUploadRequest")).hasSize(1);
        assertThat(partNumbers()).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(uploadIds()).doesNotContain(old);
        if (gone == Gone.NO_SUCH_UPLOAD) {
            assertThat(recorded.of("AbortMultipartUploadRequest")).as("nothing to abort").isEmpty();
        }
        assertStoredExactly(file);
        assertThat(journal.points()).isEmpty();
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /** How {@code ListParts} fails. */
    enum ListingFails { RESET, ACCESS_DENIED }

    /**
     * A listing cut by the network is worth another attempt, which may resume: the upload fails
     * retryable and the record stays. One the store refuses (no {@code s3:ListMultipartUploadParts})
     * never will be: the upload left is aborted and the file goes afresh.
     */
    @ParameterizedTest
    @EnumSource(ListingFails.class)
    void listingThePartsFails_aResetKeepsTheRecord_aRefusalStartsAfresh(ListingFails how) throws Exception {
        Path file = file(16, 1);
        String old = deadUpload(file, 5 * MiB, 1, 2);
        ExecutionInterceptor failListParts = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (context.request() instanceof ListPartsRequest) {
                    throw how == ListingFails.RESET
                            ? SdkClientException.create("Unable to execute HTTP request", new IOException("Connection reset by peer"))
                            : S3Exception.builder().statusCode(403).message("Access Denied").awsErrorDetails(AwsErrorDetails.builder()
                                    .errorCode("AccessDenied").serviceName("S3").errorMessage("Access Denied").build()).build();
                }
            }
        };

        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).interceptor(failListParts).build()) {
            CompletableFuture<?> upload = s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build());
            if (how == ListingFails.RESET) {
                StorageException e = failure(upload);
                assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.UNAVAILABLE);
                assertThat(e.isRetryable()).isTrue();
                assertThat(recorded.of("CreateMultipartUploadRequest")).isEmpty();
                assertThat(recorded.of("AbortMultipartUploadRequest")).isEmpty();
                assertThat(journal.points()).hasEntrySatisfying(key, p -> assertThat(p.uploadId()).isEqualTo(old));
                assertThat(server.multipartUploads(bucket)).containsExactly(key);
                return;
            }
            await(upload);
        }
        assertThat(recorded.of("AbortMultipartUploadRequest")).singleElement()
                .satisfies(r -> assertThat(r.uri().getRawQuery()).contains("uploadId=" + old));
        assertThat(partNumbers()).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertStoredExactly(file);
        assertThat(journal.points()).isEmpty();
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /** Part 2 on the store is of other bytes of the same size, as if the file had been edited in place since. */
    @Test
    void storedPartOfOtherBytes_isSentAgain() throws Exception {
        Path file = file(16, 1);
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) (5 * MiB) + 7] ^= 1;
        Path edited = Files.write(dir.resolve("edited.bin"), bytes);
        String id = deadUpload(edited, 5 * MiB, 1, 2, 3);
        journal.saved(point(id, file, 5 * MiB)); // the record names the file as it is now

        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).build()) {
            await(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build()));
        }

        assertThat(partNumbers()).containsExactlyInAnyOrder(2, 4);
        assertThat(uploadIds()).containsExactly(id);
        assertStoredExactly(file);
        assertThat(journal.points()).isEmpty();
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /** Part 2 fails once as a reset connection would, each part being tried once: the upload stays, for the next call. */
    @Test
    void failureOfTheNetwork_keepsTheUploadAndItsRecord_andTheNextCallResumesIt() throws Exception {
        Path file = file(16, 1);
        AtomicInteger part2 = new AtomicInteger();
        try (S3Backend s3 = S3Backend.builder(multipart().partConcurrency(1).partAttempts(1).build())
                .interceptor(recorded).interceptor(Interceptors.failPart2(part2, 1)).build()) {
            UploadOptions options = UploadOptions.builder().resumeJournal(journal).build();
            StorageException e = failure(s3.uploadFile(file, key, options));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.isRetryable()).isTrue();

            assertThat(recorded.of("AbortMultipartUploadRequest")).as("kept, not aborted").isEmpty();
            assertThat(server.multipartUploads(bucket)).containsExactly(key);
            String id = uploadIds().iterator().next();
            assertThat(journal.points()).hasEntrySatisfying(key, p -> assertThat(p.uploadId()).isEqualTo(id));
            int sentBefore = recorded.of("UploadPartRequest").size();

            await(s3.uploadFile(file, key, options));

            assertThat(recorded.of("CreateMultipartUploadRequest")).as("the first call's only").hasSize(1);
            assertThat(partNumbers().subList(sentBefore, partNumbers().size())).as("parts the second call sent")
                    .containsExactly(2, 3, 4);
            assertThat(uploadIds()).containsExactly(id);
        }
        assertStoredExactly(file);
        assertThat(journal.points()).isEmpty();
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    @Test
    void failureOfTheNetwork_underARetryLayer_theRetryResumesTheUpload() throws Exception {
        Path file = file(16, 1);
        AtomicInteger part2 = new AtomicInteger();
        try (StorageBackend s3 = S3Backend.builder(multipart().partConcurrency(1).partAttempts(1).build())
                .interceptor(recorded).interceptor(Interceptors.failPart2(part2, 1)).build()
                .with(new RetryLayer(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 0)))) {
            await(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build()));
        }

        assertThat(recorded.of("CreateMultipartUploadRequest")).hasSize(1);
        assertThat(recorded.of("ListPartsRequest")).as("by the second attempt").hasSize(1);
        assertThat(recorded.of("AbortMultipartUploadRequest")).isEmpty();
        assertThat(partNumbers()).as("part 1 once; part 2 failed, then sent again").containsExactly(1, 2, 2, 3, 4);
        assertThat(journal.threads()).as("the journal, called on the backend's I/O threads only")
                .isNotEmpty().allSatisfy(thread -> assertThat(thread).startsWith("stowage-s3-io-"));
        assertStoredExactly(file);
        assertThat(journal.points()).isEmpty();
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /** The part's own attempts are spent, so the retry layer must not retry; a later run still resumes. */
    @Test
    void partFailingEveryAttempt_failsForGood_butKeepsTheUploadForALaterRun() throws Exception {
        Path file = file(16, 1);
        AtomicInteger part2 = new AtomicInteger();
        try (S3Backend s3 = S3Backend.builder(multipart().partConcurrency(1).partAttempts(2).build())
                .interceptor(recorded).interceptor(Interceptors.failPart2(part2, 2)).build()) {
            StorageException e = failure(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build()));
            assertThat(e.isRetryable()).as(e.getMessage()).isFalse();
        }
        assertThat(recorded.of("AbortMultipartUploadRequest")).isEmpty();
        assertThat(server.multipartUploads(bucket)).containsExactly(key);
        assertThat(journal.points()).containsKey(key);

        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).build()) {
            await(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build()));
        }
        assertThat(partNumbers()).as("part 1 once, part 2 failed twice, then the rest").containsExactlyInAnyOrder(1, 2, 2, 2, 3, 4);
        assertStoredExactly(file);
        assertThat(journal.points()).isEmpty();
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /** Giving up is deliberate: the upload is aborted and its record removed, journal or not. */
    @Test
    void givenUpByTheCaller_isAbortedAndItsRecordRemoved() throws Exception {
        CompletableFuture<Void> partSeen = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded)
                .interceptor(Interceptors.holdFirst(UploadPartRequest.class, partSeen, release)).build()) {
            CompletableFuture<?> upload = s3.uploadFile(file(16, 1), key, UploadOptions.builder().resumeJournal(journal).build());
            partSeen.get(20, SECONDS);
            assertThat(journal.points()).as("recorded once created").containsKey(key);

            upload.orTimeout(1, MILLISECONDS);
            assertThat(catchThrowable(() -> upload.get(20, SECONDS))).hasCauseInstanceOf(TimeoutException.class);
            release.countDown();

            TestS3.awaitUntil("the upload aborted and forgotten",
                    () -> server.multipartUploads(bucket).isEmpty() && journal.points().isEmpty());
        }
        assertThat(recorded.of("AbortMultipartUploadRequest")).hasSize(1);
        assertThat(server.keys(bucket)).isEmpty();
    }

    @Test
    void closedDuringTheUpload_abortsItAndRemovesItsRecord() throws Exception {
        CompletableFuture<Void> partSeen = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        S3Backend s3 = S3Backend.builder(multipart().build())
                .interceptor(Interceptors.holdFirst(UploadPartRequest.class, partSeen, release)).build();
        CompletableFuture<?> upload = s3.uploadFile(file(16, 1), key, UploadOptions.builder().resumeJournal(journal).build());
        partSeen.get(20, SECONDS);
        Thread closing = new Thread(s3::close, "closing");
        closing.start();
        release.countDown();
        closing.join(SECONDS.toMillis(20));

        assertThat(failure(upload).kind()).isEqualTo(ErrorKind.CLOSED);
        assertThat(server.multipartUploads(bucket)).isEmpty();
        assertThat(journal.points()).isEmpty();
    }

    /** A journal that cannot be read or written fails the upload with IO, and leaves nothing on the store. */
    @ParameterizedTest
    @EnumSource(names = {"FIND", "SAVE"})
    void journalFailing_failsTheUploadWithIO_andLeavesNothing(MemoryJournal.Failing call) throws Exception {
        journal.failing(call);
        try (S3Backend s3 = S3Backend.builder(multipart().build()).interceptor(recorded).build()) {
            StorageException e = failure(s3.uploadFile(file(16, 1), key, UploadOptions.builder().resumeJournal(journal).build()));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.IO);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains("resume journal", "journal database is locked");
        }
        assertThat(recorded.of("UploadPartRequest")).isEmpty();
        assertThat(recorded.of("CreateMultipartUploadRequest")).hasSize(call == MemoryJournal.Failing.FIND ? 0 : 1);
        assertThat(server.multipartUploads(bucket)).as("the upload created, aborted").isEmpty();
        assertThat(server.keys(bucket)).isEmpty();
    }

    @Test
    void journalFailingToForgetACompletedUpload_failsWithIO_thoughTheObjectIsStored() throws Exception {
        Path file = file(11, 1);
        journal.failing(MemoryJournal.Failing.REMOVE);
        try (S3Backend s3 = S3Backend.create(multipart().build())) {
            StorageException e = failure(s3.uploadFile(file, key, UploadOptions.builder().resumeJournal(journal).build()));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.IO);
            assertThat(e.getMessage()).contains("the object itself is stored");
        }
        assertStoredExactly(file);
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    /**
     * Under the prefix: one upload held by the journal, one not, both an hour old, and one just
     * begun; one of the same age under another prefix.
     */
    @Test
    void abortStaleUploads_abortsOnlyOldUploadsUnderThePrefixThatTheJournalDoesNotHold() throws Exception {
        String held = create("site/held.bin");
        String orphan = create("site/orphan.bin");
        String fresh = create("site/fresh.bin");
        String elsewhere = create("other/orphan.bin");
        journal.saved(new ResumePoint("held.bin", held, 1, "0".repeat(64), 5 * MiB, Instant.now()));

        try (S3Backend s3 = S3Backend.builder(TestS3.config(S3Preset.GENERIC, bucket).bucketPrefix("site/").build())
                .interceptor(recorded).interceptor(anHourAgoBut(fresh)).build()) {
            assertThat(await(s3.abortStaleUploads(Duration.ofMinutes(30), journal))).isEqualTo(1);
        }

        assertThat(recorded.of("AbortMultipartUploadRequest")).singleElement()
                .satisfies(r -> assertThat(r.uri().getRawQuery()).contains("uploadId=" + orphan));
        List<MultipartUpload> left = raw.listMultipartUploads(r -> r.bucket(bucket)).get(20, SECONDS).uploads();
        assertThat(left).extracting(MultipartUpload::uploadId).containsExactlyInAnyOrder(held, fresh, elsewhere);
    }

    @Test
    void abortStaleUploads_journalFailing_failsWithIO_andAbortsNothing() throws Exception {
        create("old.bin");
        journal.failing(MemoryJournal.Failing.HOLDS);
        try (S3Backend s3 = S3Backend.builder(TestS3.config(S3Preset.GENERIC, bucket).build())
                .interceptor(recorded).interceptor(anHourAgoBut("none")).build()) {
            StorageException e = failure(s3.abortStaleUploads(Duration.ofMinutes(30), journal));
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.IO);
        }
        assertThat(recorded.of("AbortMultipartUploadRequest")).isEmpty();
        assertThat(server.multipartUploads(bucket)).containsExactly("old.bin");
    }

    @Test
    void abortStaleUploads_nothingStale_isZero_andRefusesANegativeAgeAndAClosedBackend() throws Exception {
        create("new.bin");
        S3Backend s3 = S3Backend.create(TestS3.config(S3Preset.GENERIC, bucket).build());
        try (s3) {
            assertThat(await(s3.abortStaleUploads(Duration.ofHours(1), ResumeJournal.NONE))).isZero();
            assertThatThrownBy(() -> s3.abortStaleUploads(Duration.ofSeconds(-1), ResumeJournal.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("olderThan");
        }
        assertThat(failure(s3.abortStaleUploads(Duration.ZERO, ResumeJournal.NONE)).kind()).isEqualTo(ErrorKind.CLOSED);
        assertThat(server.multipartUploads(bucket)).containsExactly("new.bin");
    }

    /**
     * Makes every upload listed but one an hour old: S3Proxy says "now" for each, so the listing is
     * rewritten on its way in.
     */
    private static ExecutionInterceptor anHourAgoBut(String uploadId) {
        return new ExecutionInterceptor() {
            @Override
            public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
                if (!(context.response() instanceof ListMultipartUploadsResponse listed)) {
                    return context.response();
                }
                return listed.toBuilder().uploads(listed.uploads().stream()
                        .map(u -> u.uploadId().equals(uploadId) ? u : u.toBuilder().initiated(Instant.now().minus(Duration.ofHours(1))).build())
                        .collect(Collectors.toList())).build();
            }
        };
    }

    /**
     * What a process that died midway leaves: an upload of the key made as the backend makes one,
     * some of its parts (cut from {@code content} in parts of {@code partSize}), and its record.
     */
    private String deadUpload(Path content, long partSize, int... partNumbers) throws Exception {
        byte[] bytes = Files.readAllBytes(content);
        String sha256 = sha256(content);
        String id = raw.createMultipartUpload(r -> r.bucket(bucket).key(key)
                .metadata(Map.of(S3Backend.SHA256_METADATA, sha256))).get(20, SECONDS).uploadId();
        for (int number : partNumbers) {
            int from = (int) ((number - 1) * partSize);
            byte[] part = Arrays.copyOfRange(bytes, from, (int) Math.min(bytes.length, from + partSize));
            raw.uploadPart(r -> r.bucket(bucket).key(key).uploadId(id).partNumber(number).contentLength((long) part.length),
                    AsyncRequestBody.fromBytes(part)).get(20, SECONDS);
        }
        journal.saved(point(id, content, partSize));
        return id;
    }

    private ResumePoint point(String id, Path content, long partSize) throws Exception {
        return new ResumePoint(key, id, Files.size(content), sha256(content), partSize, Instant.now());
    }

    /** An upload with no parts, made behind the backend's back. */
    private String create(String objectKey) throws Exception {
        return raw.createMultipartUpload(r -> r.bucket(bucket).key(objectKey)).get(20, SECONDS).uploadId();
    }

    /** A file of {@code mib} MiB of bytes from the seed. */
    private Path file(int mib, long seed) throws Exception {
        byte[] bytes = new byte[mib << 20];
        new Random(seed).nextBytes(bytes);
        return Files.write(dir.resolve("file-" + mib + "-" + seed + ".bin"), bytes);
    }

    /** The part numbers of every {@code UploadPart} request sent, in the order sent. */
    private List<Integer> partNumbers() {
        return recorded.of("UploadPartRequest").stream()
                .map(r -> Integer.parseInt(r.uri().getRawQuery().replaceFirst(".*partNumber=(\\d+).*", "$1")))
                .collect(Collectors.toList());
    }

    /** The upload ids the parts were sent to. */
    private Set<String> uploadIds() {
        return recorded.of("UploadPartRequest").stream()
                .map(r -> r.uri().getRawQuery().replaceFirst(".*uploadId=([^&]+).*", "$1"))
                .collect(Collectors.toSet());
    }

    /** The object holds exactly the file's bytes: same SHA-256, read back through the store, not through S3. */
    private void assertStoredExactly(Path file) throws Exception {
        byte[] stored = server.read(bucket, key).orElseThrow(() -> new AssertionError("nothing stored under " + key));
        assertThat(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(stored))).as("SHA-256 of what is stored")
                .isEqualTo(sha256(file));
    }

    private static String sha256(Path file) throws Exception {
        return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static StorageException failure(CompletableFuture<?> future) {
        Throwable thrown = catchThrowable(() -> future.get(30, SECONDS));
        assertThat(thrown).as("the future ends, failed").isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StorageException.class);
        return (StorageException) thrown.getCause();
    }
}
