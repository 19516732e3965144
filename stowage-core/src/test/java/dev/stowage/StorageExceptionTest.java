package dev.stowage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class StorageExceptionTest {

    @Test
    void message_controlAndSeparatorCharactersAnywhere_areEscaped() {
        StorageException e = StorageException.builder(ErrorKind.IO, "no file: /tmp/a\u000Bb\u001B[31m\u2028c")
                .backend("local:/x\ny").key("k\u2029").build();
        assertThat(e.getMessage()).isEqualTo(
                "IO [backend=local:/x\\u000Ay, key=k\\u2029]: no file: /tmp/a\\u000Bb\\u001B[31m\\u2028c");
    }

    @Test
    void invalidConfig_isAtOpenAndNotRetryable() {
        StorageException e = StorageException.invalidConfig("region is required");
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_CONFIG);
        assertThat(e.operation()).isEqualTo(Operation.OPEN);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).isEqualTo("INVALID_CONFIG at OPEN: region is required");
    }

    @Test
    void message_hasKindRetryOperationContextAndDetailOnOneLine() {
        StorageException e = StorageException.builder(ErrorKind.RATE_LIMITED, "SlowDown: reduce your request rate")
                .operation(Operation.UPLOAD).key("img/a b.png").backend("s3:media").build();
        assertThat(e.getMessage()).isEqualTo(
                "RATE_LIMITED (retryable) at UPLOAD [backend=s3:media, key=img/a b.png]: SlowDown: reduce your request rate");
    }

    @Test
    void retryable_defaultsFromKind_andCanBeOverridden() {
        assertThat(StorageException.builder(ErrorKind.UNAVAILABLE, "x").build().isRetryable()).isTrue();
        assertThat(StorageException.builder(ErrorKind.NOT_FOUND, "x").build().isRetryable()).isFalse();
        assertThat(StorageException.builder(ErrorKind.IO, "x").retryable(true).build().isRetryable()).isTrue();
    }

    @Test
    void toBuilder_keepsEveryFieldAndCause() {
        IOException cause = new IOException("disk");
        StorageException e = StorageException.builder(ErrorKind.IO, "write failed").operation(Operation.DELETE)
                .key("k").backend("local:/x").cause(cause).build();
        StorageException copy = e.toBuilder().retryable(true).detail("write failed (again)").build();
        assertThat(copy.kind()).isEqualTo(ErrorKind.IO);
        assertThat(copy.operation()).isEqualTo(Operation.DELETE);
        assertThat(copy.key()).isEqualTo("k");
        assertThat(copy.backend()).isEqualTo("local:/x");
        assertThat(copy.getCause()).isSameAs(cause);
        assertThat(copy.isRetryable()).isTrue();
        assertThat(copy.detail()).isEqualTo("write failed (again)");
    }

    @Test
    void message_multiLineDetail_isEscapedOntoOneLine() {
        StorageException e = StorageException.builder(ErrorKind.UNEXPECTED, "line one\nline two\r\n").build();
        assertThat(e.getMessage()).isEqualTo("UNEXPECTED: line one\\u000Aline two");
    }
}
