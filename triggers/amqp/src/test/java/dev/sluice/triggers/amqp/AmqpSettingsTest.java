package dev.sluice.triggers.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AmqpSettingsTest {

    @Test
    void bareSlashMeansTheDefaultVhostAndCredentialsStayOutOfLogs() {
        AmqpSettings settings = with("amqp://sluice:s3cret@rabbit.example:5672/", 8);
        assertThat(settings.uri()).isEqualTo("amqp://sluice:s3cret@rabbit.example:5672");
        assertThat(settings.safeUri()).isEqualTo("amqp://rabbit.example:5672");
        assertThat(settings.toString()).doesNotContain("s3cret");
        assertThat(with("amqp://u:p@host:5672/sluice", 8).uri()).endsWith("/sluice");
    }

    @Test
    void invalidSettingsAreConfigErrorsThatSayWhatIsWrong() {
        assertThatThrownBy(() -> with("http://host:5672", 8))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must start with amqp://");
        assertThatThrownBy(() -> with(AmqpSettings.DEFAULT_URI, 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("prefetch must be between 1 and 65535");
    }

    private static AmqpSettings with(String uri, int prefetch) {
        return new AmqpSettings(uri, "sluice", "direct", "sluice.events", "sluice-events", "sluice-events.dlx",
                prefetch, 5, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(5));
    }
}
