package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.testfunctions.CopyFunction;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.exec.Outcome;
import dev.sluice.core.exec.SluiceMetadata;
import dev.sluice.core.exec.StepResult;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.functions.image.ThumbnailFunction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code isolation: process} on a real (embedded) S3 server: an isolated function's outputs are stored as an
 * in-process one's are, and an input that kills its child JVM is dead-lettered while the server, and the next
 * upload, carry on.
 */
class IsolationEndToEndTest {
    @TempDir
    static Path dataDir;
    static TestServer sluice;
    static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        String yaml = """
                embedded: { port: 0, dataDir: %s, buckets: [inbox, outbox] }
                functions:
                  test-copy: { isolation: process, heap: 128m, timeout: 60s, retries: 2 }
                  thumbnail: { isolation: process, heap: 256m, concurrency: 1, warm: 1 }
                pipelines:
                  - name: copy
                    match: { bucket: inbox, prefix: ok/ }
                    steps:
                      - { function: test-copy, params: { progress-steps: "2" }, output: "s3://outbox/{key}" }
                  - name: photos
                    match: { bucket: inbox, prefix: photos/ }
                    steps:
                      - { function: thumbnail, params: { width: "64" }, output: "s3://outbox/{dir}/{name}-{width}.{ext}" }
                  - name: crash
                    match: { bucket: inbox, prefix: crash/ }
                    steps:
                      - { function: test-copy, params: { halt: "134" }, output: "s3://outbox/{key}" }
                """.formatted(dataDir.resolve("s3"));
        SluiceConfig config = new ConfigLoader(k -> null).parse(yaml, dataDir);
        sluice = TestServer.start(config, METERS);
        // warm: 1 for thumbnail: its child JVM starts with the server, before any event
        await().atMost(Duration.ofSeconds(60)).until(() -> ProcessHandle.current().children()
                .anyMatch(child -> commandLine(child).contains(ThumbnailFunction.class.getName())));
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

    private static ObjectInfo put(String key, String content) {
        return store().put("inbox", key, content.getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());
    }

    private static StepResult run(ObjectInfo info) throws Exception {
        List<StepResult> results = sluice.server().executor()
                .submit(ObjectEvent.created("inbox", info.key(), info.size(), info.eTag(), "text/plain")).get();
        return results.get(0);
    }

    @Test
    void anIsolatedFunctionsOutputsAreStoredWithTheirSourceETag() throws Exception {
        ObjectInfo source = put("ok/a.txt", "isolated hello");

        StepResult result = run(source);

        assertThat(result.outcome()).isIn(Outcome.SUCCEEDED, Outcome.SKIPPED); // the upload's own event may win
        ObjectInfo output = store().head("outbox", "ok/a.txt").orElseThrow();
        assertThat(output.userMetadata()).containsEntry(SluiceMetadata.SOURCE_ETAG, source.eTag());
        try (InputStream in = store().get("outbox", "ok/a.txt")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("isolated hello");
        }
        // set up in its child JVMs only (a server prepares its functions on their lanes before their first event)
        assertThat(CopyFunction.PREPARED).doesNotContain((CopyFunction) sluice.functions().get("test-copy"));
    }

    @Test
    void aBuiltInFunctionRunsUnchangedInAChild() throws Exception {
        // Portrait_6: stored 1800 wide, shown 1200 wide (EXIF orientation 6), so the thumbnail is 64x96
        byte[] photo = Files.readAllBytes(ThumbnailEndToEndContract.CORPORA
                .resolve("exif-orientation/Portrait_6.jpg"));
        ObjectInfo source = store().put("inbox", "photos/portrait.jpg", photo, "image/jpeg", Map.of());

        assertThat(run(source).outcome()).isIn(Outcome.SUCCEEDED, Outcome.SKIPPED);

        try (InputStream in = store().get("outbox", "photos/portrait-64.jpg")) {
            BufferedImage thumbnail = ImageIO.read(in);
            assertThat(thumbnail.getWidth()).isEqualTo(64);
            assertThat(thumbnail.getHeight()).isEqualTo(96);
        }
    }

    @Test
    void aWarmMinimumStartsWithTheServerSoNoPhotoWaitsForAJvm() throws Exception {
        byte[] photo = Files.readAllBytes(ThumbnailEndToEndContract.CORPORA.resolve("exif-orientation/Landscape_1.jpg"));
        ObjectInfo source = store().put("inbox", "photos/warm.jpg", photo, "image/jpeg", Map.of());

        assertThat(run(source).outcome()).isIn(Outcome.SUCCEEDED, Outcome.SKIPPED);

        assertThat(METERS.find("sluice.invocation.duration").tag("function", "thumbnail").tag("start", "warm")
                .timer()).isNotNull();
        assertThat(METERS.find("sluice.invocation.duration").tag("function", "thumbnail").tag("start", "cold")
                .timer()).as("no thumbnail invocation waited for a JVM to start").isNull();
    }

    @Test
    void anInputThatKillsItsChildIsDeadLetteredOnceAndTheNextUploadRuns() throws Exception {
        ObjectInfo poison = put("crash/b.txt", "boom");
        run(poison);

        JsonNode letter = await().atMost(Duration.ofSeconds(60)).until(() -> deadLetterFor("crash/b.txt"),
                Objects::nonNull);
        assertThat(letter.path("error").path("message").asText()).contains("crashed its child JVM")
                .contains("exit code 134");
        assertThat(letter.path("attempts").asInt()).as("a crash is not retried").isEqualTo(1);
        assertThat(store().head("outbox", "crash/b.txt")).isEmpty();

        ObjectInfo next = put("ok/after-crash.txt", "still here");
        assertThat(run(next).outcome()).isIn(Outcome.SUCCEEDED, Outcome.SKIPPED);
        assertThat(store().head("outbox", "ok/after-crash.txt")).isPresent();
    }

    /** All of it: ProcessHandle.Info cuts a command line at 4096 characters, and the class path is longer. */
    private static String commandLine(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline"));
        } catch (IOException e) {
            return process.info().commandLine().orElse("");
        }
    }

    private static JsonNode deadLetterFor(String key) throws Exception {
        return DeadLetterRecords.forKey(store(), key).stream().findFirst().orElse(null);
    }
}
