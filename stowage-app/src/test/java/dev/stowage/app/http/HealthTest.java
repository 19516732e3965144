package dev.stowage.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void toJson_oneLine() {
        assertThat(new Health(true, "idle", 0).toJson()).isEqualTo("{\"ok\":true,\"status\":\"idle\",\"pending\":0}");
        assertThat(new Health(false, "remote down", 12).toJson())
                .isEqualTo("{\"ok\":false,\"status\":\"remote down\",\"pending\":12}");
    }

    @Test
    void toJson_escapesQuotesBackslashesControlsAndLoneSurrogates() {
        assertThat(new Health(true, "a\"b\\c\nd\u0001e\ud800f😀", 1).toJson())
                .isEqualTo("{\"ok\":true,\"status\":\"a\\\"b\\\\c\\nd\\u0001e\\ud800f😀\",\"pending\":1}");
    }

    @Test
    void negativePending_refused() {
        assertThatThrownBy(() -> new Health(true, "x", -1)).hasMessage("pending must be >= 0: -1");
    }
}
