package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.config.StoreSettings;
import dev.sluice.core.event.MinioEvents;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.storage.testing.EmbeddedS3Extension;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice worker} against a real broker, as it runs in production: worker processes (child JVMs) consume
 * MinIO-format event notifications for objects in an S3 server they do not own (the embedded one, standing in
 * for MinIO), and one of them is killed or stopped while it works. Each broker gets a subclass that says how to
 * reach it, publish to it, and count what is left in it.
 */
abstract class BrokerWorkerContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern UNSETTLED = Pattern.compile("(?m)^sluice_broker_unsettled\\{[^}]*} (\\S+)$");
    static final String IN = "inbox";
    static final String OUT = "outbox";
    static final String DEAD = "dead-letters";
    static final String GARBAGE = "{\"this is\": \"not an S3 event\"}";

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

    @TempDir
    Path dir;
    /** A fresh suffix per test, so that streams, subjects and queues never carry over between tests. */
    String id;
    final List<Worker> workers = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @RegisterExtension
    final TestWatcher printLogsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            workers.forEach(Worker::printLog);
        }
    };

    /** Skips the test class with a clear reason when the broker is not running here. */
    abstract void assumeBrokerRunning();

    /** Options of {@code sluice worker} that point it at this test's stream or queue. */
    abstract List<String> brokerOptions(Duration ackWait);

    abstract void publish(byte[] body) throws Exception;

    /** Messages still waiting in the broker (published, not yet acknowledged or given up on). */
    abstract long waiting() throws Exception;

    /** Deletes this test's stream or queue. */
    abstract void deleteTopology() throws Exception;

    /** Name of the broker as the dead-letter records name it. */
    abstract String brokerName();

    @BeforeEach
    void prepare() {
        assumeBrokerRunning();
        id = UUID.randomUUID().toString().substring(0, 8);
        for (String bucket : List.of(IN, OUT, DEAD, "state")) {
            S3.createBucket(bucket);
            emptyBucket(bucket);
        }
    }

    @AfterEach
    void stopWorkers() throws Exception {
        for (Worker worker : workers) {
            worker.process.destroyForcibly();
            worker.process.waitFor(10, TimeUnit.SECONDS);
        }
        deleteTopology();
    }

    @Test
    void workerKilledMidWayLosesNothingAndOnlyThePlantedPoisonIsDeadLettered() throws Exception {
        Map<String, byte[]> inputs = upload("work/", 30);
        Set<String> poison = upload("poison/", 2).keySet();
        Path config = writeConfig(400);
        Worker doomed = startWorker(config, Duration.ofSeconds(3));
        Worker survivor = startWorker(config, Duration.ofSeconds(3));
        awaitReady(doomed, survivor);

        for (String key : inputs.keySet()) {
            publish(minioEvent(key, inputs.get(key).length));
        }
        for (String key : poison) {
            publish(minioEvent(key, 10));
        }
        publish(GARBAGE.getBytes(StandardCharsets.UTF_8));

        // Kill -9 while it holds messages it has not finished.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> doomed.unsettled() > 0 && outputs().size() >= 2);
        doomed.process.destroyForcibly();
        assertThat(doomed.process.waitFor(10, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> outputs().size() == inputs.size());
        assertOutputsMatch(inputs);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterSubjects())
                .containsExactlyInAnyOrderElementsOf(union(poison, Set.of("garbage"))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(waiting()).as("messages left in the broker").isZero();
            assertThat(survivor.unsettled()).as("messages the worker holds").isZero();
        });

        survivor.process.destroy(); // SIGTERM: an idle worker stops at once
        assertThat(survivor.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(survivor.log()).contains("Worker ready");
    }

    @Test
    void sigtermDuringWorkFinishesOrHandsBackWhatIsInFlight() throws Exception {
        Map<String, byte[]> inputs = upload("work/", 12);
        Path config = writeConfig(700);
        // An ack wait longer than the test: a message the stopped worker neither finished nor handed back
        // would not come back in time, and the test would fail.
        Duration longAckWait = Duration.ofSeconds(120);
        Worker stopping = startWorker(config, longAckWait);
        awaitReady(stopping);
        for (String key : inputs.keySet()) {
            publish(minioEvent(key, inputs.get(key).length));
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> stopping.unsettled() > 0 && !outputs().isEmpty());

        stopping.process.destroy(); // SIGTERM
        assertThat(stopping.process.waitFor(40, TimeUnit.SECONDS)).as("worker exits after SIGTERM").isTrue();
        int doneByFirst = outputs().size();
        assertThat(doneByFirst).isGreaterThan(0);

        Worker next = startWorker(config, longAckWait);
        awaitReady(next);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> outputs().size() == inputs.size());
        assertOutputsMatch(inputs);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(waiting()).as("messages left in the broker").isZero();
            assertThat(next.unsettled()).as("messages the worker holds").isZero();
        });
        assertThat(S3.store().list(DEAD, "").toList()).isEmpty();
    }

    // ---- helpers

    Map<String, byte[]> upload(String prefix, int count) {
        Random random = new Random(prefix.hashCode());
        Map<String, byte[]> objects = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] content = new byte[1_000 + random.nextInt(40_000)];
            random.nextBytes(content);
            String key = prefix + id + "/object " + i + ".bin";
            S3.store().put(IN, key, content, "application/octet-stream", Map.of());
            objects.put(key, content);
        }
        return objects;
    }

    /** A notification exactly as MinIO sends it (a recorded one), naming another object. */
    static byte[] minioEvent(String key, long size) {
        return MinioEvents.created(IN, key, size);
    }

    Path writeConfig(int sleepMillis) throws IOException {
        StoreSettings store = S3.settings();
        String yaml = """
                store:
                  endpoint: "%s"
                  region: us-east-1
                  accessKey: "%s"
                  secretKey: "%s"
                  pathStyle: true
                deadLetters: %s
                stateBucket: state
                functions:
                  test-copy: { concurrency: 2, queue: 2, retries: 0 }
                  test-flaky: { concurrency: 1, retries: 0 }
                pipelines:
                  - name: copy
                    match: { bucket: %s, prefix: work/ }
                    steps:
                      - function: test-copy
                        params: { sleep-ms: "%d" }
                        output: s3://%s/{dir}/{name}{suffix}.{ext}
                  - name: poison
                    match: { bucket: %s, prefix: poison/ }
                    steps:
                      - function: test-flaky
                        output: s3://%s/{dir}/{name}{suffix}.{ext}
                """.formatted(store.endpoint(), store.accessKey(), store.secretKey(), DEAD, IN, sleepMillis, OUT,
                IN, OUT);
        return Files.writeString(dir.resolve("worker-" + id + ".yaml"), yaml);
    }

    Worker startWorker(Path config, Duration ackWait) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "dev.sluice.cli.Main", "worker", "--config", config.toString(),
                "--metrics-host", "127.0.0.1", "--metrics-port", String.valueOf(port),
                "--prefetch", "4", "--max-deliver", "3", "--redelivery-delay", "200ms", "--shutdown-grace", "20s"));
        command.addAll(brokerOptions(ackWait));
        // Under target/, not the temporary folder, so the log is still there to read when a test failed.
        Path logs = Files.createDirectories(Path.of("target", "worker-logs"));
        Path log = logs.resolve(getClass().getSimpleName() + "-" + id + "-worker-" + (workers.size() + 1) + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Worker worker = new Worker(process, port, log);
        workers.add(worker);
        return worker;
    }

    void awaitReady(Worker... starting) {
        for (Worker worker : starting) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!worker.process.isAlive()) {
                    throw new AssertionError("worker exited with " + worker.process.exitValue() + ":\n" + worker.log());
                }
                return worker.status("/readyz") == 200;
            });
            assertThat(worker.status("/healthz")).isEqualTo(200);
        }
    }

    /** Output keys in the out bucket. */
    Set<String> outputs() {
        try (Stream<ObjectInfo> objects = S3.store().list(OUT, "")) {
            return new HashSet<>(objects.map(ObjectInfo::key).toList());
        }
    }

    void assertOutputsMatch(Map<String, byte[]> inputs) throws IOException {
        ObjectStore store = S3.store();
        for (Map.Entry<String, byte[]> input : inputs.entrySet()) {
            String output = input.getKey().replace(".bin", "-copy.bin");
            try (InputStream in = store.get(OUT, output)) {
                assertThat(in.readAllBytes()).as("content of %s", output).isEqualTo(input.getValue());
            }
        }
        assertThat(outputs()).hasSize(inputs.size());
    }

    /**
     * What each dead-letter record is about: the key of the object for a failed step, {@code garbage} for the
     * broker message that was not an event. Duplicates (a record written twice around a kill) collapse.
     */
    Set<String> deadLetterSubjects() throws IOException {
        Set<String> subjects = new HashSet<>();
        List<ObjectInfo> records;
        try (Stream<ObjectInfo> objects = S3.store().list(DEAD, "")) {
            records = objects.toList();
        }
        for (ObjectInfo record : records) {
            JsonNode json;
            try (InputStream in = S3.store().get(DEAD, record.key())) {
                json = JSON.readTree(in);
            }
            if ("broker".equals(json.path("source").asText())) {
                assertThat(json.path("broker").asText()).isEqualTo(brokerName());
                assertThat(json.path("body").asText()).isEqualTo(GARBAGE);
                assertThat(json.path("reason").asText()).contains("not an S3 event notification");
                subjects.add("garbage");
            } else {
                assertThat(json.path("function").asText()).isEqualTo("test-flaky");
                subjects.add(json.path("event").path("key").asText());
            }
        }
        return subjects;
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    void emptyBucket(String bucket) {
        try (Stream<ObjectInfo> objects = S3.store().list(bucket, "")) {
            objects.toList().forEach(o -> S3.store().delete(bucket, o.key()));
        }
    }

    /** A worker process with its metrics port and log. */
    final class Worker {
        final Process process;
        final int port;
        final Path log;

        Worker(Process process, int port, Path log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        int status(String path) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1; // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** Messages the worker holds un-settled, from its Prometheus metrics; 0 when it cannot be asked. */
        double unsettled() {
            try {
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = UNSETTLED.matcher(metrics);
                return m.find() ? Double.parseDouble(m.group(1)) : 0;
            } catch (IOException e) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        void printLog() {
            String text = log();
            List<String> lines = text.lines().toList();
            System.out.println("---- " + log.getFileName() + " (last 60 lines)");
            lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
        }
    }
}
