package dev.stowage.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void delayAfter_doublesUpToMaxDelay() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), 0);
        assertThat(p.delayAfter(1, 0.9)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.delayAfter(2, 0.9)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.delayAfter(4, 0.9)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.delayAfter(5, 0.9)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delayAfter(1000, 0.9)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void delayAfter_jitterShortensByRandomShare() {
        RetryPolicy p = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), 1.0);
        assertThat(p.delayAfter(1, 0.0)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.delayAfter(1, 0.25)).isEqualTo(Duration.ofMillis(75));
    }

    @Test
    void constructor_rejectsNonsenseNamingTheArgument() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofSeconds(2), Duration.ofSeconds(1), 0)).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 1.5)).hasMessageContaining("jitter");
        assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofMillis(-1), Duration.ZERO, 0)).hasMessageContaining("initialDelay");
    }

    @Test
    void defaults_areFourAttempts200msDoublingTo10sHalfRandom() {
        RetryPolicy p = RetryPolicy.defaults();

        assertThat(p).isEqualTo(new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(10), 0.5));
        assertThat(p.delayAfter(1, 0.0)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.delayAfter(3, 0.0)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.delayAfter(3, 0.999)).isGreaterThan(Duration.ofMillis(400));
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }
}
