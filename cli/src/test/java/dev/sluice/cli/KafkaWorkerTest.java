package dev.sluice.cli;

import dev.sluice.triggers.kafka.testing.EmbeddedKafkaExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code sluice worker --broker kafka} against a real Kafka broker (KRaft, in the test JVM). */
class KafkaWorkerTest extends BrokerWorkerContract {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Override
    void assumeBrokerRunning() {
        // started by the extension
    }

    /**
     * A killed worker's partitions move once the group misses its heartbeats for the session timeout, Kafka's
     * counterpart of the other brokers' ack wait.
     */
    @Override
    List<String> brokerOptions(Duration ackWait) {
        long session = Math.max(2_000, ackWait.toMillis());
        Path properties;
        try {
            properties = Files.writeString(dir.resolve("kafka-" + id + ".properties"),
                    "session.timeout.ms=" + session + "\nheartbeat.interval.ms=" + session / 4 + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of("--broker", "kafka", "--url", KAFKA.bootstrapServers(), "--topic", topic(), "--group",
                "workers-" + id, "--partitions", "4", "--kafka-properties", properties.toString());
    }

    @Override
    void publish(byte[] body) throws Exception {
        KAFKA.send(topic(), null, body);
    }

    @Override
    long waiting() throws Exception {
        return KAFKA.lag(topic(), "workers-" + id);
    }

    @Override
    void deleteTopology() throws Exception {
        if (id == null) {
            return;
        }
        try (Admin admin = KAFKA.admin()) {
            admin.deleteTopics(List.of(topic())).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // never created
        }
    }

    @Override
    String brokerName() {
        return "kafka";
    }

    private String topic() {
        return "sluice-worker-test-" + id;
    }
}
