package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class SignedPutTest {
    @Test
    void theDateIsSigV4sBasicFormatInUtc() {
        assertThat(SigV4.amzDate(Instant.parse("2026-12-01T09:05:07.999Z").toEpochMilli())).isEqualTo("20261201T090507Z");
        assertThat(SigV4.amzDate(Instant.parse("1999-01-31T23:59:59Z").toEpochMilli())).isEqualTo("19990131T235959Z");
    }

    @Test
    void headersOfPrintableAsciiAreSentHere() {
        assertThat(SignedPut.sendable("text/html; charset=utf-8", Map.of("sha256", "ab12", "origin", "a b"),
                Optional.of("public, max-age=60"))).isTrue();
        assertThat(SignedPut.sendable("text/plain", Map.of("empty", ""), Optional.empty())).isTrue();
    }

    @Test
    void headersSigningWouldHaveToFoldGoThroughTheSdk() {
        assertThat(SignedPut.sendable("text/plain", Map.of("city", "Zürich"), Optional.empty())).as("non-ASCII").isFalse();
        assertThat(SignedPut.sendable("text/plain", Map.of("note", "two  spaces"), Optional.empty())).as("spaces in a row").isFalse();
        assertThat(SignedPut.sendable("text/plain", Map.of("note", " lead"), Optional.empty())).as("leading space").isFalse();
        assertThat(SignedPut.sendable("text/plain", Map.of("note", "trail "), Optional.empty())).as("trailing space").isFalse();
        assertThat(SignedPut.sendable("text/plain", Map.of("note", "tab\there"), Optional.empty())).as("control").isFalse();
        assertThat(SignedPut.sendable("text/plain", Map.of("two words", "x"), Optional.empty())).as("name").isFalse();
        assertThat(SignedPut.sendable("text/plain", Map.of(), Optional.of("max-age=1\r\nX: y"))).as("cache-control").isFalse();
        assertThat(SignedPut.sendable("text/plän", Map.of(), Optional.empty())).as("content-type").isFalse();
        assertThat(SignedPut.sendable("text/plain", Map.of("Origin", "a", "origin", "b"), Optional.empty()))
                .as("names differing in case alone").isFalse();
    }

    @Test
    void anErrorAnswerBecomesTheSdksException() {
        SdkHttpResponse head = SdkHttpResponse.builder().statusCode(403)
                .headers(Map.of("x-amz-request-id", List.of("REQ1"), "x-amz-bucket-region", List.of("eu-west-1"))).build();
        S3Exception e = SignedPutAnswer.errorOf(head, "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code>"
                + "<Message>Access &amp; &lt;denied&gt;</Message><RequestId>REQ1</RequestId></Error>");
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.requestId()).isEqualTo("REQ1");
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Access & <denied>");
        assertThat(e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region")).contains("eu-west-1");
    }

    @Test
    void anErrorAnswerWithoutXmlHasItsStatusAlone() {
        S3Exception e = SignedPutAnswer.errorOf(SdkHttpResponse.builder().statusCode(502).build(), "<html>Bad Gateway</html>");
        assertThat(e.statusCode()).isEqualTo(502);
        assertThat(e.awsErrorDetails().errorCode()).isNull();
        assertThat(e.getMessage()).startsWith("HTTP 502");
    }
}
