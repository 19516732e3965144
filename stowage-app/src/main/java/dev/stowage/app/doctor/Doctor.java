package dev.stowage.app.doctor;

import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.s3.S3Preset;
import dev.stowage.spi.BackendUri;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Probes a backend and says what works: whether it opens, the credentials and the bucket, the
 * clock against the server's, an upload, a multipart upload, a listing, the public URL and
 * deletes; then suggests the S3 preset and settings that fit what it saw.
 *
 * <pre>{@code
 * Report report = new Doctor().run("s3://media?preset=r2&endpoint=https://<account>.r2.cloudflarestorage.com",
 *         StorageBackends::open, check -> System.out.println(check.line()));
 * }</pre>
 *
 * <p>It writes only under a fresh prefix, {@value #PROBE_PREFIX}{@code <random>/}, and removes what
 * it wrote whatever happens: the delete check does, and if it did not get that far or did not
 * succeed, a last clean-up does, reported as the check {@code cleanup}; a JVM that is stopped
 * meanwhile (Ctrl-C) runs it from a shutdown hook. A backend that does not delete (a folder whose
 * files it does not own) is not written to at all.
 *
 * <p>Checks run one after another on the calling thread, which waits for each; a check that
 * throws is reported as failed and the others still run. Thread-safe: each run keeps its state
 * to itself.
 */
public final class Doctor {
    /** The start of the prefix the probe objects are written under. */
    public static final String PROBE_PREFIX = ".stowage-doctor-";
    /** A clock further than this from the server's gets a warning. */
    static final Duration SKEW_WARNING = Duration.ofSeconds(60);
    /** SigV4 refuses requests signed further than this from the server's clock. */
    static final Duration SKEW_LIMIT = Duration.ofMinutes(15);

    private final Clock clock;
    private final HttpProbe http;
    private final ExitHooks exitHooks;

    /** A doctor with this machine's clock and 30-second HTTP timeouts for its plain requests. */
    public Doctor() {
        this(Clock.systemUTC(), Duration.ofSeconds(30), ExitHooks.runtime());
    }

    Doctor(Clock clock, Duration httpTimeout, ExitHooks exitHooks) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = new HttpProbe(httpTimeout);
        this.exitHooks = Objects.requireNonNull(exitHooks, "exitHooks");
    }

    /**
     * Opens the backend {@code uri} names with {@code open}, runs every check on it, closes it.
     *
     * @param open     opens a backend from a URI, e.g. {@code StorageBackends::open}
     * @param progress hears each check as soon as it has ended, on the calling thread
     * @return the checks and suggestions; never throws for a failure of the backend, which is a check's outcome
     */
    public Report run(String uri, Function<String, StorageBackend> open, Consumer<Check> progress) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(open, "open");
        Objects.requireNonNull(progress, "progress");
        List<Check> checks = new ArrayList<>();
        Consumer<Check> record = check -> {
            checks.add(check);
            progress.accept(check);
        };
        BackendUri parsed;
        try {
            parsed = BackendUri.parse(uri);
        } catch (StorageException e) {
            record.accept(Check.fail("open", Failure.of(e).describe(), "write it as scheme://..., e.g. s3://bucket/prefix?endpoint=https://host"
                    + " or file:///srv/files?base_url=https://files.example.com"));
            return new Report(Optional.empty(), checks, Suggestion.none(), Report.Verdict.BAD_CONFIGURATION);
        }
        StorageBackend backend;
        try {
            backend = open.apply(uri);
        } catch (RuntimeException e) {
            record.accept(Check.fail("open", Failure.of(e).describe(), "fix the URI as the message says"
                    + (parsed.scheme().equals("s3") ? " (S3 settings: docs/s3.md)" : "")));
            return new Report(Optional.of(parsed.toString()), checks, Suggestion.none(), Report.Verdict.BAD_CONFIGURATION);
        }
        try (backend) {
            Checkup checkup = new Checkup(parsed, backend, record, clock, http, exitHooks);
            checkup.run();
            return new Report(Optional.of(parsed.toString()), checks, checkup.suggest(), checkup.verdict(checks));
        }
    }

    /** What the local clock against the server's means for signed requests: ok, a warning, or a failure. */
    static Check judgeClock(Instant server, Instant local) {
        Duration skew = Duration.between(local, server);
        long seconds = Math.round(Math.abs(skew.toMillis()) / 1000.0);
        // Date headers count whole seconds: a second either way is no skew.
        if (seconds <= 1) {
            return Check.ok("clock", "this machine's clock agrees with the server's (Date: " + server + ")");
        }
        String detail = "this machine's clock is " + seconds + " s " + (skew.isNegative() ? "ahead of" : "behind")
                + " the server's (Date: " + server + ")";
        if (skew.abs().compareTo(SKEW_LIMIT) > 0) {
            return Check.fail("clock", detail, "the store refuses requests signed more than 15 minutes off (SigV4):"
                    + " set the clock right (NTP, e.g. timedatectl set-ntp true)");
        }
        if (skew.abs().compareTo(SKEW_WARNING) > 0) {
            return Check.warn("clock", detail, "set the clock right (NTP, e.g. timedatectl set-ntp true)"
                    + " before it drifts past the 15 minutes SigV4 allows");
        }
        return Check.ok("clock", detail);
    }

    /**
     * The preset a store's endpoint or {@code Server} header points to, if either does: R2, AWS and
     * Spaces by their host names, MinIO by its {@code Server: MinIO}; AWS when there is no endpoint.
     */
    static Optional<S3Preset> presetFor(Optional<URI> endpoint, Optional<String> server) {
        if (endpoint.isEmpty()) {
            return Optional.of(S3Preset.AWS);
        }
        String host = Optional.ofNullable(endpoint.get().getHost()).orElse("").toLowerCase(Locale.ROOT);
        if (host.equals("r2.cloudflarestorage.com") || host.endsWith(".r2.cloudflarestorage.com")) {
            return Optional.of(S3Preset.R2);
        }
        if (host.equals("amazonaws.com") || host.endsWith(".amazonaws.com")) {
            return Optional.of(S3Preset.AWS);
        }
        if (host.endsWith(".digitaloceanspaces.com")) {
            return Optional.of(S3Preset.SPACES);
        }
        if (server.filter(s -> s.toLowerCase(Locale.ROOT).startsWith("minio")).isPresent()) {
            return Optional.of(S3Preset.MINIO);
        }
        return Optional.empty();
    }
}
