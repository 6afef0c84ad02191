package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample custom function (samples/custom-function), loaded from a plugins folder, runs in a pipeline. */
class SampleCustomFunctionTest {

    static Path sampleJar() throws Exception {
        Path target = Path.of("../samples/custom-function/target");
        if (!Files.isDirectory(target)) {
            return null;
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("sluice-sample-word-count-.*\\.jar"))
                    .filter(f -> !f.getFileName().toString().contains("-tests")).findFirst().orElse(null);
        }
    }

    @Test
    void pluginFromThePluginsFolderRunsInAPipeline(@TempDir Path dir) throws Exception {
        Path jar = sampleJar();
        Assumptions.assumeTrue(jar != null, "samples/custom-function is not built; the root build builds it before cli");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        SluiceConfig config = new ConfigLoader(k -> null).parse("""
                plugins: plugins
                embedded: { port: 0, dataDir: s3, buckets: [texts, text-stats] }
                pipelines:
                  - name: word-count
                    match: { bucket: texts, suffix: [.txt] }
                    steps:
                      - function: word-count
                        output: s3://text-stats/{dir}/{name}{suffix}.{ext}
                """, dir);
        try (FunctionRegistry functions = Functions.load(config.pluginsDir());
             SluiceServer server = SluiceServer.start(config, functions, new SimpleMeterRegistry(), "k", "plugin-secret")) {
            server.store().put("texts", "notes/a.txt", "one two two".getBytes(StandardCharsets.UTF_8), "text/plain",
                    Map.of());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> server.store().head("text-stats", "notes/a-words.json"), Optional::isPresent);
            try (InputStream in = server.store().get("text-stats", "notes/a-words.json")) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("\"words\" : 3");
            }
        }
    }
}
