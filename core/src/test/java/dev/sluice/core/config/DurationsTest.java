package dev.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "250ms, PT0.25S", "30s, PT30S", "5m, PT5M", "1h, PT1H", "0s, PT0S", "' 5 s ', PT5S", "5M, PT5M",
            "10MS, PT0.01S", "PT5M, PT5M", "pt1h30m, PT1H30M", "P1D, PT24H", "1500ms, PT1.5S",
    })
    void parses(String text, Duration expected) {
        assertThat(Durations.parse(text, "x")).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "5", "5 minutes", "1.5s", "5min", "1d", "-5s", "PT-1S", "-PT5S", "ms", "s5",
            "99999999999999999999s", "9999999999999999h", "PT9999999999999999999H"})
    void rejectsWithTheSettingName(String text) {
        assertThatThrownBy(() -> Durations.parse(text, "functions.ocr.timeout"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("functions.ocr.timeout")
                .hasMessageContaining("500ms, 30s, 5m or 1h");
    }
}
