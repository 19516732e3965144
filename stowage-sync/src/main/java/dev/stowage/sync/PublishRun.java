package dev.stowage.sync;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publish, start to end, on the manager's thread: scan, uploads, manifest, deletes. Upload
 * results come back on the state thread, which alone records them. Used once.
 */
final class PublishRun {
    private static final Logger LOG = LoggerFactory.getLogger(PublishRun.class);
    /** How many times a run scans again for files that changed or vanished while it uploaded them. */
    private static final int MAX_PASSES = 3;
    private static final String STALE_CHECK = "stale_uploads_checked_ms";

    private final CacheManager.Settings settings;
    private final StateStore state;
    private final Scanner scanner;
    private final StorageBackend backend;
    private final Executor stateThread;
    private final PublishListener listener;
    private final ManifestStep manifest;
    private final TargetRecord target;
    private final StateJournal journal;

    private final AtomicLong uploaded = new AtomicLong();
    private final AtomicLong uploadedBytes = new AtomicLong();
    private final AtomicLong failedCount = new AtomicLong();
    /** Keys whose file changed or vanished while uploaded, in this pass. */
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    private final List<FailedOperation> failed = new ArrayList<>();
    /**
     * Uploads settled and not yet recorded, on the state thread: the first one queues their record
     * there, so uploads that settle meanwhile are recorded in the same transaction.
     */
    private final List<PublishedFile> unrecorded = new ArrayList<>();
    private long deleted;

    PublishRun(CacheManager.Settings settings, StateStore state, Scanner scanner, StorageBackend backend,
               Executor stateThread) {
        this.settings = settings;
        this.state = state;
        this.scanner = scanner;
        this.backend = backend;
        this.stateThread = stateThread;
        this.listener = settings.listener();
        this.manifest = new ManifestStep(settings, state, backend);
        this.target = new TargetRecord(settings, state, backend);
        this.journal = new StateJournal(state);
    }

    PublishReport publish(boolean force) {
        long started = System.nanoTime();
        ScanReport scan = prepare();
        FileDiff diff = state.diff();
        String refusal = deleteRefusal(diff);
        if (refusal != null && !force) {
            throw StorageException.builder(ErrorKind.CONFLICT, refusal + "; nothing was published. Check the folder,"
                    + " or force the run").retryable(false).build();
        }
        tell(() -> listener.planned(diff.added() + diff.modified(), diff.uploadBytes(), diff.removed()));
        uploadAll(diff::forEachUploadSpread);
        for (int pass = 2; !changed.isEmpty(); pass++) {
            // Files that changed or vanished while uploaded: scan again, then upload those alone.
            Set<String> again = Set.copyOf(changed);
            changed.clear();
            LOG.info("{} files changed or vanished while being uploaded; scanning again", again.size());
            scan = scanner.scan(state);
            if (pass > MAX_PASSES) {
                for (String key : again) {
                    if (state.change(key).isPresent()) {
                        fail(key, Operation.UPLOAD, StorageException.builder(ErrorKind.CONFLICT, "the file changed"
                                + " during each of " + MAX_PASSES + " uploads; it stays pending").retryable(true)
                                .operation(Operation.UPLOAD).key(key).build());
                    }
                }
                break;
            }
            uploadAll(action -> again.stream().sorted(dev.stowage.Keys.ORDER)
                    .forEach(key -> state.change(key).ifPresent(action)));
        }
        settings.fallback().ifPresent(this::serveLocally);
        if (uploaded.get() > 0 || failedCount.get() > 0) {
            abortStaleUploads();
        }
        boolean manifestUploaded = false;
        boolean manifestUp;
        try {
            manifestUploaded = manifest.publish();
            manifestUp = true;
        } catch (StorageException e) {
            manifestUp = false;
            fail(settings.manifestKey(), Operation.UPLOAD, e);
        }
        long heldBack = 0;
        FileDiff after = state.diff();
        if (after.removed() > 0) {
            // The folder may have changed since the run began (a disk unmounted mid-run): the rule
            // on mass deletes holds for what is deleted now, not only for what was planned.
            String refusalNow = deleteRefusal(after);
            if (failedCount.get() == 0 && manifestUp && (refusalNow == null || force)) {
                deleteAll(after);
            } else {
                heldBack = after.removed();
                LOG.warn("{} removed files not deleted: {}", heldBack, !manifestUp ? "the manifest could not be published"
                        : failedCount.get() > 0 ? failedCount.get() + " operations failed" : refusalNow);
            }
        }
        long pending = state.pendingCount();
        PublishReport report = new PublishReport(scan, uploaded.get(), uploadedBytes.get(), deleted, listedFailures(),
                failedCount.get(), heldBack, manifestUploaded, pending, Duration.ofNanos(System.nanoTime() - started));
        LOG.info("published {}: {}", settings.root(), report.summary());
        return report;
    }

    Plan plan() {
        manifest.refuseAFileOfTheFolderAtItsKey();
        ScanReport scan = scanner.scan(state);
        if (target.isAnother()) {
            // Another target: nothing of what the state says is published counts there, and the
            // dry run must leave the state as it is.
            List<Change> all = new ArrayList<>();
            state.snapshot().forEach(f -> all.add(new Change(f.key(), f.size(), f.sha256(), true)));
            return new Plan(all, List.of(), state.snapshot().bytes(), 0, java.util.Optional.empty(), scan);
        }
        FileDiff diff = state.diff();
        List<Change> uploads = new ArrayList<>();
        diff.forEachUpload(uploads::add);
        List<String> deletes = new ArrayList<>();
        diff.forEachRemoved(deletes::add);
        return new Plan(uploads, deletes, diff.uploadBytes(), state.publishedCount(),
                java.util.Optional.ofNullable(deleteRefusal(diff)), scan);
    }

    /**
     * Makes sure the folder's own files are safe and the state is this target's, scans, and settles
     * pending entries the folder made moot. A file of the folder at the manifest's key, or a target
     * that does not answer, fails the run before anything is written.
     */
    private ScanReport prepare() {
        manifest.refuseAFileOfTheFolderAtItsKey();
        target.claim();
        ScanReport scan = scanner.scan(state);
        state.dropSettledPending();
        return scan;
    }

    /** Why the diff's deletes are too many, or null when they are within the allowed share. */
    private String deleteRefusal(FileDiff diff) {
        long published = state.publishedCount();
        if (diff.removed() == 0 || diff.removed() <= settings.maxDeleteShare() * published) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "the run would delete %d of %d published files (%.0f%%), more than"
                + " the %.0f%% allowed", diff.removed(), published, 100.0 * diff.removed() / published,
                100 * settings.maxDeleteShare());
    }

    /** Uploads every change {@code changes} yields, a bounded number at once; returns when all have settled. */
    private void uploadAll(Consumer<Consumer<Change>> changes) {
        int concurrency = settings.concurrency();
        Semaphore permits = new Semaphore(concurrency);
        changes.accept(change -> {
            permits.acquireUninterruptibly();
            try {
                upload(change).whenComplete((ok, error) -> permits.release());
            } catch (RuntimeException e) {
                permits.release();
                throw e;
            }
        });
        permits.acquireUninterruptibly(concurrency);
        // Every upload has settled; their record, queued on the state thread, is done after this.
        CompletableFuture.runAsync(() -> { }, stateThread).join();
    }

    private CompletableFuture<Void> upload(Change change) {
        HashedFile scanned = state.scanned(change.key()).orElse(null);
        if (scanned == null || !scanned.state().sha256().equals(change.sha256())) {
            changed.add(change.key());
            return CompletableFuture.completedFuture(null);
        }
        Path file = settings.root().resolve(scanned.sourceOrKey());
        tell(() -> listener.uploadStarted(change.key(), change.size()));
        UploadOptions options = UploadOptions.builder().sha256(change.sha256()).resumeJournal(journal)
                .progress(new ProgressRelay(change.key())).build();
        CompletableFuture<URI> upload;
        try {
            upload = backend.uploadFile(file, change.key(), options);
        } catch (RuntimeException e) {
            upload = CompletableFuture.failedFuture(e);
        }
        return upload.handleAsync((url, error) -> {
            try {
                settle(change, scanned, file, url, error);
            } catch (RuntimeException e) {
                LOG.error("cannot record the upload of {}: {}", change.key(), e.getMessage());
                fail(change.key(), Operation.UPLOAD, e);
            }
            return null;
        }, stateThread);
    }

    /** Records an upload's outcome; on the state thread. */
    private void settle(Change change, HashedFile scanned, Path file, URI url, Throwable error) {
        if (error == null) {
            if (unchangedSinceScan(file, scanned.state())) {
                unrecorded.add(new PublishedFile(change.key(), change.size(), change.sha256(), url));
                if (unrecorded.size() == 1) {
                    stateThread.execute(this::recordSettled);
                }
            } else {
                LOG.info("{} changed while it was uploaded; it will be scanned and uploaded again", file);
                changed.add(change.key());
            }
            return;
        }
        if (!unchangedSinceScan(file, scanned.state())) {
            // The upload read a file other than the one scanned (a backend keeping checksums refuses
            // it), or found none: scan again, and upload what is there now.
            LOG.info("{} changed or vanished before its upload ended; it will be scanned again", file);
            changed.add(change.key());
            return;
        }
        fail(change.key(), Operation.UPLOAD, error);
    }

    /** Records the uploads settled since the last record, in one transaction; on the state thread. */
    private void recordSettled() {
        List<PublishedFile> files = List.copyOf(unrecorded);
        unrecorded.clear();
        try {
            state.recordPublished(files, settings.clock().millis());
        } catch (RuntimeException e) {
            for (PublishedFile f : files) {
                LOG.error("cannot record the upload of {}: {}", f.key(), e.getMessage());
                fail(f.key(), Operation.UPLOAD, e);
            }
            return;
        }
        for (PublishedFile f : files) {
            uploaded.incrementAndGet();
            uploadedBytes.addAndGet(f.size());
            tell(() -> listener.uploaded(f.key(), f.size()));
        }
    }

    private static boolean unchangedSinceScan(Path file, FileState scanned) {
        try {
            FileStat now = FileStat.of(file, false);
            return now.type() == FileStat.Type.FILE && scanned.sameStat(now);
        } catch (IOException e) {
            return false;
        }
    }

    /** Puts every file still pending upload on the local fallback, so the manifest can name it there. */
    private void serveLocally(StorageBackend fallback) {
        String after = "";
        for (List<Change> page; !(page = state.unservedAfter(after, StateStore.PAGE)).isEmpty(); ) {
            for (Change change : page) {
                HashedFile scanned = state.scanned(change.key()).orElse(null);
                if (scanned == null) {
                    continue;
                }
                Path file = settings.root().resolve(scanned.sourceOrKey());
                try {
                    URI url = fallback.uploadFile(file, change.key(),
                            UploadOptions.builder().sha256(change.sha256()).build()).get();
                    if (unchangedSinceScan(file, scanned.state())) {
                        state.recordFallback(change, url);
                    }
                } catch (ExecutionException e) {
                    LOG.warn("the local fallback cannot serve {} either: {}", change.key(),
                            storageException(e, Operation.UPLOAD, change.key()).getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            after = page.get(page.size() - 1).key();
        }
    }

    /**
     * Aborts unfinished uploads in parts under the target's prefix that no run can resume, at most
     * once per {@code staleUploadAge}: parts of an upload cut by a crash are stored and billed
     * until someone aborts it.
     */
    private void abortStaleUploads() {
        long now = settings.clock().millis();
        long last = state.meta(STALE_CHECK).map(Long::parseLong).orElse(0L);
        if (now - last < settings.staleUploadAge().toMillis()) {
            return;
        }
        state.dropUnneededUploads();
        try {
            long aborted = backend.abortStaleUploads(settings.staleUploadAge(), journal).get();
            if (aborted > 0) {
                LOG.info("aborted {} unfinished uploads older than {}", aborted, settings.staleUploadAge());
            }
            state.putMeta(STALE_CHECK, Long.toString(now));
        } catch (ExecutionException e) {
            LOG.warn("cannot look for unfinished uploads to abort: {}",
                    storageException(e, Operation.DELETE, "").getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deleteAll(FileDiff diff) {
        List<String> page = new ArrayList<>();
        diff.forEachRemoved(key -> {
            page.add(key);
            if (page.size() == StateStore.PAGE) {
                deletePage(page);
                page.clear();
            }
        });
        if (!page.isEmpty()) {
            deletePage(page);
        }
    }

    private void deletePage(List<String> keys) {
        dev.stowage.DeleteResult result;
        try {
            result = backend.deleteFiles(List.copyOf(keys)).get();
        } catch (ExecutionException | CompletionException e) {
            keys.forEach(key -> fail(key, Operation.DELETE, e.getCause()));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StorageException.builder(ErrorKind.UNEXPECTED, "interrupted while deleting").cause(e).build();
        }
        state.recordDeleted(result.deleted());
        deleted += result.deleted().size();
        result.deleted().forEach(key -> tell(() -> listener.deleted(key)));
        result.failed().forEach((key, error) -> fail(key, Operation.DELETE, error));
    }

    private void fail(String key, Operation operation, Throwable error) {
        StorageException e = storageException(error, operation, key);
        failedCount.incrementAndGet();
        if (!key.equals(settings.manifestKey())) {
            try {
                state.recordFailure(key, operation, e.getMessage(), settings.clock().millis());
            } catch (StorageException stateError) {
                // The failure is still counted and reported; the next run finds the file unpublished anyway.
                LOG.error("cannot record the failure of {} in the state: {}", key, stateError.getMessage());
            }
        }
        synchronized (failed) {
            if (failed.size() < PublishReport.MAX_LISTED) {
                failed.add(new FailedOperation(key, operation, e.kind(), e.getMessage()));
            }
        }
        LOG.warn("{} of {} failed: {}", operation, key, e.getMessage());
        tell(() -> {
            if (operation == Operation.DELETE) {
                listener.deleteFailed(key, e);
            } else {
                listener.uploadFailed(key, e);
            }
        });
    }

    private List<FailedOperation> listedFailures() {
        synchronized (failed) {
            return List.copyOf(failed);
        }
    }

    static StorageException storageException(Throwable error, Operation operation, String key) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof StorageException se) {
            return se;
        }
        return StorageException.builder(ErrorKind.UNEXPECTED, String.valueOf(e.getMessage()))
                .operation(operation).key(key).cause(e).build();
    }

    /** Calls a listener, so that a listener's failure never changes the run. */
    static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("a publish listener failed: {}", e.toString());
        }
    }

    /** Relays an upload's cumulative progress as increments; a retry that starts over counts from zero. */
    private final class ProgressRelay implements dev.stowage.UploadProgress {
        private final String key;
        private long last;

        ProgressRelay(String key) {
            this.key = key;
        }

        @Override
        public synchronized void update(long bytesDone, long totalBytes) {
            long delta = bytesDone < last ? bytesDone : bytesDone - last;
            last = bytesDone;
            if (delta > 0) {
                tell(() -> listener.bytesSent(key, delta));
            }
        }
    }
}
