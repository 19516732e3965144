package dev.stowage.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No request reaches a file outside the folder, a hidden file or a folder listing, whatever the
 * encoding of its path. Every file that must not be served holds {@value #SECRET}; each request
 * goes out over a plain socket exactly as written, to a server at {@code /} and to one at
 * {@code /site/}, and must get 400 or 404 with no secret in the body.
 */
class PathSafetyIT {
    private static final String SECRET = "TOP-SECRET";

    @TempDir
    static Path dir;
    static HttpServer atRoot;
    static HttpServer atSite;

    @BeforeAll
    static void start() throws IOException {
        Path root = Files.createDirectories(dir.resolve("site"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET + " next to the root");
        Files.writeString(Files.createDirectories(dir.resolve("site-evil")).resolve("secret.txt"), SECRET + " in a sibling named like the root");

        Files.writeString(root.resolve("a.txt"), "plain a");
        Files.writeString(root.resolve("a..b.txt"), "dots inside");
        Files.writeString(Files.createDirectories(root.resolve("sub")).resolve("b.txt"), "plain b");
        Files.writeString(root.resolve("sub/.stowage-y.tmp"), SECRET + " half-copied file");
        Files.writeString(root.resolve(".hidden.txt"), SECRET + " dot-file");
        Files.writeString(Files.createDirectories(root.resolve(".git")).resolve("config"), SECRET + " git config");
        Files.writeString(Files.createDirectories(root.resolve(".stowage")).resolve("state.db"), SECRET + " sync state");
        Files.writeString(root.resolve(".stowage-x.tmp"), SECRET + " half-copied file");
        Files.writeString(Files.createDirectories(root.resolve("private")).resolve("p.txt"), SECRET + " hidden folder");

        Files.createSymbolicLink(root.resolve("link-in.txt"), Path.of("a.txt"));
        Files.createSymbolicLink(root.resolve("link-in-dir"), Path.of("sub"));
        Files.createSymbolicLink(root.resolve("link-out.txt"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(root.resolve("link-out-dir"), Path.of("../outside"));
        Files.createSymbolicLink(root.resolve("link-abs.txt"), outside.resolve("secret.txt").toAbsolutePath());
        Files.createSymbolicLink(root.resolve("link-sibling.txt"), Path.of("../site-evil/secret.txt"));
        Files.createSymbolicLink(root.resolve("link-hidden-dir"), Path.of(".stowage"));
        Files.createSymbolicLink(root.resolve("link-private.txt"), Path.of("private/p.txt"));
        Files.createSymbolicLink(root.resolve("link-dot.txt"), Path.of(".hidden.txt"));

        HttpSettings settings = HttpSettings.defaults(root).withPort(0).withHiddenFolders(Set.of(".stowage", "private"));
        atRoot = HttpServer.start(settings);
        atSite = HttpServer.start(settings.withBasePath("/site/"));
    }

    @AfterAll
    static void stop() {
        atRoot.close();
        atSite.close();
    }

    /**
     * Request targets for the server at {@code /}; for the one at {@code /site/}, the leading '/'
     * becomes {@code /site/}. A target starting {@code abs:} is sent in absolute form
     * ({@code http://127.0.0.1:port/...}); one starting {@code raw:} is sent as it is to both.
     */
    static Stream<String> refused() {
        return Stream.of(
                // dot-dot segments, plain and percent-encoded
                "/../outside/secret.txt",
                "/%2e%2e/outside/secret.txt",
                "/%2E%2E/outside/secret.txt",
                "/.%2e/outside/secret.txt",
                "/%2e./outside/secret.txt",
                "/sub/../../outside/secret.txt",
                "/sub/%2e%2e/%2e%2e/outside/secret.txt",
                "/..;/outside/secret.txt",
                // encoded slashes: never a separator
                "/..%2foutside%2fsecret.txt",
                "/%2e%2e%2foutside%2fsecret.txt",
                "/sub/..%2f..%2foutside/secret.txt",
                "/sub%2fb.txt",
                // backslashes, plain and encoded
                "/..\\outside\\secret.txt",
                "/..%5coutside%5csecret.txt",
                "/sub%5c..%5c..%5coutside%5csecret.txt",
                "/%2e%2e%5c%2e%2e%5coutside%5csecret.txt",
                "/C:\\Windows\\win.ini",
                // overlong and invalid UTF-8, UTF-16 escapes
                "/%c0%ae%c0%ae/outside/secret.txt",
                "/..%c0%afoutside%c0%afsecret.txt",
                "/%e0%80%ae%e0%80%ae/outside/secret.txt",
                "/%ff%fe.txt",
                "/%u002e%u002e/outside/secret.txt",
                // null bytes
                "/a.txt%00.html",
                "/%00",
                // double encoding: decoded once, "%2e%2e" is a name, not "..", and there is no such file
                "/%252e%252e/outside/secret.txt",
                "/%252e%252e%252foutside%252fsecret.txt",
                // empty and dot segments
                "//etc/passwd",
                "/sub//b.txt",
                "/./a.txt",
                "/sub/./b.txt",
                "/a.txt/",
                // absolute paths
                "/etc/passwd",
                "/%2fetc%2fpasswd",
                "raw:file:///etc/passwd",
                "abs:/../outside/secret.txt",
                "abs:/%2e%2e/outside/secret.txt",
                // links out of the folder: file, folder, absolute, to a sibling whose name starts like the root's
                "/link-out.txt",
                "/link-out-dir/secret.txt",
                "/link-out-dir",
                "/link-abs.txt",
                "/link-sibling.txt",
                // links inside the folder to what is never served
                "/link-hidden-dir/state.db",
                "/link-private.txt",
                "/link-dot.txt",
                // dot-files, dot-folders, the state folder, temporary files, hidden folders
                "/.hidden.txt",
                "/%2ehidden.txt",
                "/.git/config",
                "/.stowage/state.db",
                "/.stowage-x.tmp",
                "/sub/.stowage-y.tmp",
                "/private/p.txt",
                "/PRIVATE/p.txt",
                // folders: no listing
                "/",
                "/sub",
                "/sub/",
                "/link-in-dir/",
                "/.stowage/",
                "/private/");
    }

    static Stream<Arguments> refusedOnBoth() {
        return refused().flatMap(target -> Stream.of(Arguments.of("/", target), Arguments.of("/site/", target)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusedOnBoth")
    void refused_400or404_noSecret(String base, String target) {
        HttpServer server = base.equals("/") ? atRoot : atSite;

        RawHttp.Reply reply = RawHttp.get(server.port(), requestTarget(server, base, target));

        assertThat(reply.status()).as(reply.toString()).isIn(400, 404);
        assertThat(reply.text()).doesNotContain(SECRET).doesNotContain("root:");
    }

    static Stream<Arguments> served() {
        return Stream.of(
                Arguments.of("/a.txt", "plain a"),
                Arguments.of("/%61.txt", "plain a"),
                Arguments.of("/a..b.txt", "dots inside"),
                Arguments.of("/sub/b.txt", "plain b"),
                Arguments.of("/link-in.txt", "plain a"),
                Arguments.of("/link-in-dir/b.txt", "plain b"),
                Arguments.of("abs:/a.txt", "plain a"));
    }

    /** The same servers do serve what they should: the refusals above are not a server that serves nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("served")
    void served_200(String target, String body) {
        for (String base : new String[] {"/", "/site/"}) {
            HttpServer server = base.equals("/") ? atRoot : atSite;

            RawHttp.Reply reply = RawHttp.get(server.port(), requestTarget(server, base, target));

            assertThat(reply.status()).as(base + " " + reply).isEqualTo(200);
            assertThat(reply.text()).isEqualTo(body);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("served")
    void siteServer_pathOutsideBasePath_404(String target) {
        if (target.startsWith("/")) {
            RawHttp.Reply reply = RawHttp.get(atSite.port(), target);

            assertThat(reply.status()).as(reply.toString()).isEqualTo(404);
        }
    }

    private static String requestTarget(HttpServer server, String base, String target) {
        if (target.startsWith("raw:")) {
            return target.substring(4);
        }
        if (target.startsWith("abs:")) {
            return "http://127.0.0.1:" + server.port() + base + target.substring(5);
        }
        return base + target.substring(1);
    }
}
