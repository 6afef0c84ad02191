package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.testfunctions.CopyFunction;
import dev.sluice.cli.testfunctions.FlakyFunction;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.exec.Outcome;
import dev.sluice.core.exec.StepResult;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor's guarantees on a real (embedded) S3 server: retries for transient failures only, dead letters,
 * timeouts, fan-out, chains and back-pressure. Events are submitted directly so each test controls them.
 */
class ExecutorIntegrationTest {
    @TempDir
    static Path dataDir;
    static TestServer sluice;
    static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        String yaml = """
                embedded: { port: 0, dataDir: %s, buckets: [inbox, outbox] }
                functions:
                  test-flaky: { concurrency: 2, retries: 3, backoff: 50ms }
                  test-copy: { concurrency: 1, queue: 1, timeout: 2s }
                pipelines:
                  - name: flaky
                    match: { bucket: inbox, prefix: flaky/ }
                    steps:
                      - function: test-flaky
                        params: { failures: "2" }
                        output: s3://outbox/{key}
                  - name: tooflaky
                    match: { bucket: inbox, prefix: tooflaky/ }
                    steps:
                      - function: test-flaky
                        params: { failures: "100" }
                        output: s3://outbox/{key}
                  - name: fanout
                    match: { bucket: inbox, prefix: fan/ }
                    steps:
                      - { id: a, function: test-copy, params: { suffix: "-a" }, output: "s3://outbox/{dir}/{name}{suffix}.{ext}" }
                      - { id: b, function: test-copy, params: { suffix: "-b" }, output: "s3://outbox/{dir}/{name}{suffix}.{ext}" }
                  - name: chain
                    match: { bucket: inbox, prefix: chain/ }
                    steps:
                      - id: first
                        function: test-copy
                        params: { suffix: "-1" }
                        output: s3://outbox/{dir}/{name}{suffix}.{ext}
                        then:
                          - id: second
                            function: test-copy
                            params: { suffix: "-2" }
                            output: s3://outbox/{dir}/{name}{suffix}.{ext}
                  - name: cond
                    match: { bucket: inbox, prefix: cond/ }
                    steps:
                      - id: extract
                        function: test-copy
                        params: { suffix: "-1" }
                        output: s3://outbox/{dir}/{name}{suffix}.{ext}
                        then:
                          - id: scanned-only
                            function: test-copy
                            params: { suffix: "-scanned" }
                            when: { json: { field: /pagesWithoutText, notEmpty: true } }
                            output: s3://outbox/{dir}/{name}{suffix}.{ext}
                          - id: small-only
                            function: test-copy
                            params: { suffix: "-small" }
                            when: { maxSize: 40 }
                            output: s3://outbox/{dir}/{name}{suffix}.{ext}
                  - name: retried
                    match: { bucket: inbox, prefix: retry/ }
                    steps:
                      - id: copy
                        function: test-copy
                        params: { suffix: "-c" }
                        output: s3://outbox/{dir}/{name}{suffix}.{ext}
                        then:
                          - id: middle
                            function: test-flaky
                            output: s3://outbox/{dir}/{name}{suffix}.{ext}
                            then:
                              - id: last
                                function: test-copy
                                params: { suffix: "-z" }
                                output: s3://outbox/{dir}/{name}{suffix}.{ext}
                  - name: slow
                    match: { bucket: inbox, prefix: slow/ }
                    steps:
                      - function: test-copy
                        params: { sleep-ms: "60000" }
                        output: s3://outbox/{key}
                  - name: queue
                    match: { bucket: inbox, prefix: queue/ }
                    steps:
                      - id: q
                        function: test-copy
                        params: { sleep-ms: "300", suffix: "-q" }
                        output: s3://outbox/{dir}/{name}{suffix}.{ext}
                """.formatted(dataDir.resolve("s3"));
        SluiceConfig config = new ConfigLoader(k -> null).parse(yaml, dataDir);
        sluice = TestServer.start(config, METERS);
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    private static ObjectStore store() {
        return sluice.store();
    }

    /** Puts an object without an event (the embedded server would also emit one; submit() is idempotent anyway). */
    private static ObjectEvent put(String key, String content) {
        ObjectInfo info = store().put("inbox", key, content.getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());
        return ObjectEvent.created("inbox", key, info.size(), info.eTag(), "text/plain");
    }

    private static List<StepResult> run(ObjectEvent event) throws Exception {
        return sluice.server().executor().submit(event).get();
    }

    @Test
    void everyFunctionThePipelinesUseIsPreparedWhenTheServerStarts() {
        CopyFunction copy = (CopyFunction) sluice.functions().get("test-copy");
        await().atMost(Duration.ofSeconds(10)).until(() -> CopyFunction.PREPARED.contains(copy));
    }

    @Test
    void transientFailuresAreRetriedUntilTheStepSucceeds() throws Exception {
        List<StepResult> results = run(put("flaky/a.txt", "x"));
        StepResult result = results.get(0);
        assertThat(result.outcome()).isIn(Outcome.SUCCEEDED, Outcome.SKIPPED);
        assertThat(store().head("outbox", "flaky/a.txt")).isPresent();
        assertThat(FlakyFunction.CALLS.get("flaky/a.txt").get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void retriesAreBoundedAndEndInADeadLetter() throws Exception {
        StepResult result = run(put("tooflaky/b.txt", "x")).get(0);
        if (result.outcome() == Outcome.SKIPPED) {
            return; // the server's own upload event got there first; covered below through the dead letter
        }
        assertThat(result.outcome()).isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(result.attempts()).isEqualTo(4);
        JsonNode letter = deadLetterFor("tooflaky/b.txt");
        assertThat(letter.path("attempts").asInt()).isEqualTo(4);
        assertThat(letter.path("error").path("transient").asBoolean()).isTrue();
    }

    @Test
    void poisonInputIsNotRetried() throws Exception {
        run(put("flaky/poison.txt", "x"));
        JsonNode letter = await().atMost(Duration.ofSeconds(30)).until(() -> findDeadLetter("flaky/poison.txt"),
                java.util.Objects::nonNull);
        assertThat(letter.path("attempts").asInt()).isEqualTo(1);
        assertThat(letter.path("error").path("message").asText()).contains("poison");
        assertThat(store().head("outbox", "flaky/poison.txt")).isEmpty();
    }

    @Test
    void anInvocationOverItsTimeoutIsStoppedAndDeadLettered() throws Exception {
        run(put("slow/s.txt", "x"));
        JsonNode letter = await().atMost(Duration.ofSeconds(30)).until(() -> findDeadLetter("slow/s.txt"),
                java.util.Objects::nonNull);
        assertThat(letter.path("error").path("type").asText()).endsWith("InvocationTimeoutException");
        assertThat(store().head("outbox", "slow/s.txt")).isEmpty();
    }

    @Test
    void stepsOnOneInputFanOut() throws Exception {
        run(put("fan/f.txt", "fan"));
        await().atMost(Duration.ofSeconds(30)).until(() -> store().head("outbox", "fan/f-a.bin").isPresent()
                && store().head("outbox", "fan/f-b.bin").isPresent());
    }

    @Test
    void thenStepsRunOnTheOutputsOfTheirStep() throws Exception {
        run(put("chain/c.txt", "chain"));
        ObjectInfo second = await().atMost(Duration.ofSeconds(30))
                .until(() -> store().head("outbox", "chain/c-1-2.bin"), java.util.Optional::isPresent).orElseThrow();
        assertThat(second.userMetadata().get("sluice-depth")).isEqualTo("2");
        try (InputStream in = store().get("outbox", "chain/c-1-2.bin")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("chain");
        }
    }

    @Test
    void conditionalStepsRunOnlyWhenTheirConditionHolds() throws Exception {
        List<StepResult> scanned = run(put("cond/scan.txt", "{\"pagesWithoutText\": [1, 2]}"));
        List<StepResult> text = run(put("cond/text.txt", "{\"pagesWithoutText\": [], \"pages\": 12, \"more\": true}"));

        await().atMost(Duration.ofSeconds(30)).until(() -> store().head("outbox", "cond/scan-1-scanned.bin").isPresent()
                && store().head("outbox", "cond/scan-1-small.bin").isPresent());
        assertThat(store().head("outbox", "cond/text-1.bin")).isPresent();
        assertThat(store().head("outbox", "cond/text-1-scanned.bin")).isEmpty();
        assertThat(store().head("outbox", "cond/text-1-small.bin")).isEmpty();
        assertThat(text.get(0).flatten().map(StepResult::outcome))
                .contains(Outcome.CONDITION_FALSE).doesNotContain(Outcome.DEAD_LETTERED, Outcome.FAILED);
        assertThat(scanned.get(0).flatten().map(StepResult::outcome)).doesNotContain(Outcome.CONDITION_FALSE);
    }

    @Test
    void aFailedMiddleStepIsDeadLetteredAndRetryCompletesTheRunOnceFixed() throws Exception {
        FlakyFunction.BROKEN.set(true);
        ObjectEvent event;
        try {
            event = put("retry/fixable.txt", "x");
            List<StepResult> first = run(event);
            assertThat(first.get(0).flatten().map(StepResult::outcome)).contains(Outcome.DEAD_LETTERED);
            // The server's own upload event runs the pipeline too; let that run fail as well before fixing.
            await().atMost(Duration.ofSeconds(30)).until(() -> countDeadLetters("retry/fixable-c.bin") >= 2);
        } finally {
            FlakyFunction.BROKEN.set(false);
        }
        assertThat(store().head("outbox", "retry/fixable-c.bin")).isPresent(); // the first step's output is kept
        JsonNode letter = deadLetterFor("retry/fixable-c.bin");
        String runId = letter.path("runId").asText();
        assertThat(sluice.server().executor().runs().read(runId).path("status").asText()).isEqualTo("failed");

        List<StepResult> retried = sluice.server().executor().retry(runId).get().get(0).flatten().toList();

        assertThat(retried).extracting(StepResult::outcome)
                .containsExactly(Outcome.SKIPPED, Outcome.SUCCEEDED, Outcome.SUCCEEDED);
        assertThat(store().head("outbox", "retry/fixable-c-ok.txt")).isPresent();
        assertThat(store().head("outbox", "retry/fixable-c-ok-z.bin")).isPresent();
    }

    @Test
    void aFullLaneMakesTheSubmitterWait() throws Exception {
        // test-copy has concurrency 1 and queue 1: two events fill it, the third submit must block.
        List<ObjectEvent> events = List.of(put("queue/1.txt", "1"), put("queue/2.txt", "2"), put("queue/3.txt", "3"),
                put("queue/4.txt", "4"));
        AtomicReference<Thread> submitter = new AtomicReference<>();
        CompletableFuture<Void> all = CompletableFuture.runAsync(() -> {
            submitter.set(Thread.currentThread());
            for (ObjectEvent event : events) {
                try {
                    sluice.server().executor().submit(event);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> submitter.get() != null
                && submitter.get().getState() == Thread.State.WAITING);
        all.get();
        for (int i = 1; i <= 4; i++) {
            String key = "queue/" + i + "-q.bin";
            await().atMost(Duration.ofSeconds(30)).until(() -> store().head("outbox", key).isPresent());
        }
    }

    private static JsonNode deadLetterFor(String key) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> findDeadLetter(key), java.util.Objects::nonNull);
    }

    private static long countDeadLetters(String key) throws Exception {
        return DeadLetterRecords.forKey(store(), key).size();
    }

    private static JsonNode findDeadLetter(String key) throws Exception {
        return DeadLetterRecords.forKey(store(), key).stream().findFirst().orElse(null);
    }
}
