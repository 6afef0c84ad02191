package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.trigger.Acknowledgement;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function's progress reports on a real (embedded) S3 server: shown as a gauge while the step runs, removed
 * after, and passed to the event's source as in-progress signals so a broker keeps a long job's message. The
 * server runs without triggers, so the test's event is the only one.
 */
class ProgressReportingTest {
    @TempDir
    Path dataDir;

    @Test
    void progressIsAGaugeWhileTheStepRunsAndKeepsTheBrokerMessage() throws Exception {
        String yaml = """
                embedded: { port: 0, dataDir: %s, buckets: [inbox, outbox] }
                pipelines:
                  - name: progress
                    match: { bucket: inbox }
                    steps:
                      - id: long
                        function: test-copy
                        params: { sleep-ms: "6000", progress-steps: "12", suffix: "-p" }
                        output: s3://outbox/{dir}/{name}{suffix}.{ext}
                """.formatted(dataDir.resolve("s3"));
        SluiceConfig config = new ConfigLoader(k -> null).parse(yaml, dataDir);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FunctionRegistry functions = FunctionRegistry.loadDefault();
             SluiceServer server = SluiceServer.startForBatch(config, functions, meters, "k", "s3cr3t-k3y")) {
            ObjectInfo info = server.store().put("inbox", "long.txt", "a long job".getBytes(StandardCharsets.UTF_8),
                    "text/plain", Map.of());
            AtomicInteger heartbeats = new AtomicInteger();
            CompletableFuture<String> settled = new CompletableFuture<>();
            server.executor().accept(ObjectEvent.created("inbox", "long.txt", info.size(), info.eTag(), "text/plain"),
                    new Acknowledgement() {
                        @Override
                        public void ack() {
                            settled.complete("ack");
                        }

                        @Override
                        public void nack(String reason) {
                            settled.complete("nack: " + reason);
                        }

                        @Override
                        public void inProgress() {
                            heartbeats.incrementAndGet();
                        }
                    });

            Gauge gauge = await().atMost(Duration.ofSeconds(30)).until(() -> meters.find("sluice.invocation.progress")
                    .tag("object", "s3://inbox/long.txt").tag("step", "progress/long").gauge(), Objects::nonNull);
            assertThat(gauge.getId().getTag("function")).isEqualTo("test-copy");
            await().atMost(Duration.ofSeconds(30)).until(() -> gauge.value() >= 0.5);
            assertThat(settled.get(60, TimeUnit.SECONDS)).isEqualTo("ack");
            assertThat(heartbeats.get()).as("the event's source heard that work was still going").isPositive();
            assertThat(meters.find("sluice.invocation.progress").gauges()).as("only running work is shown").isEmpty();
            assertThat(server.store().head("outbox", "long-p.bin")).isPresent();
        }
    }
}
