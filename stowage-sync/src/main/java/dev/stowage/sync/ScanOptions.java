package dev.stowage.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.nio.file.Path;

/**
 * How a {@link Scanner} walks a folder.
 *
 * <pre>{@code
 * ScanOptions options = ScanOptions.builder().exclude("**}{@code /*.tmp").exclude("drafts/**").build();
 * }</pre>
 *
 * @param excludes       glob patterns of keys to leave out (see {@link #builder()})
 * @param includeHidden  whether files and folders whose name starts with '.' are taken
 * @param followLinks    whether symbolic links are followed; a followed link never leads outside the
 *                       root, and a link back to a folder being walked is reported, not walked again
 * @param hashThreads    threads hashing files
 * @param stateFolder    a folder never scanned: where the state lives, when it is under the root
 * @param staleTempAge   how old a temporary file left by an interrupted local upload
 *                       ({@code .stowage-*.tmp}) must be before the scan removes it
 */
public record ScanOptions(List<String> excludes, boolean includeHidden, boolean followLinks, int hashThreads,
                          Optional<Path> stateFolder, Duration staleTempAge) {

    public ScanOptions {
        excludes = List.copyOf(excludes);
        excludes.forEach(KeyGlob::of);
        Objects.requireNonNull(stateFolder, "stateFolder");
        Objects.requireNonNull(staleTempAge, "staleTempAge");
        if (hashThreads < 1) {
            throw new IllegalArgumentException("hashThreads must be >= 1: " + hashThreads);
        }
        if (staleTempAge.isNegative()) {
            throw new IllegalArgumentException("staleTempAge must not be negative: " + staleTempAge);
        }
        stateFolder = stateFolder.map(p -> p.toAbsolutePath().normalize());
    }

    /** No exclusions, hidden files left out, links not followed, one hashing thread per core. */
    public static ScanOptions defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults. Exclude patterns: {@code *} matches within a folder
     * name, {@code **} across folders, {@code ?} one character, {@code [abc]}, {@code {a,b}}; a
     * pattern without {@code /} matches a name at any depth.
     */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.excludes.addAll(excludes);
        b.includeHidden = includeHidden;
        b.followLinks = followLinks;
        b.hashThreads = hashThreads;
        b.stateFolder = stateFolder.orElse(null);
        b.staleTempAge = staleTempAge;
        return b;
    }

    /** Builds {@link ScanOptions}; not thread-safe. */
    public static final class Builder {
        private final List<String> excludes = new ArrayList<>();
        private boolean includeHidden;
        private boolean followLinks;
        private int hashThreads = Runtime.getRuntime().availableProcessors();
        private Path stateFolder;
        private Duration staleTempAge = Duration.ofHours(1);

        private Builder() {
        }

        /** Leaves out keys matching {@code glob}; a malformed pattern fails here, naming it. */
        public Builder exclude(String glob) {
            KeyGlob.of(Objects.requireNonNull(glob, "glob"));
            excludes.add(glob);
            return this;
        }

        public Builder includeHidden(boolean includeHidden) {
            this.includeHidden = includeHidden;
            return this;
        }

        public Builder followLinks(boolean followLinks) {
            this.followLinks = followLinks;
            return this;
        }

        public Builder hashThreads(int hashThreads) {
            this.hashThreads = hashThreads;
            return this;
        }

        public Builder stateFolder(Path stateFolder) {
            this.stateFolder = stateFolder;
            return this;
        }

        public Builder staleTempAge(Duration staleTempAge) {
            this.staleTempAge = Objects.requireNonNull(staleTempAge, "staleTempAge");
            return this;
        }

        public ScanOptions build() {
            return new ScanOptions(excludes, includeHidden, followLinks, hashThreads,
                    Optional.ofNullable(stateFolder), staleTempAge);
        }
    }
}
