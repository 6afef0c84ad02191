package dev.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.testfunctions.ParamsFunction;
import dev.sluice.core.testfunctions.TestFunctions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {
    static final FunctionRegistry FUNCTIONS = TestFunctions.registry();

    static SluiceConfig config(String functionsYaml, String stepsYaml) {
        return new ConfigLoader(name -> null).parse(functionsYaml + """
                pipelines:
                  - name: images
                    match: { bucket: uploads }
                    steps:
                """ + stepsYaml.indent(6), Path.of("/tmp"));
    }

    @Test
    void goodConfigHasNoProblems() {
        SluiceConfig config = config("functions:\n  core-test-params:\n    params: { quality: 0.5 }\n", """
                - function: core-test-params
                  params: { width: "128,256", box: 640x480, format: PNG, pages: 3, strip: false, label: hi }
                  output: s3://out/{dir}/{name}-{width}.{ext}
                  then:
                    - function: core-test-copy
                      output: s3://out2/{key}
                """);

        assertThat(ConfigValidator.problems(config, FUNCTIONS)).isEmpty();
        ConfigValidator.validate(config, FUNCTIONS);
    }

    @Test
    void parametersForMergesFunctionDefaultsThenStepValues() {
        SluiceConfig config = config("functions:\n  core-test-params:\n    params: { quality: 0.5, pages: 7 }\n",
                "- function: core-test-params\n  params: { pages: 2 }\n  output: s3://out\n");

        Parameters parameters = ConfigValidator.parametersFor(config, FUNCTIONS.get(ParamsFunction.NAME),
                config.pipelines().get(0).steps().get(0));

        assertThat(parameters.getDouble("quality")).isEqualTo(0.5);
        assertThat(parameters.getInt("pages")).isEqualTo(2);
        assertThat(parameters.getIntList("width")).containsExactly(256);
    }

    @Test
    void unknownFunctionInAStepListsTheAvailableOnes() {
        SluiceConfig config = config("", "- function: thumbnial\n  output: s3://out\n");

        assertThat(ConfigValidator.problems(config, FUNCTIONS)).singleElement().asString()
                .contains("pipeline 'images', step 'thumbnial'")
                .contains("Unknown function 'thumbnial'")
                .contains("core-test-copy, core-test-params");
    }

    @Test
    void unknownFunctionInFunctionSettings() {
        SluiceConfig config = config("functions:\n  ocr:\n    concurrency: 1\n",
                "- function: core-test-copy\n  output: s3://out\n");

        assertThat(ConfigValidator.problems(config, FUNCTIONS)).singleElement().asString()
                .contains("functions.ocr")
                .contains("no function named 'ocr'");
    }

    @Test
    void unknownParameter() {
        SluiceConfig config = config("", "- function: core-test-params\n  params: { widht: 5 }\n  output: s3://out\n");

        assertThat(ConfigValidator.problems(config, FUNCTIONS)).singleElement().asString()
                .contains("step 'core-test-params'")
                .contains("Unknown parameter 'widht'")
                .contains("Known parameters: width, box, format");
    }

    @Test
    void unknownParameterInFunctionDefaultsIsFoundThroughEveryStep() {
        SluiceConfig config = config("functions:\n  core-test-copy:\n    params: { speed: 2 }\n",
                "- function: core-test-copy\n  output: s3://out\n");

        assertThat(ConfigValidator.problems(config, FUNCTIONS)).singleElement().asString()
                .contains("Unknown parameter 'speed'");
    }

    @Test
    void badParameterTypes() {
        SluiceConfig config = config("", """
                - id: a
                  function: core-test-params
                  params: { width: wide }
                  output: s3://out
                - id: b
                  function: core-test-params
                  params: { format: gif }
                  output: s3://out
                - id: c
                  function: core-test-params
                  params: { box: 640 }
                  output: s3://out
                  then:
                    - id: d
                      function: core-test-params
                      params: { strip: maybe }
                      output: s3://out
                """);

        List<String> problems = ConfigValidator.problems(config, FUNCTIONS);

        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).contains("step 'a'").contains("'wide'").contains("comma-separated list of positive integers");
        assertThat(problems.get(1)).contains("step 'b'").contains("'gif'").contains("one of jpeg, png");
        assertThat(problems.get(2)).contains("step 'c'").contains("'640'").contains("a size such as 640x480");
        assertThat(problems.get(3)).contains("step 'd'").contains("'maybe'").contains("true or false");
    }

    @Test
    void functionsOwnValidationRuns() {
        SluiceConfig config = config("", "- function: core-test-params\n  params: { quality: 1.5 }\n  output: s3://out\n");

        assertThat(ConfigValidator.problems(config, FUNCTIONS)).singleElement().asString()
                .contains("quality must be greater than 0 and at most 1");
    }

    @Test
    void validateListsEveryProblem() {
        SluiceConfig config = config("functions:\n  ocr: {}\n", """
                - function: nope
                  output: s3://out
                - function: core-test-params
                  params: { pages: many }
                  output: s3://out
                """);

        assertThatThrownBy(() -> ConfigValidator.validate(config, FUNCTIONS))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("3 problem(s)")
                .hasMessageContaining("no function named 'ocr'")
                .hasMessageContaining("Unknown function 'nope'")
                .hasMessageContaining("'many', which is not an integer");
    }
}
