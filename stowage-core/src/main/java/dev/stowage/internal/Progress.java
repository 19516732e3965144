package dev.stowage.internal;

import dev.stowage.UploadProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells an {@link UploadProgress} how far an upload has got, ignoring what it throws. Internal. */
public final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private Progress() {
    }

    /** Calls {@code progress} with the figures; what it throws is logged and ignored. */
    public static void report(UploadProgress progress, long bytesDone, long totalBytes) {
        if (progress == UploadProgress.NONE) {
            return;
        }
        try {
            progress.update(bytesDone, totalBytes);
        } catch (RuntimeException e) {
            LOG.warn("an upload progress listener failed; ignoring it", e);
        }
    }
}
