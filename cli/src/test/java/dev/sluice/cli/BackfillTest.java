package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.exec.Backfill;
import dev.sluice.core.function.FunctionRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backfill over a real (embedded) S3 bucket: everything once, nothing twice, and resumable. */
class BackfillTest {
    @TempDir
    static Path dataDir;
    static SluiceServer server;
    static FunctionRegistry functions;
    static SluiceConfig config;

    @BeforeAll
    static void start() throws Exception {
        config = new ConfigLoader(k -> null).parse("""
                embedded: { port: 0, dataDir: %s, buckets: [archive, copies] }
                functions:
                  test-copy: { concurrency: 4 }
                pipelines:
                  - name: copies
                    match: { bucket: archive, prefix: docs/ }
                    steps:
                      - function: test-copy
                        output: s3://copies/{dir}/{name}{suffix}.{ext}
                """.formatted(dataDir.resolve("s3")), dataDir);
        functions = FunctionRegistry.loadDefault();
        server = SluiceServer.startForBatch(config, functions, new SimpleMeterRegistry(), "k", "backfill-secret");
        for (int i = 0; i < 200; i++) {
            server.store().put("archive", String.format("docs/%03d.txt", i),
                    ("document " + i).getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());
        }
        server.store().put("archive", "other/ignored.txt", new byte[] {1}, "text/plain", Map.of());
        for (int i = 0; i < 5; i++) {
            server.store().put("archive", "cli/" + i + ".txt", new byte[] {(byte) i}, "text/plain", Map.of());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        ThumbnailEndToEndContract.closeAll(server, functions);
    }

    private static Backfill backfill() {
        return new Backfill(server.executor(), server.store(), config.stateBucket(), "copies",
                new Backfill.Source("archive", "docs/"));
    }

    private static long copies() {
        try (var listing = server.store().list("copies", "docs/")) {
            return listing.count();
        }
    }

    @Test
    void interruptedBackfillResumesAndASecondBackfillFindsNothingToDo() throws Exception {
        backfill().restart();
        AtomicInteger checks = new AtomicInteger();
        Backfill.Progress first = backfill().run((p, done) -> { }, () -> checks.incrementAndGet() > 60);
        assertThat(first.listed()).isEqualTo(60);
        assertThat(first.processed()).isEqualTo(60);

        Backfill.Progress resumed = backfill().run((p, done) -> { }, () -> false);
        assertThat(resumed.listed()).isEqualTo(140); // started after the checkpoint, not from the first key
        assertThat(resumed.processed()).isEqualTo(140);
        assertThat(resumed.failed()).isZero();
        assertThat(copies()).isEqualTo(200);

        Backfill.Progress again = backfill().run((p, done) -> { }, () -> false);
        assertThat(again.listed()).isEqualTo(200);
        assertThat(again.processed()).isZero();
        assertThat(again.skipped()).isEqualTo(200);
    }

    @Test
    void commandLineBackfillPrintsASummary() {
        String configFile = dataDir.resolve("backfill.yaml").toString();
        // The command starts its own embedded server on the same data folder.
        try {
            java.nio.file.Files.writeString(Path.of(configFile), """
                    embedded: { port: 0, dataDir: %s }
                    functions:
                      test-copy: { concurrency: 2 }
                    pipelines:
                      - name: cli-copies
                        match: { bucket: archive, prefix: cli/ }
                        steps:
                          - function: test-copy
                            output: s3://copies/{dir}/{name}{suffix}.{ext}
                    """.formatted(dataDir.resolve("s3")));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        CommandLineTest.Run run = CommandLineTest.sluice("backfill", "--config", configFile, "--restart");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Done in").contains("5 processed, 0 skipped, 0 failed");
    }

    @Test
    void theProgressBarFillsWithTheShareDone() {
        Backfill.Progress half = new Backfill.Progress(100, 40, 10, 0, 0, 100, java.time.Duration.ofSeconds(10));
        assertThat(BackfillCommand.bar(half)).isEqualTo("[##########----------]  50%");
        assertThat(half.eta()).contains(java.time.Duration.ofSeconds(10));
        Backfill.Progress counting = new Backfill.Progress(5, 1, 0, 0, 0, -1, java.time.Duration.ofSeconds(1));
        assertThat(counting.eta()).isEmpty();
    }
}
