package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice worker} refuses what it cannot run, before it connects to anything. */
class WorkerCommandTest {

    @Test
    void configWithoutAStoreIsAConfigError(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("sluice.yaml"), "pipelines: []\n");
        CommandLineTest.Run run = CommandLineTest.sluice("worker", "--config", config.toString(), "--metrics-port", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("sluice worker runs no embedded S3 server; add a 'store' section");
    }

    @Test
    void malformedDurationOrUnknownBrokerIsAUsageError(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("sluice.yaml"),
                "store: { endpoint: \"http://127.0.0.1:1\", accessKey: a, secretKey: b }\npipelines: []\n");
        CommandLineTest.Run duration = CommandLineTest.sluice("worker", "--config", config.toString(),
                "--ack-wait", "ten seconds", "--metrics-port", "0");
        CommandLineTest.Run broker = CommandLineTest.sluice("worker", "--config", config.toString(),
                "--broker", "sqs", "--metrics-port", "0");
        CommandLineTest.Run prefetch = CommandLineTest.sluice("worker", "--config", config.toString(),
                "--prefetch", "0", "--metrics-port", "0");

        assertThat(duration.exitCode()).isEqualTo(2);
        assertThat(duration.err()).contains("--ack-wait: 'ten seconds' is not a duration");
        assertThat(broker.exitCode()).isEqualTo(2);
        assertThat(broker.err()).contains("--broker").contains("nats, amqp, kafka");
        assertThat(prefetch.exitCode()).isEqualTo(2);
        assertThat(prefetch.err()).contains("NATS prefetch must be at least 1");
    }

    @Test
    void kafkaSettingsAreCheckedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("sluice.yaml"),
                "store: { endpoint: \"http://127.0.0.1:1\", accessKey: a, secretKey: b }\npipelines: []\n");
        CommandLineTest.Run url = CommandLineTest.sluice("worker", "--config", config.toString(),
                "--broker", "kafka", "--url", "kafka://127.0.0.1:9092", "--metrics-port", "0");
        CommandLineTest.Run properties = CommandLineTest.sluice("worker", "--config", config.toString(),
                "--broker", "kafka", "--kafka-properties", dir.resolve("absent.properties").toString(),
                "--metrics-port", "0");
        CommandLineTest.Run reserved = CommandLineTest.sluice("worker", "--config", config.toString(),
                "--broker", "kafka", "--kafka-properties",
                Files.writeString(dir.resolve("auto.properties"), "enable.auto.commit=true\n").toString(),
                "--metrics-port", "0");

        assertThat(url.exitCode()).isEqualTo(2);
        assertThat(url.err()).contains("'kafka://127.0.0.1:9092' is not host:port");
        assertThat(properties.exitCode()).isEqualTo(2);
        assertThat(properties.err()).contains("absent.properties does not exist");
        assertThat(reserved.exitCode()).isEqualTo(2);
        assertThat(reserved.err()).contains("'enable.auto.commit' is set by Sluice");
    }
}
