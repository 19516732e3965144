package dev.stowage.sync;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares what the target really holds (its listing; with {@code deep}, each object's stored
 * SHA-256 too) with what the state says is published and with the manifest last written, and on
 * request repairs the differences. One verify, on the manager's thread.
 */
final class Verifier {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

    private final CacheManager.Settings settings;
    private final StateStore state;
    private final StorageBackend backend;
    private final KeyRules rules;
    private final List<Difference> listed = new ArrayList<>();
    private final Map<Difference.Kind, Long> counts = new EnumMap<>(Difference.Kind.class);
    private final List<String> extras = new ArrayList<>();
    private boolean manifestDiffers;
    private boolean repair;
    private long maxExtras;
    private RowCursor<PublishedFile> published;
    /** True when the state holds no scan: nothing of the folder is known yet. */
    private boolean neverScanned;

    Verifier(CacheManager.Settings settings, StateStore state, StorageBackend backend) {
        this.settings = settings;
        this.state = state;
        this.backend = backend;
        this.rules = new KeyRules(settings.root(), settings.scanOptions());
    }

    /** Verifies; with {@code repair}, then repairs through {@code publish}. */
    VerifyReport run(boolean deep, boolean repair, java.util.function.Supplier<PublishReport> publish) {
        long started = System.nanoTime();
        new TargetRecord(settings, state, backend).requireOwn();
        this.neverScanned = state.fileCount() == 0 && state.publishedCount() == 0;
        this.repair = repair;
        long publishedCount = state.publishedCount();
        this.maxExtras = (long) (settings.maxDeleteShare() * Math.max(publishedCount, 1));
        long objects;
        try (RowCursor<PublishedFile> rows = state.publishedInKeyOrder()) {
            published = rows;
            objects = await(backend.forEach("", this::onListed), Operation.LIST, "");
            while (rows.hasNext()) {
                missing(rows.next());
            }
        }
        if (deep && !backend.capabilities().listsSha256() && backend.capabilities().storesSha256()) {
            // A listing with digests compared them already; a target that keeps none has none to compare.
            compareStoredDigests();
        }
        checkManifest();
        Optional<PublishReport> repaired = Optional.empty();
        long deleted = 0;
        long heldBack = 0;
        if (repair) {
            if (manifestDiffers) {
                state.putMeta(ManifestStep.DIGEST, "");
            }
            repaired = Optional.of(publish.get());
            // The repair's publish scanned again: what it found in the folder or published is not extra.
            extras.removeIf(key -> state.file(key).isPresent() || state.published(key).isPresent() || inFolder(key));
            if (extras.size() > maxExtras) {
                heldBack = counts.getOrDefault(Difference.Kind.EXTRA, 0L);
                LOG.warn("{} extra objects not deleted: more than {}% of the {} published files", heldBack,
                        Math.round(100 * settings.maxDeleteShare()), publishedCount);
            } else {
                deleted = deleteExtras();
            }
        }
        return new VerifyReport(objects, publishedCount, listed, counts, repaired, deleted, heldBack,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Merges one listed object with the published rows; the listing comes in key order. */
    private void onListed(ObjectInfo info) {
        String key = info.key();
        while (published.hasNext() && Keys.ORDER.compare(published.peek().key(), key) < 0) {
            missing(published.next());
        }
        if (published.hasNext() && published.peek().key().equals(key)) {
            PublishedFile row = published.next();
            if (info.sizeBytes() != row.size()) {
                differs(row, "holds " + info.sizeBytes() + " bytes, published " + row.size());
            } else if (info.sha256().isPresent() && !info.sha256().get().equals(row.sha256())) {
                differs(row, "holds SHA-256 " + info.sha256().get() + ", published " + row.sha256());
            }
            return;
        }
        if (key.equals(settings.manifestKey()) || rules.ignored(key)) {
            return;
        }
        if (state.file(key).isPresent()) {
            add(new Difference(key, Difference.Kind.UNRECORDED, "in the folder and on the target, not yet recorded"));
            return;
        }
        // A file of the folder the last scan did not take (added since, unreadable, changing, a
        // name written otherwise than in NFC): never an object to delete.
        String nfc = java.text.Normalizer.normalize(key, java.text.Normalizer.Form.NFC);
        if (!nfc.equals(key) && (state.file(nfc).isPresent() || state.published(nfc).isPresent())) {
            add(new Difference(key, Difference.Kind.UNRECORDED, "the name of the folder's file " + nfc
                    + " in another Unicode form"));
            return;
        }
        if (inFolder(key)) {
            add(new Difference(key, Difference.Kind.UNRECORDED, neverScanned
                    ? "in the folder and on the target, not scanned yet: the next publish records it"
                    : "in the folder, not in the last scan: added since, or the scan could not take it (a publish says why)"));
            return;
        }
        add(new Difference(key, Difference.Kind.EXTRA, "on the target, not in the folder"));
        if (extras.size() <= maxExtras) {
            extras.add(key);
        }
    }

    /** True when the folder holds something at {@code key}, whatever the scan made of it. */
    private boolean inFolder(String key) {
        try {
            return Files.exists(settings.root().resolve(key), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private void missing(PublishedFile row) {
        add(new Difference(row.key(), Difference.Kind.MISSING, "published, not on the target"));
        if (repair) {
            state.forgetPublishedFile(row.key());
        }
    }

    private void differs(PublishedFile row, String detail) {
        add(new Difference(row.key(), Difference.Kind.DIFFERENT, detail));
        if (repair) {
            state.forgetPublishedFile(row.key());
        }
    }

    /** Stats every published object for the SHA-256 the target stored with it, a few at a time. */
    private void compareStoredDigests() {
        Semaphore permits = new Semaphore(settings.concurrency());
        try (RowCursor<PublishedFile> rows = state.publishedInKeyOrder()) {
            while (rows.hasNext()) {
                PublishedFile row = rows.next();
                permits.acquireUninterruptibly();
                CompletableFuture<Optional<ObjectInfo>> stat;
                try {
                    stat = backend.stat(row.key());
                } catch (RuntimeException e) {
                    stat = CompletableFuture.failedFuture(e);
                }
                stat.whenComplete((info, error) -> {
                    try {
                        if (error != null) {
                            add(new Difference(row.key(), Difference.Kind.UNVERIFIED, "cannot be checked: "
                                    + PublishRun.storageException(error, Operation.STAT, row.key()).getMessage()));
                        } else if (info.isPresent() && info.get().sizeBytes() == row.size()
                                && info.get().sha256().isPresent() && !info.get().sha256().get().equals(row.sha256())) {
                            // A missing object or another size was reported by the listing already.
                            differs(row, "holds SHA-256 " + info.get().sha256().get() + ", published " + row.sha256());
                        }
                    } finally {
                        permits.release();
                    }
                });
            }
        }
        permits.acquireUninterruptibly(settings.concurrency());
    }

    /** Compares the target's manifest with the one last written here. */
    private void checkManifest() {
        Path local = settings.manifestFile();
        if (!Files.isRegularFile(local)) {
            return;
        }
        Optional<ObjectInfo> remote = await(backend.stat(settings.manifestKey()), Operation.STAT, settings.manifestKey());
        String key = settings.manifestKey();
        try {
            long size = Files.size(local);
            if (remote.isEmpty()) {
                manifest(new Difference(key, Difference.Kind.MANIFEST, "not on the target"));
            } else if (remote.get().sizeBytes() != size) {
                manifest(new Difference(key, Difference.Kind.MANIFEST, "the target holds " + remote.get().sizeBytes()
                        + " bytes, the last one written has " + size));
            } else if (remote.get().sha256().isPresent() && !remote.get().sha256().get().equals(Sha256.of(local))) {
                manifest(new Difference(key, Difference.Kind.MANIFEST, "the target holds another manifest"));
            }
        } catch (IOException e) {
            throw StorageException.builder(ErrorKind.IO, "cannot read the manifest " + local + ": " + e.getMessage())
                    .cause(e).build();
        }
    }

    private void manifest(Difference difference) {
        manifestDiffers = true;
        add(difference);
    }

    private long deleteExtras() {
        long deleted = 0;
        for (int from = 0; from < extras.size(); from += StateStore.PAGE) {
            List<String> page = extras.subList(from, Math.min(extras.size(), from + StateStore.PAGE));
            DeleteResult result = await(backend.deleteFiles(List.copyOf(page)), Operation.DELETE, page.get(0));
            deleted += result.deleted().size();
            result.failed().forEach((key, e) -> LOG.warn("cannot delete the extra object {}: {}", key, e.getMessage()));
        }
        return deleted;
    }

    private synchronized void add(Difference difference) {
        counts.merge(difference.kind(), 1L, Long::sum);
        if (listed.size() < VerifyReport.MAX_LISTED) {
            listed.add(difference);
        }
    }

    private static <T> T await(CompletableFuture<T> future, Operation operation, String key) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw PublishRun.storageException(e, operation, key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StorageException.builder(ErrorKind.UNEXPECTED, "interrupted while verifying").cause(e).build();
        }
    }
}
