package dev.sluice.triggers.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSettingsTest {
    static final KafkaSettings DEFAULTS = KafkaSettings.defaults();

    @Test
    void defaultsPointAtALocalBroker() {
        assertThat(DEFAULTS.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(DEFAULTS.topic()).isEqualTo("sluice-events");
        assertThat(DEFAULTS.group()).isEqualTo("sluice-workers");
    }

    @Test
    void badValuesAreClearErrors() {
        assertThatThrownBy(() -> with("kafka://broker:9092", "t")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not host:port");
        assertThatThrownBy(() -> with("broker", "t")).hasMessageContaining("not host:port");
        assertThatThrownBy(() -> with("a:9092,b", "t")).hasMessageContaining("'b'");
        assertThatThrownBy(() -> with("a:9092", "no spaces")).hasMessageContaining("not a valid name");
        assertThatThrownBy(() -> with("a:9092", "..")).hasMessageContaining("not a valid name");
        assertThatThrownBy(() -> new KafkaSettings("a:1", "t", " ", 1, 1, 1, Duration.ZERO, Duration.ZERO, Map.of()))
                .hasMessageContaining("group must not be empty");
        assertThatThrownBy(() -> new KafkaSettings("a:1", "t", "g", 0, 1, 1, Duration.ZERO, Duration.ZERO, Map.of()))
                .hasMessageContaining("partitions");
        assertThatThrownBy(() -> new KafkaSettings("a:1", "t", "g", 1, 0, 1, Duration.ZERO, Duration.ZERO, Map.of()))
                .hasMessageContaining("prefetch");
        assertThatThrownBy(() -> new KafkaSettings("a:1", "t", "g", 1, 1, 0, Duration.ZERO, Duration.ZERO, Map.of()))
                .hasMessageContaining("maxDeliver");
        assertThatThrownBy(() -> new KafkaSettings("a:1", "t", "g", 1, 1, 1, Duration.ofSeconds(-1), Duration.ZERO,
                Map.of())).hasMessageContaining("negative");
        assertThat(with("kafka-0.kafka:9092, kafka-1.kafka:9092,[::1]:9093", "uploads.events_v1").topic())
                .isEqualTo("uploads.events_v1");
    }

    @Test
    void propertiesThatSluiceSetsItselfAreRefused() {
        assertThatThrownBy(() -> DEFAULTS.withClientProperties(Map.of("enable.auto.commit", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'enable.auto.commit' is set by Sluice");
        assertThat(DEFAULTS.withClientProperties(Map.of("security.protocol", "SSL")).clientProperties())
                .containsEntry("security.protocol", "SSL");
    }

    @Test
    void clientPropertiesAreReadFromAFileAndPasswordsStayOutOfToString(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), """
                # as for kafka-console-consumer.sh --consumer.config
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                    username="sluice" password="s3cret";
                """);

        KafkaSettings settings = DEFAULTS.withClientProperties(KafkaSettings.readClientProperties(file));

        assertThat(settings.clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsKey("sasl.jaas.config");
        assertThat(settings.clientProperties().get("sasl.jaas.config")).contains("password=\"s3cret\";");
        assertThat(settings.toString()).contains("sasl.jaas.config").doesNotContain("s3cret");
        assertThatThrownBy(() -> KafkaSettings.readClientProperties(dir.resolve("missing.properties")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    }

    private static KafkaSettings with(String servers, String topic) {
        return new KafkaSettings(servers, topic, "g", 1, 1, 1, Duration.ZERO, Duration.ZERO, Map.of());
    }
}
