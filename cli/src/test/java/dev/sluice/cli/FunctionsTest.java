package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.testfunctions.CopyFunction;
import dev.sluice.core.function.FunctionRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading functions ahead: what {@code sluice invoke} does while its command line is parsed. */
class FunctionsTest {

    @Test
    void functionsLoadedAheadAreTheOnesTheCommandGetsAndThoseNamedArePrepared() {
        Functions.loadAheadFor("invoke", "-p", "suffix=-x", "test-flaky|test-copy", "photo.jpg", "--out", "out");

        try (FunctionRegistry functions = Functions.load(null)) {
            CopyFunction copy = (CopyFunction) functions.get("test-copy");
            await().atMost(Duration.ofSeconds(10)).until(() -> CopyFunction.PREPARED.contains(copy));
        }
        // taken once: the next command line loads its own
        try (FunctionRegistry again = Functions.load(null)) {
            assertThat(CopyFunction.PREPARED).doesNotContain((CopyFunction) again.get("test-copy"));
        }
    }

    @Test
    void aPluginsFolderMeansLoadingAgainWithThePlugins(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.move(PluginsTest.buildPluginJar(dir, "shout", "shout"), plugins.resolve("shout.jar"));
        Functions.loadAheadFor("invoke", "shout", "in.txt");

        try (FunctionRegistry functions = Functions.load(plugins)) {
            assertThat(functions.contains("shout")).isTrue();
            assertThat(functions.contains("test-copy")).isTrue();
        }
    }

    @Test
    void argumentsThatNameNoFunctionPrepareNothingAndStillHandTheFunctionsOver() {
        int before = CopyFunction.PREPARED.size();
        Functions.loadAheadFor("invoke", "thumbnial", "test-cop", "a|b");

        try (FunctionRegistry functions = Functions.load(null)) {
            assertThat(functions.contains("test-copy")).isTrue();
        }
        assertThat(CopyFunction.PREPARED).hasSize(before);
    }
}
