package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.expectFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * How failures are reported: a {@code null} argument throws {@link NullPointerException} at once,
 * naming it, and touches nothing; every other failure completes the future with the
 * {@link StorageException} itself, whose one-line message names the operation, key and backend.
 */
abstract class ErrorsContract extends ContractGroup {
    ErrorsContract(StorageBackendContract suite) {
        super(suite);
    }

    @Test
    void nullArgument_throwsNullPointerExceptionAtOnceNamingIt() throws Exception {
        Path source = source(utf8("x"));
        Set<String> before = storedNames();

        assertThrowsNaming("source", () -> backend().uploadFile(null, "k.txt"));
        assertThrowsNaming("key", () -> backend().uploadFile(source, null));
        assertThrowsNaming("options", () -> backend().uploadFile(source, "k.txt", null));
        assertThrowsNaming("key", () -> backend().deleteFile(null));
        assertThrowsNaming("key", () -> backend().stat(null));
        assertThrowsNaming("key", () -> backend().getUrl(null));
        assertThrowsNaming("prefix", () -> backend().list(null));
        assertThrowsNaming("keys", () -> backend().deleteFiles(null));
        assertThrowsNaming("keys", () -> backend().deleteFiles(Arrays.asList("k.txt", null)));
        assertThatThrownBy(() -> backend().list("").subscribe(null)).as("list(\"\").subscribe(null)").isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend().forEach("", null)).as("forEach(\"\", null)").isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend().unwrap(null)).as("unwrap(null)").isInstanceOf(NullPointerException.class);
        assertThat(storedNames()).isEqualTo(before);
    }

    private static void assertThrowsNaming(String argument, ThrowingCallable call) {
        assertThatThrownBy(call).as("a null %s", argument).isInstanceOf(NullPointerException.class).hasMessageContaining(argument);
    }

    @Test
    void failure_carriesOperationKeyAndBackendOnOneLine() throws Exception {
        Path missing = suite.sources().resolve("gone.pdf");

        StorageException e = expectFailure(backend().uploadFile(missing, "reports/q1 2026.pdf"),
                ErrorKind.NOT_FOUND, Operation.UPLOAD, "reports/q1 2026.pdf");

        assertThat(e.getMessage()).contains("UPLOAD", "reports/q1 2026.pdf", e.backend());
        assertThat(e.detail()).isNotBlank();
    }

    @Test
    void failure_keyWithLineBreaks_messageStaysOneLine() throws Exception {
        String key = "forged\nINFO everything is fine\r\nreally";

        StorageException e = expectFailure(backend().stat(key), ErrorKind.INVALID_KEY, Operation.STAT, key);

        assertThat(e.getMessage()).contains("forged", "really");
    }

    @Test
    void failure_legalKeyWithUnicodeLineSeparator_messageStaysOneLine() throws Exception {
        // U+2028 and U+2029 are legal in keys (they are not control characters) but are line
        // terminators to Unicode, java.util.regex's \R, JavaScript and many log viewers.
        String key = "forged\u2028INFO all fine\u2029really.txt";

        expectFailure(backend().uploadFile(suite.sources().resolve("absent"), key), ErrorKind.NOT_FOUND, Operation.UPLOAD, key);
    }
}
