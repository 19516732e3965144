package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class S3ClientsTest {
    @ParameterizedTest
    @CsvSource({"PT0.1S, PT2S", "PT1S, PT2S", "PT2S, PT2S", "PT2.001S, PT3S", "PT30S, PT30S", "PT5M, PT5M"})
    void crtStallTimeout_isWholeSecondsRoundedUp_twoAtLeast(Duration socketTimeout, Duration expected) {
        assertThat(S3Clients.crtStallTimeout(socketTimeout)).isEqualTo(expected);
    }
}
