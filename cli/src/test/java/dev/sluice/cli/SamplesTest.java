package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every sample pipeline in samples/ loads and names only functions and parameters that exist. */
class SamplesTest {

    @Test
    void everySampleConfigIsValid() throws Exception {
        List<Path> samples;
        try (Stream<Path> files = Files.list(Path.of("../samples"))) {
            samples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(samples).extracting(p -> p.getFileName().toString())
                .contains("thumbnails.yaml", "photos.yaml", "pdf-documents.yaml", "ocr-scans.yaml", "media-videos.yaml");
        for (Path sample : samples) {
            SluiceConfig config = new ConfigLoader(name -> "sample-value").load(sample);
            if (config.pluginsDir() != null && !Files.isDirectory(config.pluginsDir())) {
                continue; // word-count.yaml: its plugin is built by the samples module
            }
            try (FunctionRegistry functions = Functions.load(config.pluginsDir())) {
                assertThat(ConfigValidator.problems(config, functions)).as(sample.toString()).isEmpty();
            }
        }
    }
}
