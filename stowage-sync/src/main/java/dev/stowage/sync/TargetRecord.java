package dev.stowage.sync;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.spi.ListingPublisher;
import dev.stowage.StorageException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which target the state is of, as recorded in its meta. Before the state is handed to a target it
 * does not record (another one, or none yet), the target must answer one listing of a page: a
 * wrong target (a bucket that does not exist, a mistyped or unreachable endpoint) never takes the
 * state over, so what the state says is published on the right target stays known, and the
 * next run there neither uploads everything again nor leaves removed files behind. Used on the
 * manager's thread.
 */
final class TargetRecord {
    private static final Logger LOG = LoggerFactory.getLogger(TargetRecord.class);
    static final String META = "target";

    private final CacheManager.Settings settings;
    private final StateStore state;
    private final StorageBackend backend;

    TargetRecord(CacheManager.Settings settings, StateStore state, StorageBackend backend) {
        this.settings = settings;
        this.state = state;
        this.backend = backend;
    }

    /** What identifies this target: as configured, else the manifest's URL. */
    String id() {
        return settings.target().orElseGet(() -> backend.getUrl(settings.manifestKey()).toString());
    }

    /** The target the state is of, if it records one. */
    Optional<String> recorded() {
        return state.meta(META);
    }

    /** True when the state records a target other than this one. */
    boolean isAnother() {
        return recorded().filter(known -> !known.equals(id())).isPresent();
    }

    /**
     * Makes the state this target's. A state of this target is left alone, without a request. A
     * state of another target, or of none, is taken only once this target answered a listing of
     * one page; a state of another target then forgets what was published there.
     *
     * @throws StorageException what the target answered when it did not answer the listing (such
     *         as {@code INVALID_CONFIG} for a bucket that does not exist); the state is then unchanged
     */
    void claim() {
        String target = id();
        String known = recorded().orElse(null);
        if (target.equals(known)) {
            return;
        }
        try {
            probe();
        } catch (StorageException e) {
            if (known == null && state.publishedCount() == 0 && e.isRetryable() && settings.fallback().isPresent()) {
                // Nothing published yet, and a fallback made for outages: the run serves the
                // files there meanwhile, and losing this state costs nothing.
                LOG.warn("the target {} does not answer ({}); publishing to the fallback meanwhile", target, e.getMessage());
            } else {
                LOG.warn("the target {} does not answer; the state stays {}", target,
                        known == null ? "without a target" : "the one of " + known);
                throw e;
            }
        }
        if (known != null) {
            LOG.warn("the target changed from {} to {}: publishing everything to the new one", known, target);
            state.forgetPublished();
        }
        state.putMeta(META, target);
    }

    /**
     * Refuses to compare this target with a state of another: every file would look missing, and
     * a repair would overwrite the other publication and take the state over.
     *
     * @throws StorageException {@code CONFLICT} when the state records another target
     */
    void requireOwn() {
        Optional<String> known = recorded();
        String target = id();
        if (known.isPresent() && !known.get().equals(target)) {
            throw StorageException.builder(ErrorKind.CONFLICT, "the state of " + settings.root() + " is of the target "
                    + known.get() + ", not " + target + ": verify " + known.get() + ", or publish to " + target
                    + " first").retryable(false).build();
        }
    }

    /** Asks the target for the first page of its listing: the cheapest request whose failure says why. */
    private void probe() {
        try {
            // A listing, not a stat: S3 answers a HEAD on a missing bucket with a bare 404, which
            // reads as "no such object", but a listing with NoSuchBucket.
            ListingPublisher.count(backend.list(""), 1).get();
        } catch (ExecutionException e) {
            throw PublishRun.storageException(e, Operation.LIST, "");
        } catch (RuntimeException e) {
            throw PublishRun.storageException(e, Operation.LIST, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StorageException.builder(ErrorKind.UNEXPECTED, "interrupted while checking the target " + id())
                    .cause(e).build();
        }
    }
}
