package dev.sluice.samples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordCountFunctionTest {

    @Test
    void isFoundThroughTheServiceLoaderAndCountsWords(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("poem.txt"), "The sun, the sea.\nThe end!\n");
        try (FunctionRegistry functions = FunctionRegistry.loadDefault()) {
            var fn = functions.get("word-count");
            List<LocalInvoker.Result> results = LocalInvoker.invoke(fn, Parameters.of(fn, Map.of("top", "2")),
                    List.of(text), dir.resolve("out"), 1, Duration.ofSeconds(30), r -> { });
            assertThat(results.get(0).succeeded()).as(results.get(0).error()).isTrue();
        }
        JsonNode json = new ObjectMapper().readTree(dir.resolve("out/poem-words.json").toFile());
        assertThat(json.path("words").asInt()).isEqualTo(6);
        assertThat(json.path("lines").asInt()).isEqualTo(2);
        assertThat(json.path("top").path("the").asInt()).isEqualTo(3);
        assertThat(json.path("top").size()).isEqualTo(2);
    }
}
