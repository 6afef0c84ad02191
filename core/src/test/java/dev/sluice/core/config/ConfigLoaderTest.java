package dev.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import dev.sluice.core.event.EventType;
import dev.sluice.core.pipeline.FunctionSettings;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    static final Path BASE = Path.of("/srv/sluice");
    static final Map<String, String> ENV = Map.of(
            "MINIO_ACCESS_KEY", "minio-admin",
            "MINIO_SECRET_KEY", "s3cr3t/with+odd=chars",
            "WEBHOOK_TOKEN", "tok-123");

    static String resource(String name) {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/config/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SluiceConfig parse(String yaml) {
        return new ConfigLoader(ENV::get).parse(yaml, BASE);
    }

    static String minimalPipeline(String stepYaml) {
        return """
                pipelines:
                  - name: p
                    match: { bucket: uploads }
                    steps:
                """ + stepYaml.indent(6);
    }

    @Nested
    class FullConfig {
        final SluiceConfig config = parse(resource("full.yaml"));

        @Test
        void store() {
            assertThat(config.usesEmbeddedServer()).isFalse();
            StoreSettings store = config.store();
            assertThat(store.endpoint()).isEqualTo("http://127.0.0.1:9000");
            assertThat(store.region()).isEqualTo("eu-central-1");
            assertThat(store.accessKey()).isEqualTo("minio-admin");
            assertThat(store.secretKey()).isEqualTo("s3cr3t/with+odd=chars");
            assertThat(store.pathStyle()).isTrue();
            assertThat(store.toString()).doesNotContain("s3cr3t");
        }

        @Test
        void embeddedWebhookAndPoll() {
            assertThat(config.embedded()).isEqualTo(new EmbeddedSettings("0.0.0.0", 9100,
                    BASE.resolve("data/s3"), List.of("uploads", "thumbnails", "text")));
            assertThat(config.webhook()).isEqualTo(new WebhookSettings("0.0.0.0", 8081, "/minio/events", "tok-123"));
            assertThat(config.webhook().toString()).doesNotContain("tok-123");
            assertThat(config.poll()).isEqualTo(new PollSettings(List.of("scans", "archive"), "incoming/",
                    Duration.ofMillis(250), BASE.resolve("state/poll.json")));
        }

        @Test
        void topLevelSettings() {
            assertThat(config.deadLetterBucket()).isEqualTo("dead-letters");
            assertThat(config.stateBucket()).isEqualTo("sluice-manifests");
            assertThat(config.maxDepth()).isEqualTo(4);
            assertThat(config.pluginsDir()).isEqualTo(BASE.resolve("plugins"));
        }

        @Test
        void functionSettingsFallBackToDefaults() {
            assertThat(config.defaults()).isEqualTo(new FunctionSettings(2, 64, Duration.ofSeconds(30), 2,
                    Duration.ofMillis(250), Map.of()));
            assertThat(config.settingsFor("thumbnail")).isEqualTo(new FunctionSettings(3, 64, Duration.ofMinutes(5), 2,
                    Duration.ofMillis(250), Map.of("max-pixels", "50000000")));
            assertThat(config.settingsFor("ocr")).isEqualTo(new FunctionSettings(2, 8, Duration.ofSeconds(30), 0,
                    Duration.ofSeconds(2), Map.of("languages", "eng,deu")));
            assertThat(config.settingsFor("pdf-render")).isSameAs(config.defaults());
        }

        @Test
        void pipelinesMatchAndSteps() {
            assertThat(config.pipelines()).extracting(Pipeline::name).containsExactly("images", "documents");
            Pipeline images = config.pipelines().get(0);
            assertThat(images.match().bucket()).isEqualTo("uploads");
            assertThat(images.match().prefix()).isEqualTo("photos/");
            assertThat(images.match().suffixes()).containsExactly(".jpg", ".JPEG", ".png");
            assertThat(images.match().contentTypes()).containsExactly("image/*");
            assertThat(images.match().events()).containsExactly(EventType.CREATED);
            assertThat(images.match().glob()).isNull();

            assertThat(images.steps()).extracting(Step::id).containsExactly("thumbnail", "ocr-small", "preview");
            Step thumbnail = images.steps().get(0);
            assertThat(thumbnail.function()).isEqualTo("thumbnail");
            assertThat(thumbnail.params()).isEqualTo(Map.of("width", "256,1024", "format", "jpeg", "quality", "0.85"));
            assertThat(thumbnail.output().bucket()).isEqualTo("thumbnails");
            assertThat(thumbnail.output().keyTemplate()).isEqualTo("{dir}/{name}-{width}.{ext}");
            assertThat(thumbnail.then()).extracting(Step::id).containsExactly("ocr-small");
            assertThat(thumbnail.then().get(0).function()).isEqualTo("ocr");
            assertThat(images.steps().get(2).params()).isEqualTo(Map.of("width", "64"));
        }

        @Test
        void nestedThenChains() {
            Pipeline documents = config.pipelines().get(1);
            assertThat(documents.match().glob()).isEqualTo("docs/**/*.{pdf,tif}");
            assertThat(documents.match().events()).containsExactlyInAnyOrder(EventType.CREATED, EventType.REMOVED);
            Step pages = documents.steps().get(0);
            Step pageOcr = pages.then().get(0);
            Step pageThumb = pageOcr.then().get(0);
            assertThat(List.of(pages.id(), pageOcr.id(), pageThumb.id()))
                    .containsExactly("pages", "page-ocr", "page-thumb");
            assertThat(pageThumb.params()).containsEntry("width", "128,256");
            assertThat(pageThumb.then()).isEmpty();
        }

        @Test
        void loadNamesTheFileInErrorsAndResolvesPathsAgainstIt(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("sluice.yaml"), "embedded:\n  dataDir: ../data\n");
            assertThat(new ConfigLoader(ENV::get).load(file).embedded().dataDir())
                    .isEqualTo(dir.toAbsolutePath().getParent().resolve("data"));

            Path bad = Files.writeString(dir.resolve("bad.yaml"), "pipeline: []\n");
            assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(bad))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(bad.toString())
                    .hasMessageContaining("unknown setting 'pipeline'");

            assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(dir.resolve("missing.yaml")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("Cannot read config file");
        }
    }

    @Nested
    class Defaults {
        @ParameterizedTest
        @ValueSource(strings = {"", "# only a comment\n", "---\n", "pipelines: []\n"})
        void emptyConfigRunsTheEmbeddedServerWithNoPipelines(String yaml) {
            SluiceConfig config = parse(yaml);

            assertThat(config.usesEmbeddedServer()).isTrue();
            assertThat(config.embedded()).isEqualTo(new EmbeddedSettings("127.0.0.1", 9000, BASE.resolve("sluice-data"),
                    List.of()));
            assertThat(config.webhook()).isNull();
            assertThat(config.poll()).isNull();
            assertThat(config.deadLetterBucket()).isEqualTo(SluiceConfig.DEFAULT_DEAD_LETTER_BUCKET);
            assertThat(config.stateBucket()).isEqualTo(SluiceConfig.DEFAULT_STATE_BUCKET);
            assertThat(config.maxDepth()).isEqualTo(8);
            assertThat(config.defaults()).isEqualTo(FunctionSettings.DEFAULTS);
            assertThat(config.pipelines()).isEmpty();
            assertThat(config.pluginsDir()).isNull();
        }

        @Test
        void stepIdDefaultsToTheFunctionAndOutputToTheDefaultTemplate() {
            SluiceConfig config = parse(minimalPipeline("- function: thumbnail\n  output: s3://thumbnails\n"));
            Step step = config.pipelines().get(0).steps().get(0);

            assertThat(step.id()).isEqualTo("thumbnail");
            assertThat(step.output().keyTemplate()).isEqualTo("{dir}/{name}{suffix}.{ext}");
            assertThat(step.params()).isEmpty();
        }

        @Test
        void storeDefaults() {
            StoreSettings store = parse("store:\n  endpoint: http://minio:9000\n").store();
            assertThat(store.region()).isEqualTo("us-east-1");
            assertThat(store.pathStyle()).isTrue();
            assertThat(parse("store:\n  pathStyle: false\n").store().pathStyle()).isFalse();
        }
    }

    @Nested
    class Scalars {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"0123", "0x1F", "1e3", "yes", "no", "on", "off", "12_345", "0.50", "+7", ".inf",
                "007", "1_000"})
        void valuesKeepTheTextAsWritten(String value) {
            SluiceConfig config = parse("webhook:\n  token: " + value + "\nstore:\n  secretKey: " + value
                    + "\n" + minimalPipeline(
                    "- function: f\n  params: { p: " + value + " }\n  output: s3://out/x/{name}\n"));
            assertThat(config.webhook().token()).isEqualTo(value);
            assertThat(config.store().secretKey()).isEqualTo(value);
            assertThat(config.pipelines().get(0).steps().get(0).params()).containsEntry("p", value);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"0123", "0x1F", "1e3", "yes", "12_345", "007"})
        void environmentValuesKeepTheirText(String value) {
            SluiceConfig config = new ConfigLoader(Map.of("TOKEN", value)::get).parse("webhook:\n  token: ${TOKEN}\n", BASE);
            assertThat(config.webhook().token()).isEqualTo(value);
        }

        @Test
        void prefixesAndBucketsThatLookLikeNumbersStayText() {
            SluiceConfig config = parse("""
                    pipelines:
                      - name: 2024
                        match: { bucket: 0123, prefix: 010 }
                        steps:
                          - function: f
                            output: s3://out/{name}
                    """);
            assertThat(config.pipelines().get(0).name()).isEqualTo("2024");
            assertThat(config.pipelines().get(0).match().bucket()).isEqualTo("0123");
            assertThat(config.pipelines().get(0).match().prefix()).isEqualTo("010");
        }

        @Test
        void nullAndTildeMeanUnset() {
            SluiceConfig config = parse("webhook:\n  token: ~\n  path: null\nplugins: ~\n");
            assertThat(config.webhook().token()).isNull();
            assertThat(config.webhook().path()).isEqualTo("/events");
            assertThat(config.pluginsDir()).isNull();
        }

        @Test
        void quotedValuesAreTakenAsWritten() {
            SluiceConfig config = parse("webhook:\n  token: \"0123\"\n  port: '8082'\n");
            assertThat(config.webhook().token()).isEqualTo("0123");
            assertThat(config.webhook().port()).isEqualTo(8082);
        }

        @Test
        void isolationAndHeapAreInheritedFromDefaultsAndChecked() {
            SluiceConfig config = parse("""
                    defaults: { heap: 768m }
                    functions:
                      ocr: { isolation: process }
                      thumbnail: { isolation: in-process, heap: 2g }
                    """);
            assertThat(config.settingsFor("ocr").isolation()).isEqualTo(FunctionSettings.Isolation.PROCESS);
            assertThat(config.settingsFor("ocr").heap()).isEqualTo("768m");
            assertThat(config.settingsFor("thumbnail").isolation()).isEqualTo(FunctionSettings.Isolation.IN_PROCESS);
            assertThat(config.settingsFor("thumbnail").heap()).isEqualTo("2g");
            assertThat(config.settingsFor("pdf-text").isolation()).isEqualTo(FunctionSettings.Isolation.IN_PROCESS);

            assertThatThrownBy(() -> parse("functions:\n  ocr: { isolation: container }\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("functions.ocr.isolation")
                    .hasMessageContaining("in-process").hasMessageContaining("process");
            assertThatThrownBy(() -> parse("functions:\n  ocr: { heap: lots }\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("functions.ocr.heap")
                    .hasMessageContaining("512m");
        }

        @Test
        void aWarmMinimumNeedsProcessIsolationAndFitsTheConcurrency() {
            SluiceConfig config = parse("""
                    functions:
                      ocr: { isolation: process, concurrency: 2, warm: 1 }
                    """);
            assertThat(config.settingsFor("ocr").warm()).isEqualTo(1);
            assertThat(config.settingsFor("thumbnail").warm()).isZero();

            assertThatThrownBy(() -> parse("functions:\n  ocr: { warm: 1 }\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("functions.ocr.warm")
                    .hasMessageContaining("isolation: process");
            assertThatThrownBy(() -> parse("functions:\n  ocr: { isolation: process, concurrency: 2, warm: 3 }\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("functions.ocr.warm")
                    .hasMessageContaining("up to the concurrency, 2");
            assertThatThrownBy(() -> parse("functions:\n  ocr: { isolation: process, warm: -1 }\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("functions.ocr.warm");
        }

        @Test
        void duplicateKeysAreAnError() {
            assertThatThrownBy(() -> parse("maxDepth: 3\nmaxDepth: 4\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("maxDepth");
            assertThatThrownBy(() -> parse("webhook:\n  port: 1\n  port: 2\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("port");
        }
    }

    @Nested
    class Environment {
        @Test
        void variablesAndDefaults() {
            ConfigLoader loader = new ConfigLoader(Map.of("PORT", "9999", "EMPTY", "")::get);

            assertThat(loader.interpolate("a ${PORT} b")).isEqualTo("a 9999 b");
            assertThat(loader.interpolate("${MISSING:-fallback}")).isEqualTo("fallback");
            assertThat(loader.interpolate("${PORT:-1}")).isEqualTo("9999");
            assertThat(loader.interpolate("${MISSING:-}")).isEmpty();
            assertThat(loader.interpolate("${EMPTY:-default}")).as("set but empty is still set").isEmpty();
            assertThat(loader.interpolate("${MISSING:-http://h:9000/p}")).isEqualTo("http://h:9000/p");
            assertThat(loader.interpolate("$PORT ${ PORT} ${1BAD} $${X:-y}")).isEqualTo("$PORT ${ PORT} ${1BAD} $y");
        }

        @Test
        void valuesWithRegexSpecialCharactersAreInsertedLiterally() {
            ConfigLoader loader = new ConfigLoader(Map.of("SECRET", "a$1\\b$")::get);
            assertThat(loader.interpolate("s: ${SECRET}")).isEqualTo("s: a$1\\b$");
        }

        @Test
        void valuesAreNotInterpolatedTwice() {
            ConfigLoader loader = new ConfigLoader(Map.of("A", "${B}", "B", "nope")::get);
            assertThat(loader.interpolate("${A}")).isEqualTo("${B}");
        }

        @Test
        void unsetVariableWithoutDefaultIsAnErrorThatSaysWhatToDo() {
            assertThatThrownBy(() -> new ConfigLoader(name -> null).parse("webhook:\n  token: ${SLUICE_TOKEN}\n", BASE))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("${SLUICE_TOKEN}")
                    .hasMessageContaining("${SLUICE_TOKEN:-default}");
        }

        @Test
        void interpolatedNumbersWork() {
            SluiceConfig config = new ConfigLoader(Map.of("PORT", "9443", "DEPTH", "3")::get)
                    .parse("embedded:\n  port: ${PORT}\nmaxDepth: ${DEPTH:-8}\nwebhook:\n  port: ${WH_PORT:-8088}\n", BASE);
            assertThat(config.embedded().port()).isEqualTo(9443);
            assertThat(config.maxDepth()).isEqualTo(3);
            assertThat(config.webhook().port()).isEqualTo(8088);
        }

        @Test
        void interpolationInsideFlowLists() {
            SluiceConfig config = new ConfigLoader(Map.of("IN", "uploads")::get)
                    .parse("embedded:\n  buckets: [${IN}, ${OUT:-thumbnails}]\n", BASE);
            assertThat(config.embedded().buckets()).containsExactly("uploads", "thumbnails");
        }
    }

    @Nested
    class Errors {
        @Test
        void unknownTopLevelKeyListsTheAllowedOnes() {
            assertThatThrownBy(() -> parse("pipeline:\n  - name: x\n"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("unknown setting 'pipeline'")
                    .hasMessageContaining("pipelines")
                    .hasMessageContaining("webhook");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "'store:\n  endpont: x\n'                                    | store: unknown setting 'endpont'",
                "'embedded:\n  prot: 1\n'                                    | embedded: unknown setting 'prot'",
                "'webhook:\n  secret: x\n'                                   | webhook: unknown setting 'secret'",
                "'poll:\n  buckets: [a]\n  every: 5s\n'                      | poll: unknown setting 'every'",
                "'defaults:\n  timeuot: 5s\n'                                | defaults: unknown setting 'timeuot'",
                "'functions:\n  thumbnail:\n    parallel: 2\n'               | functions.thumbnail: unknown setting 'parallel'",
        })
        void unknownKeysInSectionsNameTheSection(String yaml, String message) {
            assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
        }

        @Test
        void unknownKeyInAStepNamesTheStep() {
            assertThatThrownBy(() -> parse(minimalPipeline("- function: f\n  output: s3://out\n  parms: {}\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[0]: unknown setting 'parms'")
                    .hasMessageContaining("params");
        }

        @Test
        void unknownKeyInANestedStepNamesItsPath() {
            assertThatThrownBy(() -> parse(minimalPipeline(
                    "- function: f\n  output: s3://out\n  then:\n    - function: g\n      output: s3://out\n      outptu: x\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[0].then[0]: unknown setting 'outptu'");
        }

        @Test
        void unknownKeyInMatchAndPipeline() {
            assertThatThrownBy(() -> parse("pipelines:\n  - name: p\n    match: { bucket: b, suffixes: [.jpg] }\n"
                    + "    steps: [{ function: f, output: s3://out }]\n"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].match: unknown setting 'suffixes'");
            assertThatThrownBy(() -> parse("pipelines:\n  - name: p\n    matches: { bucket: b }\n"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0]: unknown setting 'matches'");
        }

        @Test
        void missingOutput() {
            assertThatThrownBy(() -> parse(minimalPipeline("- function: thumbnail\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[0] (thumbnail)")
                    .hasMessageContaining("needs an 'output'")
                    .hasMessageContaining("s3://");
        }

        @Test
        void missingFunction() {
            assertThatThrownBy(() -> parse(minimalPipeline("- output: s3://out\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[0]")
                    .hasMessageContaining("needs a 'function'");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "thumbnails/{name}.jpg                   | must look like s3://bucket/",
                "s3://Thumbnails/{name}                  | not a valid bucket name",
                "s3://thumbnails/{name                   | unbalanced",
                "s3://thumbnails/../{name}               | '..'",
        })
        void badOutputNamesTheStepsOutput(String output, String message) {
            assertThatThrownBy(() -> parse(minimalPipeline("- function: f\n  output: \"" + output + "\"\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[0].output:")
                    .hasMessageContaining(message);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "'functions:\n  ocr:\n    timeout: 5 minutes\n'     | functions.ocr.timeout: '5 minutes' is not a duration",
                "'defaults:\n  backoff: fast\n'                     | defaults.backoff: 'fast' is not a duration",
                "'poll:\n  buckets: [a]\n  interval: 1.5s\n'        | poll.interval: '1.5s' is not a duration",
                "'functions:\n  ocr:\n    timeout: 99999999999999999999s\n' | functions.ocr.timeout",
                "'functions:\n  ocr:\n    timeout: 9999999999999999h\n'     | functions.ocr.timeout",
                "'defaults:\n  backoff: PT-1S\n'                    | defaults.backoff",
                "'poll:\n  buckets: [a]\n  interval: 0s\n'          | poll.interval",
        })
        void badDurationsNameTheSetting(String yaml, String message) {
            assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "'functions:\n  ocr:\n    concurrency: two\n'   | functions.ocr.concurrency: 'two' is not a whole number",
                "'functions:\n  ocr:\n    concurrency: 2.5\n'   | functions.ocr.concurrency: '2.5' is not a whole number",
                "'functions:\n  ocr:\n    queue: [1]\n'         | functions.ocr.queue",
                "'defaults:\n  retries: 1e2\n'                 | defaults.retries: '1e2' is not a whole number",
                "'embedded:\n  port: 90o0\n'                   | embedded.port: '90o0' is not a whole number",
                "'webhook:\n  port: 99999999999\n'             | webhook.port",
                "'maxDepth: deep\n'                            | maxDepth: 'deep' is not a whole number",
        })
        void nonIntegersNameTheSetting(String yaml, String message) {
            assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"functions:\n  ocr:\n    concurrency: 0\n", "functions:\n  ocr:\n    queue: -1\n",
                "defaults:\n  retries: -1\n", "defaults:\n  timeout: 0s\n"})
        void outOfRangeFunctionSettings(String yaml) {
            assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("concurrency must be at least 1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-1"})
        void maxDepthMustAllowAtLeastOneStep(String depth) {
            assertThatThrownBy(() -> parse("maxDepth: " + depth + "\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("maxDepth");
        }

        @Test
        void duplicatePipelineNames() {
            String pipeline = "  - name: images\n    match: { bucket: b }\n    steps: [{ function: f, output: s3://out }]\n";
            assertThatThrownBy(() -> parse("pipelines:\n" + pipeline + pipeline))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[1]")
                    .hasMessageContaining("'images' already exists");
        }

        @Test
        void duplicateStepIds() {
            assertThatThrownBy(() -> parse(minimalPipeline(
                    "- function: thumbnail\n  output: s3://out\n- function: thumbnail\n  output: s3://out2\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[1]")
                    .hasMessageContaining("step id 'thumbnail' is used twice")
                    .hasMessageContaining("give one of them an 'id'");
        }

        @Test
        void duplicateStepIdInAThenChain() {
            assertThatThrownBy(() -> parse(minimalPipeline(
                    "- id: a\n  function: f\n  output: s3://out\n  then:\n    - id: a\n      function: g\n      output: s3://out\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[0].then[0]")
                    .hasMessageContaining("step id 'a' is used twice");
        }

        @Test
        void sameStepIdInDifferentPipelinesIsFine() {
            String pipeline = "  - name: %s\n    match: { bucket: b }\n    steps: [{ function: f, output: s3://out }]\n";
            assertThat(parse("pipelines:\n" + pipeline.formatted("one") + pipeline.formatted("two")).pipelines())
                    .hasSize(2);
        }

        @Test
        void thenReferringToAnUnknownStep() {
            assertThatThrownBy(() -> parse(minimalPipeline(
                    "- id: a\n  function: f\n  output: s3://out\n  then: [ocr]\n- id: b\n  function: g\n  output: s3://out\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[0].then[0]")
                    .hasMessageContaining("'ocr'")
                    .hasMessageContaining("Known steps: a, b");
        }

        @Test
        void cycleThroughThenReferences() {
            assertThatThrownBy(() -> parse(minimalPipeline(
                    "- id: a\n  function: f\n  output: s3://out\n  then: [b]\n"
                            + "- id: b\n  function: g\n  output: s3://out\n  then: [c]\n"
                            + "- id: c\n  function: h\n  output: s3://out\n  then: [a]\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("cycle")
                    .hasMessageContaining("a -> b -> c -> a");
        }

        @Test
        void stepFeedingItself() {
            assertThatThrownBy(() -> parse(minimalPipeline("- id: a\n  function: f\n  output: s3://out\n  then: [a]\n")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("cycle").hasMessageContaining("a -> a");
        }

        @Test
        void cycleBackIntoAnInlineStep() {
            assertThatThrownBy(() -> parse(minimalPipeline(
                    "- id: a\n  function: f\n  output: s3://out\n  then:\n"
                            + "    - id: b\n      function: g\n      output: s3://out\n      then: [a]\n")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("cycle");
        }

        @Test
        void diamondIsNotACycle() {
            SluiceConfig config = parse(minimalPipeline(
                    "- id: a\n  function: f\n  output: s3://out\n  then: [b, c]\n"
                            + "- id: b\n  function: g\n  output: s3://out\n  then: [d]\n"
                            + "- id: c\n  function: g2\n  output: s3://out\n  then: [d]\n"
                            + "- id: d\n  function: h\n  output: s3://out\n"));
            Step a = config.pipelines().get(0).steps().get(0);
            assertThat(a.then()).extracting(Step::id).containsExactly("b", "c");
            assertThat(a.then().get(0).then()).extracting(Step::id).containsExactly("d");
            assertThat(a.then().get(1).then()).extracting(Step::id).containsExactly("d");
        }

        @Test
        void pipelineShapeErrors() {
            assertThatThrownBy(() -> parse("pipelines:\n  name: p\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("'pipelines' must be a list");
            assertThatThrownBy(() -> parse("pipelines:\n  - match: { bucket: b }\n    steps: [{ function: f, output: s3://out }]\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0]: every pipeline needs a 'name'");
            assertThatThrownBy(() -> parse("pipelines:\n  - name: p\n    match: { bucket: b }\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("'steps' must list at least one step");
            assertThatThrownBy(() -> parse("pipelines:\n  - name: p\n    match: { bucket: b }\n    steps: []\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("'steps' must list at least one step");
            assertThatThrownBy(() -> parse("pipelines:\n  - name: p\n    steps: [{ function: f, output: s3://out }]\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0].match");
            assertThatThrownBy(() -> parse("pipelines:\n  - name: p\n    match: { bucket: b }\n    steps: [42]\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0].steps[0]");
            assertThatThrownBy(() -> parse("pipelines:\n  - just a string\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0]");
        }

        @Test
        void badEventTypeNamesTheSetting() {
            assertThatThrownBy(() -> parse("pipelines:\n  - name: p\n    match: { bucket: b, events: [created, updated] }\n"
                    + "    steps: [{ function: f, output: s3://o11 }]\n"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].match.events: 'updated' is not an event type");
        }

        @Test
        void paramsMustBeAMapping() {
            assertThatThrownBy(() -> parse(minimalPipeline("- function: f\n  output: s3://out\n  params: [a, b]\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[0].steps[0].params must be a mapping");
        }

        @Test
        void pollNeedsABucket() {
            assertThatThrownBy(() -> parse("poll:\n  interval: 5s\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("poll.buckets");
        }

        @Test
        void notAMapping() {
            assertThatThrownBy(() -> parse("- a\n- b\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("must be a YAML mapping");
            assertThatThrownBy(() -> parse("just text\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("must be a YAML mapping");
            assertThatThrownBy(() -> parse("store: [a]\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("store must be a mapping");
        }

        @Test
        void invalidYamlNamesTheLine() {
            assertThatThrownBy(() -> parse("webhook:\n  port: 1\n bad: [\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("Invalid YAML at line");
        }
    }

    @Test
    void theSampleConfigLoads() throws IOException {
        Path sample = Path.of(System.getProperty("user.dir")).resolve("../samples/thumbnails.yaml").normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(sample), "samples/thumbnails.yaml not found");
        SluiceConfig config = new ConfigLoader(name -> null).load(sample);
        assertThat(config.pipelines()).extracting(Pipeline::name).containsExactly("thumbnails");
        assertThat(config.pipelines().get(0).steps().get(0).params()).containsEntry("width", "256,1024");
        assertThat(config.settingsFor("thumbnail").timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(Set.copyOf(config.embedded().buckets())).contains("uploads", "thumbnails");
    }
}
