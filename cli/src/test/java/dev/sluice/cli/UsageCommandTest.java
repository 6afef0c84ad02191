package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.ConfigException;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.exec.UsageReport;
import dev.sluice.core.exec.UsageReport.FunctionUsage;
import dev.sluice.core.store.ObjectInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice usage} over the run records that a real (embedded) server wrote. */
class UsageCommandTest {
    @TempDir
    static Path dataDir;
    static Path configFile;
    static TestServer sluice;
    static Instant started;
    static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

    @BeforeAll
    static void runSomeEvents() throws Exception {
        configFile = Files.writeString(dataDir.resolve("usage.yaml"), """
                embedded: { port: 0, dataDir: %s, buckets: [inbox, outbox] }
                pipelines:
                  - name: copies
                    match: { bucket: inbox, prefix: copy/ }
                    steps:
                      - function: test-copy
                        output: s3://outbox/{key}
                        then:
                          - { function: test-flaky, output: "s3://outbox/{dir}/{name}{suffix}.{ext}" }
                  - name: poison
                    match: { bucket: inbox, prefix: poison/ }
                    steps:
                      - { function: test-flaky, output: "s3://outbox/{key}" }
                """.formatted(dataDir.resolve("s3")));
        SluiceConfig config = new ConfigLoader(k -> null).load(configFile);
        started = Instant.now().minusSeconds(2);
        // no triggers: only the events below run, so the counts are exact
        sluice = TestServer.startForBatch(config, METERS);
        submit("copy/a.txt", "first");
        submit("copy/a.txt", "first"); // the same content again: both steps are skipped
        submit("poison/p.txt", "bad");
        await().atMost(Duration.ofSeconds(30)).until(() -> report(started).runs() == 3);
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    private static void submit(String key, String content) throws Exception {
        ObjectInfo info = sluice.store().put("inbox", key, content.getBytes(StandardCharsets.UTF_8), "text/plain",
                Map.of());
        sluice.server().executor().submit(ObjectEvent.created("inbox", key, info.size(), info.eTag(), "text/plain")).get();
    }

    private static UsageReport report(Instant since) {
        return UsageReport.read(sluice.store(), "sluice-state", since);
    }

    @Test
    void invocationsErrorsSkipsAndBilledTimeAreCountedPerFunction() {
        Map<String, FunctionUsage> byFunction = report(started).functions().stream()
                .collect(Collectors.toMap(FunctionUsage::function, Function.identity()));

        assertThat(byFunction).containsOnlyKeys("test-copy", "test-flaky");
        FunctionUsage copy = byFunction.get("test-copy");
        assertThat(copy.invocations()).isEqualTo(1);
        assertThat(copy.errors()).isZero();
        assertThat(copy.skipped()).isEqualTo(1);
        assertThat(copy.billedMillis()).isPositive();
        FunctionUsage flaky = byFunction.get("test-flaky");
        assertThat(flaky.invocations()).as("chained after the copy, and on the poison").isEqualTo(2);
        assertThat(flaky.errors()).isEqualTo(1);
        assertThat(flaky.skipped()).isEqualTo(1);
        assertThat(flaky.billedMillis()).isGreaterThanOrEqualTo(2); // at least a millisecond per invocation
    }

    @Test
    void theMetricsCountTheSameAsTheRecords() {
        assertThat(METERS.get("sluice.invocations").tags("function", "test-flaky", "outcome", "dead_lettered")
                .counter().count()).isEqualTo(1);
        assertThat(METERS.get("sluice.invocations").tags("function", "test-copy", "outcome", "skipped")
                .counter().count()).isEqualTo(1);
        for (String function : new String[] {"test-copy", "test-flaky"}) {
            FunctionUsage usage = report(started).functions().stream().filter(u -> u.function().equals(function))
                    .findFirst().orElseThrow();
            assertThat(METERS.get("sluice.billed").tag("function", function).counter().count()).as(function)
                    .isEqualTo(usage.billedMillis());
            assertThat(METERS.get("sluice.invocation.duration").tag("function", function).timers().stream()
                    .mapToLong(io.micrometer.core.instrument.Timer::count).sum()).isEqualTo(usage.invocations());
        }
    }

    @Test
    void onlyRunsThatStartedSinceCount() {
        assertThat(report(Instant.now().plusSeconds(3600)).runs()).isZero();
    }

    @Test
    void theCommandPrintsATableFromTheStore() {
        CommandLineTest.Run run = CommandLineTest.sluice("usage", "--config", configFile.toString(), "--since", "1h");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("from 3 run record(s) in s3://sluice-state/runs/");
        assertThat(run.out()).containsPattern("test-copy +1 +0 +1 +\\d+ +\\d+");
        assertThat(run.out()).containsPattern("test-flaky +2 +1 +1 +\\d+ +\\d+");
        assertThat(run.out()).containsPattern("total +3 +1 +2 ");
    }

    @Test
    void sinceTakesSpansDaysAndInstants() {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        assertThat(UsageCommand.start("90m", now)).isEqualTo(Instant.parse("2026-11-26T10:30:00Z"));
        assertThat(UsageCommand.start("7d", now)).isEqualTo(Instant.parse("2026-11-19T12:00:00Z"));
        assertThat(UsageCommand.start("2026-11-25T00:00:00Z", now)).isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
        assertThatThrownBy(() -> UsageCommand.start("yesterday", now)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--since");
    }
}
