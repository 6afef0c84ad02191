package dev.sluice.triggers.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NatsSettingsTest {

    @Test
    void credentialsInTheUrlStayOutOfLogs() {
        NatsSettings settings = with("nats://sluice:s3cret@nats.example:4222", "SLUICE_EVENTS", 8);
        assertThat(settings.safeUrl()).isEqualTo("nats://nats.example:4222");
        assertThat(settings.toString()).doesNotContain("s3cret");
        assertThat(NatsSettings.defaults().safeUrl()).isEqualTo(NatsSettings.DEFAULT_URL);
    }

    @Test
    void invalidSettingsAreConfigErrorsThatSayWhatIsWrong() {
        assertThatThrownBy(() -> with(NatsSettings.DEFAULT_URL, "SLUICE.EVENTS", 8))
                .isInstanceOf(ConfigException.class).hasMessageContaining("may not contain '.'");
        assertThatThrownBy(() -> with(NatsSettings.DEFAULT_URL, "SLUICE_EVENTS", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("prefetch must be at least 1");
        assertThatThrownBy(() -> new NatsSettings(NatsSettings.DEFAULT_URL, "S", "s", "c", 1, Duration.ofMillis(500),
                1, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ackWait must be at least 1s");
    }

    private static NatsSettings with(String url, String stream, int prefetch) {
        return new NatsSettings(url, stream, "sluice.events", "workers", prefetch, Duration.ofSeconds(30), 5,
                Duration.ofSeconds(1), Duration.ofSeconds(5));
    }
}
