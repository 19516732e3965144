package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.StorageBackend;
import dev.stowage.StorageBackends;
import dev.stowage.spi.BackendUri;
import dev.stowage.testkit.S3TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stowage doctor} run in this JVM against the in-process S3 server (S3Proxy, SigV4), a
 * server that refuses the SDK's checksum headers, wrong credentials, a missing bucket, and a
 * folder. Backends opened from a URI take credentials from the AWS chain, never from the URI: the
 * tests give the server's through the chain's system properties and restore them after.
 */
class DoctorCommandIT {
    private static final String ACCESS_KEY_PROPERTY = "aws.accessKeyId";
    private static final String SECRET_KEY_PROPERTY = "aws.secretAccessKey";
    /**
     * For the tests of names that do not resolve: no retries, and short timeouts, so that a request
     * left unanswered fails the test in seconds rather than hanging it for minutes.
     */
    private static final String UNREACHABLE = "&retries=0&connect_timeout=2s&request_timeout=2s&call_timeout=3s";
    private static final List<String> CHECKS = List.of("open", "access", "clock", "upload", "multipart", "list", "public-url", "delete");

    @TempDir
    Path dir;
    final S3TestServer s3 = S3TestServer.shared();
    final Map<String, String> env = new HashMap<>();
    String bucket;
    Ran last;
    private String accessKeyBefore;
    private String secretKeyBefore;

    @BeforeEach
    void bucketAndCredentials() {
        bucket = s3.createBucket();
        accessKeyBefore = System.getProperty(ACCESS_KEY_PROPERTY);
        secretKeyBefore = System.getProperty(SECRET_KEY_PROPERTY);
        credentials(s3.accessKeyId(), s3.secretAccessKey());
    }

    @AfterEach
    void restoreCredentials() {
        restore(ACCESS_KEY_PROPERTY, accessKeyBefore);
        restore(SECRET_KEY_PROPERTY, secretKeyBefore);
    }

    @Test
    void againstS3Proxy_everyCheckPasses_andOnlyTheProbeObjectsComeAndGo() throws IOException {
        Files.writeString(dir.resolve("keep.txt"), "keep me");
        try (StorageBackend backend = StorageBackends.open(uri(s3, bucket))) {
            backend.uploadFile(dir.resolve("keep.txt"), "keep.txt").join();
        }

        int code = run("doctor", uri(s3, bucket));

        assertThat(code).as(out() + err()).isZero();
        assertThat(checkNames()).containsExactlyElementsOf(CHECKS);
        for (String check : CHECKS) {
            if (!check.equals("public-url")) {
                assertThat(line(check)).as(out()).startsWith("ok   " + check + ": ");
            }
        }
        assertThat(line("access")).contains("bucket '" + bucket + "'", "1 object");
        assertThat(line("upload")).contains("5120 bytes", "size and SHA-256 match", "content type application/x-stowage-probe stored");
        assertThat(line("multipart")).contains("16777217 bytes", "3 parts of 8 MiB", "Content-MD5", "size and SHA-256 match");
        assertThat(line("list")).contains("the 2 probe objects are listed");
        assertThat(line("delete")).contains("deleted the 2 probe objects");
        assertThat(out()).contains("summary: ", " 0 failed").contains("suggested: the settings in use fit (preset generic)");
        assertThat(s3.keys(bucket)).containsExactly("keep.txt");
        assertThat(s3.multipartUploads(bucket)).isEmpty();
    }

    @Test
    void privateBucket_publicUrlWarns_andSaysPresignedUrlsWork() {
        int code = run("doctor", uri(s3, bucket));

        assertThat(code).as(out()).isZero();
        assertThat(line("public-url")).startsWith("warn public-url: GET " + s3.endpoint() + "/" + bucket + "/.stowage-doctor-")
                .contains("answered 403", "not public", "public_url", "S3Backend.presignGet", "which do work here")
                .doesNotContain("X-Amz-Signature");
    }

    @Test
    void publicReadObjects_areServedAtTheirUrl() {
        int code = run("doctor", uri(s3, bucket) + "&acl=public-read");

        assertThat(code).as(out()).isZero();
        assertThat(line("public-url")).isEqualTo("ok   public-url: GET " + s3.endpoint() + "/" + bucket + "/"
                + line("upload").replaceFirst(".* to (\\.stowage-doctor-[0-9a-f]+/small\\.bin);.*", "$1") + " answered 200 with the object's bytes");
        assertThat(s3.keys(bucket)).isEmpty();
    }

    @Test
    void sdkChecksumsOn_againstAStoreThatRefusesThem_uploadsFailNamingTheSetting_andNothingIsLeft() {
        try (S3TestServer strict = S3TestServer.startStrict()) {
            credentials(strict.accessKeyId(), strict.secretAccessKey());
            String strictBucket = strict.createBucket();

            int code = run("doctor", uri(strict, strictBucket) + "&sdk_checksums=true&retries=0");

            assertThat(code).as(out()).isEqualTo(1);
            assertThat(line("upload")).startsWith("FAIL upload: ");
            assertThat(advice("upload")).startsWith("the store refuses the SDK's checksum headers").contains("set sdk_checksums=false");
            assertThat(line("multipart")).startsWith("FAIL multipart: ");
            assertThat(advice("multipart")).startsWith("the store refuses the SDK's checksum headers").contains("set sdk_checksums=false");
            assertThat(line("list")).startsWith("skip list:");
            assertThat(line("delete")).startsWith("ok   delete: deleted the 2 probe keys (0 stored)");
            assertThat(out()).contains("suggested: sdk_checksums=false")
                    .contains("as in: s3://" + strictBucket + "?endpoint=" + strict.endpoint() + "&sdk_checksums=false&retries=0");
            assertThat(strict.keys(strictBucket)).isEmpty();
            assertThat(strict.multipartUploads(strictBucket)).isEmpty();
        }
    }

    @Test
    void defaultsAgainstTheStrictServer_pass() {
        try (S3TestServer strict = S3TestServer.startStrict()) {
            credentials(strict.accessKeyId(), strict.secretAccessKey());
            String strictBucket = strict.createBucket();

            int code = run("doctor", uri(strict, strictBucket));

            assertThat(code).as(out()).isZero();
            assertThat(strict.keys(strictBucket)).isEmpty();
            assertThat(strict.multipartUploads(strictBucket)).isEmpty();
        }
    }

    @Test
    void wrongSecretKey_accessFailsWithAdvice_exitOne_andNoSecretIsPrinted() {
        String wrong = "wrong-secret-" + Long.toHexString(System.nanoTime());
        credentials(s3.accessKeyId(), wrong);

        int code = run("doctor", uri(s3, bucket));

        assertThat(code).as(out()).isEqualTo(1);
        assertThat(line("access")).startsWith("FAIL access: ").contains("ACCESS_DENIED", "SignatureDoesNotMatch");
        assertThat(advice("access")).startsWith("check the credentials the AWS chain finds").contains("AWS_SECRET_ACCESS_KEY");
        assertThat(line("upload")).isEqualTo("skip upload: the access check failed");
        assertThat(out()).contains("suggested: fix what failed above first").doesNotContain("settings in use fit");
        assertThat(out() + err()).doesNotContain(wrong).doesNotContain(s3.secretAccessKey());
        assertThat(s3.keys(bucket)).isEmpty();
    }

    @Test
    void missingBucket_accessFailsNamingTheBucket_exitTwo() {
        String missing = "no-such-bucket-" + Long.toHexString(System.nanoTime());

        int code = run("doctor", uri(s3, missing));

        assertThat(code).as(out()).isEqualTo(2);
        assertThat(line("access")).startsWith("FAIL access: ").contains("NoSuchBucket");
        assertThat(advice("access")).startsWith("bucket '" + missing + "' does not exist at " + s3.endpoint()).contains("s3://BUCKET");
        assertThat(line("delete")).startsWith("skip delete:");
    }

    @Test
    void bucketNamesUnderTheEndpointThatDoNotResolve_suggestPathStyle() {
        // localhost resolves everywhere; names under it resolve only where systemd-resolved answers them.
        assumeFalse(resolves(bucket + ".localhost"), "names under localhost resolve on this machine");
        String uri = "s3://" + bucket + "?endpoint=http://localhost:" + s3.endpoint().getPort() + "&path_style=false" + UNREACHABLE;

        int code = run("doctor", uri);

        assertThat(code).as(out()).isEqualTo(1);
        assertThat(line("access")).startsWith("FAIL access: ").contains("unknown host " + bucket + ".localhost");
        assertThat(advice("access")).endsWith("set path_style=true");
        assertThat(out()).contains("suggested: path_style=true");
    }

    @Test
    void anEndpointThatDoesNotResolve_isNamed_andPathStyleIsNotSuggested() {
        // .invalid never resolves (RFC 6761).
        int code = run("doctor", "s3://" + bucket + "?endpoint=http://s3.stowage.invalid&path_style=false" + UNREACHABLE);

        assertThat(code).as(out()).isEqualTo(1);
        assertThat(line("access")).startsWith("FAIL access: ");
        assertThat(advice("access")).isEqualTo("the endpoint's host name does not resolve: check endpoint");
        assertThat(out()).as("settings never tried whole are not said to fit").contains("suggested: fix what failed above first");
    }

    @Test
    void json_parses_andHoldsEveryCheck() throws IOException {
        int code = run("doctor", uri(s3, bucket), "--json");

        assertThat(code).as(out()).isZero();
        JsonNode doc = Json.MAPPER.readTree(out());
        assertThat(out().strip()).doesNotContain("\n");
        assertThat(doc.get("backend").asText()).isEqualTo(BackendUri.parse(uri(s3, bucket)).toString());
        List<String> names = new ArrayList<>();
        for (JsonNode check : doc.get("checks")) {
            names.add(check.get("name").asText());
            assertThat(check.has("detail") && check.has("advice")).isTrue();
            if (!check.get("name").asText().equals("public-url")) {
                assertThat(check.get("status").asText()).as(check.toString()).isEqualTo("ok");
            }
        }
        assertThat(names).containsExactlyElementsOf(CHECKS);
        assertThat(doc.at("/suggested/preset").asText()).isEqualTo("generic");
        assertThat(doc.at("/suggested/settings").isEmpty()).isTrue();
        assertThat(s3.keys(bucket)).isEmpty();
    }

    @Test
    void badUri_exitsTwo_withOneLine() {
        assertThat(run("doctor", "not a uri")).isEqualTo(2);
        assertThat(out()).startsWith("FAIL open: ").hasLineCount(1);

        assertThat(run("doctor", "nosuch://x")).isEqualTo(2);
        assertThat(out()).startsWith("FAIL open: ").contains("no backend for scheme 'nosuch:'").hasLineCount(1);

        assertThat(run("doctor", "s3://" + bucket + "?endpoint=" + s3.endpoint() + "&part_size=1")).isEqualTo(2);
        assertThat(out()).startsWith("FAIL open: ").contains("part_size").hasLineCount(1);

        assertThat(run("doctor", "--json", "nosuch://x")).isEqualTo(2);
        assertThat(out()).hasLineCount(1).contains("\"status\":\"fail\"");
    }

    @Test
    void folderBackend_runsThePortableChecks_skipsTheS3Ones_andLeavesTheFolderAsItWas() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("files"));
        Files.writeString(folder.resolve("index.html"), "hi");
        String uri = folder.toUri() + "?base_url=http://127.0.0.1:" + closedPort() + "/&owns_files=true";

        int code = run("doctor", uri);

        assertThat(code).as(out()).isZero();
        assertThat(checkNames()).containsExactlyElementsOf(CHECKS);
        assertThat(line("clock")).startsWith("skip clock:");
        assertThat(line("multipart")).startsWith("skip multipart:");
        assertThat(line("upload")).startsWith("ok   upload:").contains("this backend stores no content type");
        assertThat(line("list")).startsWith("ok   list:").contains("the probe object is listed");
        assertThat(line("public-url")).startsWith("warn public-url:").contains("base_url");
        assertThat(line("delete")).startsWith("ok   delete:");
        assertThat(out()).contains("suggested: nothing to change");
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files).containsExactly(folder.resolve("index.html"));
        }
    }

    @Test
    void folderThatItDoesNotOwn_isNotWrittenTo() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("files"));
        String uri = folder.toUri() + "?base_url=http://127.0.0.1:" + closedPort() + "/";

        int code = run("doctor", uri);

        assertThat(code).as(out()).isZero();
        assertThat(line("upload")).startsWith("skip upload:").contains("owns_files=true");
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void theBackend_comesFromTheOption_orFromTheConfiguration() throws IOException {
        assertThat(run("doctor", "--backend", "memory:")).as(out()).isZero();
        assertThat(line("open")).startsWith("ok   open: memory: (");

        Path folder = Files.createDirectories(dir.resolve("configured"));
        env.put("STOWAGE_BACKEND", folder.toUri() + "?base_url=http://127.0.0.1:" + closedPort() + "/&owns_files=true");
        assertThat(run("doctor")).as(out()).isZero();
        assertThat(line("open")).startsWith("ok   open: " + BackendUri.parse(env.get("STOWAGE_BACKEND")) + " (");

        assertThat(run("doctor", "memory:", "--backend", "memory:other")).isEqualTo(2);
        assertThat(err()).startsWith("error: give the backend once").hasLineCount(1);
    }

    private static String uri(S3TestServer server, String bucket) {
        return "s3://" + bucket + "?endpoint=" + server.endpoint();
    }

    private int run(String... args) {
        last = Ran.of(env, args);
        return last.code();
    }

    private String out() {
        return last.out();
    }

    private String err() {
        return last.err();
    }

    /** The names of the checks printed, in order. */
    private List<String> checkNames() {
        List<String> names = new ArrayList<>();
        for (String line : out().split("\\R")) {
            if (line.matches("(ok  |warn|FAIL|skip) [a-z-]+: .*")) {
                names.add(line.substring(5, line.indexOf(':')));
            }
        }
        return names;
    }

    /** The line of one check. */
    private String line(String check) {
        return Stream.of(out().split("\\R")).filter(l -> l.length() > 5 && l.substring(5).startsWith(check + ": "))
                .findFirst().orElseThrow(() -> new AssertionError("no line for " + check + " in:\n" + out()));
    }

    private static boolean resolves(String host) {
        try {
            InetAddress.getByName(host);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** What a check's line says to do: the text after its dash. */
    private String advice(String check) {
        String line = line(check);
        assertThat(line).as("a line with advice").contains(" — ");
        return line.substring(line.lastIndexOf(" — ") + 3);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void credentials(String accessKeyId, String secretAccessKey) {
        System.setProperty(ACCESS_KEY_PROPERTY, accessKeyId);
        System.setProperty(SECRET_KEY_PROPERTY, secretAccessKey);
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
