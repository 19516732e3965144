package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishFolderTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return PublishFolder.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void publishesEveryVisibleFile_printsEncodedUrlsAndSummary() throws IOException {
        Files.createDirectories(dir.resolve("img"));
        Files.writeString(dir.resolve("index.html"), "<h1>hi</h1>");
        Files.writeString(dir.resolve("img/a b+c.svg"), "<svg/>");
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/config"), "hidden");

        int code = run(dir.toString(), "https://files.example.com/site");

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "https://files.example.com/site/img/a%20b%2Bc.svg",
                "https://files.example.com/site/index.html",
                "published 2 of 2 files from " + dir.toRealPath() + " at https://files.example.com/site");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void missingFolder_exitsTwoWithOneLineNamingIt() {
        int code = run(dir.resolve("nope").toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: not a folder: ").contains("nope").hasLineCount(1);
    }

    @Test
    void badBaseUrl_exitsTwoNamingTheSetting() {
        int code = run(dir.toString(), "http://h/x?query");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("base_url").hasLineCount(1);
    }

    @Test
    void backendUri_uploadsEveryFileToThatBackend() throws IOException {
        Files.writeString(dir.resolve("index.html"), "<h1>hi</h1>");
        Files.createDirectories(dir.resolve("css"));
        Files.writeString(dir.resolve("css/site.css"), "body{}");

        int code = run(dir.toString(), "memory:?base_url=https://cdn.example.com/");

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "https://cdn.example.com/css/site.css",
                "https://cdn.example.com/index.html",
                "published 2 of 2 files from " + dir.toRealPath() + " at memory:?base_url=https://cdn.example.com/");
    }

    @Test
    void badBackendUri_exitsTwoWithOneLineNamingTheProblem() {
        int code = run(dir.toString(), "s3://bucket?secret_access_key=TOPSECRET");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("credentials do not belong in the URI")
                .doesNotContain("TOPSECRET").hasLineCount(1);
    }
}
