package dev.stowage.app.doctor;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.ObjectInfo;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.s3.S3Backend;
import dev.stowage.s3.S3Config;
import dev.stowage.s3.S3Preset;
import dev.stowage.spi.BackendUri;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The checks of one opened backend, run in order by {@link #run()}, with what they saw on the way
 * for {@link #suggest()} and {@link #verdict}. One use, on one thread; the shutdown hook it
 * registers while it writes shares with it, under the lock of {@code attempted}, only the keys it
 * tried, the upload under way and whether it may start another.
 */
final class Checkup {
    /** The size of the small probe object. */
    static final int SMALL_BYTES = 5 << 10;
    /** The largest multipart probe file made: past it the multipart check is skipped. */
    static final long MAX_MULTIPART_PROBE_BYTES = 64L << 20;
    /** The content type the small probe object is stored with, one no store would pick by itself. */
    static final String PROBE_CONTENT_TYPE = "application/x-stowage-probe";
    /** How many objects the access check lists at most: one page. */
    static final int FIRST_PAGE = 1000;
    /** How long the clean-up of a stopping JVM may take. */
    private static final Duration EXIT_CLEANUP_WAIT = Duration.ofSeconds(10);
    private static final HexFormat HEX = HexFormat.of();
    private static final String PATH_STYLE_ADVICE = "the endpoint's name resolves but not the bucket's under it"
            + " (virtual-host addressing, bucket.host): set path_style=true";

    private final Clock clock;
    private final HttpProbe http;
    private final ExitHooks exitHooks;
    private final BackendUri uri;
    private final StorageBackend backend;
    private final Optional<S3Backend> s3;
    private final Consumer<Check> record;
    private final String probe = Doctor.PROBE_PREFIX + HEX.formatHex(new SecureRandom().generateSeed(6)) + "/";
    private final String smallKey = probe + "small.bin";
    private final String largeKey = probe + "large.bin";
    /** Keys whose upload was started: all are deleted at the end. Read by the shutdown hook too; its lock guards the next two. */
    private final Set<String> attempted = Collections.synchronizedSet(new LinkedHashSet<>());
    /** The last upload started, which the shutdown hook waits for: one that lands after its delete would stay. */
    private CompletableFuture<?> upload;
    /** Set by the shutdown hook: no upload starts after it has taken the keys to delete. */
    private boolean stopping;
    /** Keys stored and read back by stat, with their sizes. */
    private final Map<String, Long> stored = new LinkedHashMap<>();
    private volatile boolean removed;
    private Path temp;
    private String smallSha256;

    // What was seen, for the suggestions.
    private boolean configurationRefused;
    private boolean checksumsRefused;
    private boolean virtualHostUnresolved;
    private boolean batchDeleteRefused;
    private Optional<String> bucketRegion = Optional.empty();
    private Optional<String> server = Optional.empty();

    Checkup(BackendUri uri, StorageBackend backend, Consumer<Check> record, Clock clock, HttpProbe http, ExitHooks exitHooks) {
        this.uri = uri;
        this.backend = backend;
        this.s3 = backend.unwrap(S3Backend.class);
        this.record = record;
        this.clock = clock;
        this.http = http;
        this.exitHooks = exitHooks;
    }

    void run() {
        record.accept(Check.ok("open", uri + " (" + describeBackend() + ")"));
        boolean goOn = attempt("access", this::access);
        guarded("clock", this::clock);
        List<String> writes = List.of("upload", "multipart", "list", "public-url", "delete");
        if (!goOn) {
            writes.forEach(name -> record.accept(Check.skip(name, "the access check failed")));
            return;
        }
        if (!backend.capabilities().deletes()) {
            writes.forEach(name -> record.accept(Check.skip(name, "this backend deletes nothing (a " + uri.scheme()
                    + ": backend whose files it does not own), so probe objects would stay: add owns_files=true to test writes")));
            return;
        }
        try {
            temp = Files.createTempDirectory("stowage-doctor-");
        } catch (IOException e) {
            record.accept(Check.fail("upload", "cannot make a temporary folder for the probe files: " + e,
                    "free some space in " + System.getProperty("java.io.tmpdir") + " or point java.io.tmpdir elsewhere"));
            writes.subList(1, writes.size()).forEach(name -> record.accept(Check.skip(name, "there are no probe files")));
            return;
        }
        Thread hook = new Thread(this::removeOnExit, "stowage-doctor-cleanup");
        exitHooks.add(hook);
        try {
            guarded("upload", this::upload);
            guarded("multipart", this::multipart);
            guarded("list", this::list);
            guarded("public-url", this::publicUrl);
            guarded("delete", this::delete);
        } finally {
            try {
                if (!removed && !attempted.isEmpty()) {
                    cleanup();
                }
            } finally {
                exitHooks.remove(hook);
                deleteTemp();
            }
        }
    }

    /**
     * Runs a check; one that throws (a bug, a backend that broke its contract) is reported as
     * failed, so that the others still run and the probe objects are still removed.
     *
     * @return what the check returned; false if it threw
     */
    private boolean attempt(String name, BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            record.accept(Check.fail(name, "unexpected failure: " + Failure.of(e).describe(),
                    "this is not a known answer of a store: run again, and report it if it stays"));
            return false;
        }
    }

    private void guarded(String name, Runnable check) {
        attempt(name, () -> {
            check.run();
            return true;
        });
    }

    private String describeBackend() {
        if (s3.isEmpty()) {
            return "a " + uri.scheme() + ": backend" + (backend.isRemote() ? " over the network" : "");
        }
        S3Config c = s3.get().config();
        return "S3 at " + endpointText(c) + ", bucket '" + c.bucketName() + "'"
                + (c.bucketPrefix().isEmpty() ? "" : ", prefix '" + c.bucketPrefix() + "'")
                + ", preset " + presetName(c.preset()) + ", region " + c.region() + ", " + (c.pathStyle() ? "path-style" : "virtual-host")
                + " addressing, SDK checksums " + (c.sdkChecksums() ? "on" : "off") + ", multipart from " + size(c.multipartThresholdBytes());
    }

    // ---------------------------------------------------------------- access

    /** Lists the first page; returns whether the write checks are worth running. */
    private boolean access() {
        String where = s3.map(b -> "bucket '" + b.config().bucketName() + "'"
                + (b.config().bucketPrefix().isEmpty() ? "" : " under '" + b.config().bucketPrefix() + "'")
                + " at " + endpointText(b.config())).orElse("the " + uri.scheme() + ": backend");
        long count;
        try {
            count = firstPage().join();
        } catch (RuntimeException e) {
            return accessFailed(Failure.of(e), where);
        }
        record.accept(Check.ok("access", "listed " + where + ": " + (count == 0 ? "nothing there yet"
                : count >= FIRST_PAGE ? FIRST_PAGE + " objects or more" : count + (count == 1 ? " object" : " objects"))));
        return true;
    }

    /** How many objects the first page of the listing holds, at most {@link #FIRST_PAGE}: no other page is fetched. */
    private CompletableFuture<Long> firstPage() {
        return dev.stowage.spi.ListingPublisher.count(backend.list(""), FIRST_PAGE);
    }

    private boolean accessFailed(Failure f, String where) {
        observe(f);
        String detail = "listing " + where + ": " + f.describe();
        if (s3.isEmpty()) {
            boolean denied = f.kind() == ErrorKind.ACCESS_DENIED;
            record.accept(Check.fail("access", detail, denied ? "give this user read and write permission on the folder"
                    : f.kind() == ErrorKind.INVALID_CONFIG ? "fix the setting the message names" : "fix what the message says"));
            configurationRefused = f.kind() == ErrorKind.INVALID_CONFIG;
            return !denied && f.kind() != ErrorKind.INVALID_CONFIG && f.kind() != ErrorKind.UNAVAILABLE;
        }
        S3Config c = s3.get().config();
        switch (f.kind()) {
            case ACCESS_DENIED:
                if (f.credentialsRefused()) {
                    record.accept(Check.fail("access", detail, "check the credentials the AWS chain finds: AWS_ACCESS_KEY_ID and"
                            + " AWS_SECRET_ACCESS_KEY (or a profile: profile=NAME, AWS_PROFILE); the secret must be the access key's,"
                            + " and region must be the bucket's"));
                    return false;
                }
                // The credentials are known but may not list: they may still write, so the other checks say more.
                record.accept(Check.fail("access", detail, "grant these credentials s3:ListBucket on bucket '" + c.bucketName()
                        + "' (sync and verify list the bucket); uploads also need s3:PutObject, stat s3:GetObject, deletes s3:DeleteObject"));
                return true;
            case INVALID_CONFIG:
                configurationRefused = true;
                record.accept(Check.fail("access", detail, configurationAdvice(f, c)));
                return false;
            case UNAVAILABLE:
                record.accept(Check.fail("access", detail, virtualHostUnresolved ? PATH_STYLE_ADVICE
                        : f.unknownHost() ? "the endpoint's host name does not resolve: check endpoint"
                        : "check that the store is up and that endpoint (" + endpointText(c) + ") is right"));
                return false;
            default:
                record.accept(Check.fail("access", detail, "the listing failed: see the message; the other checks go on"));
                return true;
        }
    }

    private String configurationAdvice(Failure f, S3Config c) {
        String code = f.code().orElse("");
        if (code.equals("NoSuchBucket") || (f.status() == 404 && code.isEmpty())) {
            return "bucket '" + c.bucketName() + "' does not exist at " + endpointText(c)
                    + ": create it, or name the right one in the URI (s3://BUCKET/prefix) and check endpoint and region";
        }
        if (f.bucketRegion().isPresent()) {
            return "the bucket is in " + f.bucketRegion().get() + ": set region=" + f.bucketRegion().get();
        }
        if (code.equals("RequestTimeTooSkewed")) {
            return "set this machine's clock right (NTP, e.g. timedatectl set-ntp true)";
        }
        if (code.equals("InvalidBucketName")) {
            return "the store refuses the bucket name '" + c.bucketName() + "': name the bucket as the store has it";
        }
        if (Set.of("AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException").contains(code)
                || f.status() == 301 || f.status() == 307) {
            return "set region to the bucket's region (now " + c.region() + "), and endpoint for stores other than AWS";
        }
        if (f.code().isEmpty() && f.status() == 0) {
            // No answer from the store: the backend refused before asking (no credentials anywhere, say).
            return "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a profile (profile=NAME, AWS_PROFILE)";
        }
        return "fix the setting the message names";
    }

    private void observe(Failure f) {
        if (f.unknownHost() && s3.isPresent() && !s3.get().config().pathStyle() && endpointResolves(s3.get().config())) {
            // The endpoint's own name resolves, that of the bucket under it does not: virtual-host
            // addressing is what fails, and path style would not need such names.
            virtualHostUnresolved = true;
        }
        if (bucketRegion.isEmpty()) {
            bucketRegion = f.bucketRegion();
        }
    }

    // ---------------------------------------------------------------- clock

    private void clock() {
        if (s3.isEmpty()) {
            record.accept(Check.skip("clock", "the " + uri.scheme() + ": backend signs no requests with this machine's clock"));
            return;
        }
        URI endpoint = endpoint(s3.get().config());
        HttpProbe.Head head;
        try {
            head = http.head(endpoint, clock);
        } catch (IOException e) {
            record.accept(Check.skip("clock", "no answer from " + endpoint + " to a plain HEAD: " + describe(e)));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record.accept(Check.skip("clock", "interrupted"));
            return;
        }
        server = head.server();
        if (head.date().isEmpty()) {
            record.accept(Check.skip("clock", endpoint + " sent no Date header to compare with"));
            return;
        }
        record.accept(Doctor.judgeClock(head.date().get(), head.localMidpoint()));
    }

    // ---------------------------------------------------------------- uploads

    private void upload() {
        byte[] bytes = new byte[SMALL_BYTES];
        new SecureRandom().nextBytes(bytes);
        smallSha256 = HEX.formatHex(sha256().digest(bytes));
        Path file = temp.resolve("small.bin");
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        UploadOptions options = UploadOptions.builder().contentType(PROBE_CONTENT_TYPE).sha256(smallSha256).build();
        String what = SMALL_BYTES + " bytes to " + smallKey;
        if (!send("upload", file, smallKey, options, what, false)) {
            return;
        }
        Optional<ObjectInfo> info = statBack("upload", smallKey, what);
        if (info.isEmpty()) {
            return;
        }
        List<String> wrong = new ArrayList<>(compare(info.get(), SMALL_BYTES, smallSha256));
        boolean typeStored = backend.capabilities().storesContentType();
        if (typeStored && !info.get().contentType().map(t -> t.startsWith(PROBE_CONTENT_TYPE)).orElse(false)) {
            wrong.add("content type " + info.get().contentType().orElse("(none)") + ", not " + PROBE_CONTENT_TYPE);
        }
        if (!wrong.isEmpty()) {
            record.accept(Check.fail("upload", "stored " + what + ", but stat says " + String.join("; ", wrong), alteredAdvice(wrong)));
            return;
        }
        record.accept(Check.ok("upload", what + "; stat: " + matched(info.get())
                + (typeStored ? ", content type " + PROBE_CONTENT_TYPE + " stored" : " (this backend stores no content type)")));
    }

    private void multipart() {
        if (s3.isEmpty()) {
            record.accept(Check.skip("multipart", "the " + uri.scheme() + ": backend has no multipart uploads"));
            return;
        }
        S3Config c = s3.get().config();
        long size = c.multipartThresholdBytes() + 1;
        if (size > MAX_MULTIPART_PROBE_BYTES) {
            record.accept(Check.skip("multipart", "multipart_threshold is " + size(c.multipartThresholdBytes())
                    + ": no probe file that large is made; to test uploads in parts, run with multipart_threshold=16MiB"));
            return;
        }
        Path file = temp.resolve("large.bin");
        String sha256 = writeRandom(file, size);
        long parts = (size + c.partSizeBytes() - 1) / c.partSizeBytes();
        String what = size + " bytes (multipart_threshold + 1) to " + largeKey + " in " + parts + " parts of " + size(c.partSizeBytes())
                + (c.sdkChecksums() ? ", each with Content-MD5 and the SDK's CRC32 checksum (sdk_checksums=true)"
                        : c.preset().checksSignedPayload() ? ", each with its SHA-256 signed" : ", each with Content-MD5");
        if (!send("multipart", file, largeKey, UploadOptions.builder().sha256(sha256).build(), what, true)) {
            return;
        }
        Optional<ObjectInfo> info = statBack("multipart", largeKey, what);
        if (info.isEmpty()) {
            return;
        }
        List<String> wrong = compare(info.get(), size, sha256);
        if (!wrong.isEmpty()) {
            record.accept(Check.fail("multipart", "stored " + what + ", but stat says " + String.join("; ", wrong), alteredAdvice(wrong)));
            return;
        }
        record.accept(Check.ok("multipart", what + ": accepted; stat: " + matched(info.get())));
    }

    /** Uploads a probe file; records a failed check and returns false if the upload fails. */
    private boolean send(String check, Path file, String key, UploadOptions options, String what, boolean inParts) {
        try {
            CompletableFuture<?> sending;
            synchronized (attempted) {
                if (stopping) {
                    record.accept(Check.skip(check, "the doctor is stopping"));
                    return false;
                }
                attempted.add(key);
                sending = backend.uploadFile(file, key, options);
                upload = sending;
            }
            sending.join();
            return true;
        } catch (RuntimeException e) {
            Failure f = Failure.of(e);
            observe(f);
            record.accept(Check.fail(check, "uploading " + what + ": " + f.describe(), uploadAdvice(f, inParts)));
            return false;
        }
    }

    private String uploadAdvice(Failure f, boolean inParts) {
        if (s3.isEmpty()) {
            return f.kind() == ErrorKind.ACCESS_DENIED ? "give this user write permission on the folder" : "fix what the message says";
        }
        S3Config c = s3.get().config();
        if (f.looksLikeChecksumRefusal() && c.sdkChecksums()) {
            checksumsRefused = true;
            return "the store refuses the SDK's checksum headers (aws-chunked bodies with x-amz-checksum-* trailers), as R2,"
                    + " Ceph and older MinIO do: set sdk_checksums=false; uploads stay verified by Content-MD5";
        }
        if (f.kind() == ErrorKind.UNSUPPORTED && inParts) {
            return "the store does not take uploads in parts: raise multipart_threshold (up to 5GiB) so that files go in one PUT";
        }
        if (f.kind() == ErrorKind.INTEGRITY) {
            return "the bytes that arrived are not those sent (Content-MD5): something on the way alters bodies (a proxy?);"
                    + " run again, and check the network path if it stays";
        }
        switch (f.kind()) {
            case ACCESS_DENIED:
                return "grant these credentials s3:PutObject on bucket '" + c.bucketName() + "'"
                        + (inParts ? ", and s3:AbortMultipartUpload and s3:ListMultipartUploadParts for uploads in parts" : "");
            case UNAVAILABLE:
                return virtualHostUnresolved ? PATH_STYLE_ADVICE
                        : "the store did not answer in time or dropped the connection: run again; raise request_timeout on a slow link";
            case INVALID_CONFIG:
                return "fix the setting the message names";
            default:
                return "the store refused the upload: see the message";
        }
    }

    private Optional<ObjectInfo> statBack(String check, String key, String what) {
        Optional<ObjectInfo> info;
        try {
            info = backend.stat(key).join();
        } catch (RuntimeException e) {
            Failure f = Failure.of(e);
            record.accept(Check.fail(check, "stored " + what + ", but stat failed: " + f.describe(), f.kind() == ErrorKind.ACCESS_DENIED
                    ? "grant these credentials s3:GetObject (stat reads the object's head), and s3:ListBucket" : "see the message"));
            return Optional.empty();
        }
        if (info.isEmpty()) {
            record.accept(Check.fail(check, "stored " + what + ", but stat finds nothing there",
                    "the store does not show what it just took: sync would upload it again on every run"));
        } else {
            stored.put(key, info.get().sizeBytes());
        }
        return info;
    }

    /** What in the stat of an object differs from what was sent. */
    private List<String> compare(ObjectInfo info, long size, String sha256) {
        List<String> wrong = new ArrayList<>();
        if (info.sizeBytes() != size) {
            wrong.add("size " + info.sizeBytes() + ", not " + size);
        }
        if (backend.capabilities().storesSha256() && !info.sha256().equals(Optional.of(sha256))) {
            wrong.add("SHA-256 " + info.sha256().orElse("(none)") + ", not " + sha256);
        }
        return wrong;
    }

    private String matched(ObjectInfo info) {
        return backend.capabilities().storesSha256() ? "size and SHA-256 match" : "size matches (this backend stores no SHA-256)";
    }

    private String alteredAdvice(List<String> wrong) {
        boolean sizeWrong = wrong.stream().anyMatch(w -> w.startsWith("size"));
        if (sizeWrong && s3.map(b -> b.config().sdkChecksums()).orElse(false)) {
            checksumsRefused = true;
            return "the store kept the SDK's aws-chunked framing as content: set sdk_checksums=false";
        }
        return "the store does not keep what it is sent: check what stands between (a proxy, a gateway) and the store's version";
    }

    // ---------------------------------------------------------------- list, URL, delete

    private void list() {
        if (stored.isEmpty()) {
            record.accept(Check.skip("list", "no probe object was stored"));
            return;
        }
        Map<String, Long> seen = new TreeMap<>();
        try {
            backend.forEach(probe, o -> seen.put(o.key(), o.sizeBytes())).join();
        } catch (RuntimeException e) {
            Failure f = Failure.of(e);
            record.accept(Check.fail("list", "listing " + probe + ": " + f.describe(), f.kind() == ErrorKind.ACCESS_DENIED
                    ? "grant these credentials s3:ListBucket: sync and verify list what is stored" : "see the message"));
            return;
        }
        List<String> missing = stored.entrySet().stream()
                .filter(e -> !e.getValue().equals(seen.get(e.getKey())))
                .map(e -> e.getKey() + " (" + e.getValue() + " bytes)").toList();
        String count = stored.size() == 1 ? "the probe object is" : "the " + stored.size() + " probe objects are";
        if (!missing.isEmpty()) {
            record.accept(Check.fail("list", "listing " + probe + " shows " + (seen.isEmpty() ? "nothing" : seen.keySet())
                    + "; missing or of another size: " + String.join(", ", missing),
                    "listings do not show what was just stored: sync and verify would take it for missing"));
            return;
        }
        record.accept(Check.ok("list", count + " listed under " + probe + (stored.size() == 1 ? " with its size" : " with their sizes")));
    }

    private void publicUrl() {
        if (!stored.containsKey(smallKey)) {
            record.accept(Check.skip("public-url", "the small probe object was not stored"));
            return;
        }
        URI url = backend.getUrl(smallKey);
        String scheme = Optional.ofNullable(url.getScheme()).orElse("").toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            record.accept(Check.skip("public-url", "the backend's URLs are not http(s): " + shown(url)));
            return;
        }
        HttpProbe.Got got;
        try {
            got = http.get(url);
        } catch (IOException e) {
            record.accept(Check.warn("public-url", "GET " + shown(url) + " failed: " + describe(e),
                    "nothing answers there: " + (s3.isPresent() ? "set public_url to where the bucket is served"
                            : "serve the folder at base_url (stowage serve does), or set base_url to where it is served")));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record.accept(Check.skip("public-url", "interrupted"));
            return;
        }
        String answered = "GET " + shown(url) + " answered " + got.status()
                + got.location().map(to -> ", a redirect not followed to " + shownLocation(to)).orElse("");
        if (got.status() == 200 && !got.truncated() && HEX.formatHex(sha256().digest(got.body())).equals(smallSha256)) {
            record.accept(Check.ok("public-url", answered + " with the object's bytes"));
            return;
        }
        if (got.status() == 200) {
            record.accept(Check.warn("public-url", answered + " with other content (" + (got.truncated() ? "over 1 MiB" : got.body().length + " bytes") + ")",
                    s3.isPresent() ? "public_url does not lead to this bucket and prefix: set it to where they are served"
                            : "base_url does not lead to this folder: set it to where the folder is served"));
            return;
        }
        boolean refused = got.status() == 401 || got.status() == 403 || got.status() == 404;
        record.accept(Check.warn("public-url", answered + (refused ? ": the object is not public there" : ""), notServedAdvice()));
    }

    /** What to do when the public URL does not serve the object; for S3, tries a presigned URL to say whether that works. */
    private String notServedAdvice() {
        if (s3.isEmpty()) {
            return "serve the folder at base_url (stowage serve does), or set base_url to where it is served";
        }
        S3Config c = s3.get().config();
        String presigned = presignedServes() ? ", which do work here" : "";
        if (c.publicUrl().isPresent()) {
            return "public_url (" + shown(c.publicUrl().get()) + ") does not serve bucket '" + c.bucketName()
                    + "': point it at the bucket (prefix included), or hand out presigned URLs (S3Backend.presignGet)" + presigned;
        }
        return "the bucket is not public at the endpoint: set public_url to where it is served (a custom domain, a CDN, R2's"
                + " r2.dev URL), or hand out presigned URLs (S3Backend.presignGet)" + presigned;
    }

    /** Whether a presigned URL of the small probe object serves its bytes. The URL itself is never shown: it is a credential. */
    private boolean presignedServes() {
        try {
            URI presigned = s3.get().presignGet(smallKey, Duration.ofMinutes(5)).join();
            HttpProbe.Got got = http.get(presigned);
            return got.status() == 200 && HEX.formatHex(sha256().digest(got.body())).equals(smallSha256);
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void delete() {
        List<String> keys = List.copyOf(attempted);
        if (keys.isEmpty()) {
            record.accept(Check.skip("delete", "nothing was uploaded"));
            return;
        }
        DeleteResult result;
        try {
            result = backend.deleteFiles(keys).join();
        } catch (RuntimeException e) {
            record.accept(Check.fail("delete", "deleting " + keys + ": " + Failure.of(e).describe(), "see the message"));
            return;
        }
        if (!result.isComplete()) {
            Map.Entry<String, StorageException> first = result.failed().entrySet().iterator().next();
            Failure f = Failure.of(first.getValue());
            boolean unsupported = f.kind() == ErrorKind.UNSUPPORTED || f.codeIn(Set.of("NotImplemented"));
            batchDeleteRefused |= unsupported && s3.map(b -> b.config().batchDelete()).orElse(false);
            record.accept(Check.fail("delete", "could not delete " + result.failed().keySet() + ": " + f.describe(),
                    f.kind() == ErrorKind.ACCESS_DENIED ? "grant these credentials s3:DeleteObject: sync deletes what left the folder"
                            : unsupported ? "the store refuses DeleteObjects: set batch_delete=false" : "see the message"));
            return;
        }
        List<String> left = new ArrayList<>();
        for (String key : keys) {
            try {
                if (backend.stat(key).join().isPresent()) {
                    left.add(key);
                }
            } catch (RuntimeException e) {
                record.accept(Check.fail("delete", "deleted " + keys + ", but stat of " + key + " failed: " + Failure.of(e).describe(),
                        "see the message"));
                return;
            }
        }
        if (!left.isEmpty()) {
            record.accept(Check.fail("delete", "deleted " + keys + ", but stat still finds " + left,
                    "the store reports deletes it has not done: deleted files would stay published"));
            return;
        }
        removed = true;
        String what = keys.size() == 1 ? "the probe object" : "the " + keys.size() + " probe objects";
        if (stored.size() < keys.size()) {
            what = keys.size() == 1 ? "the probe key (its upload failed)" : "the " + keys.size() + " probe keys (" + stored.size() + " stored)";
        }
        record.accept(Check.ok("delete", "deleted " + what + " in one call; stat finds " + (keys.size() == 1 ? "it gone" : "none of them")));
    }

    /** The last try at removing the probe objects, reported as the check {@code cleanup}. */
    private void cleanup() {
        List<String> keys = List.copyOf(attempted);
        try {
            DeleteResult result = backend.deleteFiles(keys).join();
            if (result.isComplete()) {
                removed = true;
                record.accept(Check.ok("cleanup", "removed the probe objects " + keys));
            } else {
                record.accept(Check.fail("cleanup", "could not remove " + result.failed().keySet() + ": "
                        + Failure.of(result.failed().values().iterator().next()).describe(), deleteByHand(result.failed().keySet())));
            }
        } catch (RuntimeException e) {
            record.accept(Check.fail("cleanup", "could not remove " + keys + ": " + Failure.of(e).describe(), deleteByHand(keys)));
        }
    }

    private String deleteByHand(Collection<String> keys) {
        return "delete " + (keys.size() == 1 ? "it" : "them") + " by hand: " + keys.stream()
                .map(k -> "stowage delete '" + k + "' --backend '" + uri + "'").collect(Collectors.joining("; "));
    }

    /**
     * The shutdown hook: a JVM stopped mid-run (Ctrl-C) still removes the probe objects and the
     * probe files, and aborts uploads in parts. The checks go on meanwhile on their own thread: no upload starts once the
     * keys are taken, and the one under way ends before the delete, which it would otherwise outrun.
     */
    private void removeOnExit() {
        if (removed) {
            return;
        }
        try {
            List<String> keys;
            CompletableFuture<?> underWay;
            synchronized (attempted) {
                stopping = true;
                keys = List.copyOf(attempted);
                underWay = upload;
            }
            if (underWay != null) {
                try {
                    underWay.get(EXIT_CLEANUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // Failed, or still going: the delete goes ahead, and closing aborts an upload in parts.
                }
            }
            if (!keys.isEmpty()) {
                backend.deleteFiles(keys).get(EXIT_CLEANUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("stowage doctor: could not remove the probe objects under " + probe + ": " + e.getMessage());
        } finally {
            backend.close(); // aborts an upload in parts still under way
            deleteTemp(); // the probe files, up to 64 MiB, which the checks no longer read once the backend is closed
        }
    }

    private void deleteTemp() {
        if (temp == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(temp)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // A probe file left in the temporary folder is harmless; the system clears it.
        }
    }

    // ---------------------------------------------------------------- verdict and suggestions

    Report.Verdict verdict(List<Check> checks) {
        if (configurationRefused) {
            return Report.Verdict.BAD_CONFIGURATION;
        }
        return checks.stream().anyMatch(c -> c.status() == Status.FAIL) ? Report.Verdict.FAILED : Report.Verdict.PASSED;
    }

    Suggestion suggest() {
        if (s3.isEmpty()) {
            return Suggestion.none();
        }
        S3Config c = s3.get().config();
        S3Preset fit = Doctor.presetFor(c.endpointUrl(), server).orElse(c.preset());
        Map<String, String> settings = new LinkedHashMap<>();
        bucketRegion.filter(r -> !r.equals(c.region())).ifPresent(r -> settings.put("region", r));
        if (virtualHostUnresolved) {
            settings.put("path_style", "true");
        }
        if (checksumsRefused && c.sdkChecksums()) {
            settings.put("sdk_checksums", "false");
        }
        if (batchDeleteRefused) {
            settings.put("batch_delete", "false");
        }
        boolean changesPreset = fit != c.preset();
        Optional<String> suggestedUri = Optional.empty();
        if (changesPreset || !settings.isEmpty()) {
            Map<String, String> merged = new LinkedHashMap<>(uri.settings());
            if (changesPreset) {
                merged.put("preset", presetName(fit));
            }
            merged.putAll(settings);
            suggestedUri = Optional.of(new BackendUri(uri.scheme(), uri.authority(), uri.path(), merged).toString());
        }
        return new Suggestion(Optional.of(presetName(fit)), settings, changesPreset, suggestedUri);
    }

    /** The S3 API endpoint: the configured one, else AWS's for the region. */
    private static URI endpoint(S3Config c) {
        return c.endpointUrl().orElseGet(() -> URI.create("https://s3." + c.region() + ".amazonaws.com"));
    }

    /** Whether the endpoint's host name resolves (an address is a name that resolves). */
    private static boolean endpointResolves(S3Config c) {
        String host = endpoint(c).getHost();
        if (host == null) {
            return false;
        }
        try {
            InetAddress.getByName(host);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String endpointText(S3Config c) {
        return shown(endpoint(c));
    }

    static String presetName(S3Preset preset) {
        return preset.name().toLowerCase(Locale.ROOT);
    }

    /** A URL as it may be shown: without user information. */
    private static String shown(URI url) {
        return url.toString().replaceFirst("//[^/?#]*@", "//****@");
    }

    /** Where a redirect leads, as it may be shown: without user information, nor a query (it may hold a signature). */
    static String shownLocation(String location) {
        return location.replaceFirst("//[^/?#]*@", "//****@").replaceFirst("\\?.*", "?...");
    }

    /** A failure of a plain HTTP request: its type, and the first message in its chain of causes (the JDK's client often has none on top). */
    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.getClass().getSimpleName());
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t != e) {
                s.append(" (").append(t.getClass().getSimpleName()).append(')');
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return s.append(": ").append(t.getMessage()).toString();
            }
        }
        return s.toString();
    }

    /** {@code 16 MiB}, or the bytes when not a whole number of MiB. */
    static String size(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Writes {@code size} random bytes to {@code file}; returns their SHA-256. */
    private static String writeRandom(Path file, long size) {
        MessageDigest digest = sha256();
        // Not a secret, just content no store can have seen before: a fast generator will do.
        Random random = new Random(new SecureRandom().nextLong());
        byte[] buffer = new byte[1 << 20];
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(buffer.length, left);
                random.nextBytes(buffer);
                out.write(buffer, 0, n);
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HEX.formatHex(digest.digest());
    }
}
