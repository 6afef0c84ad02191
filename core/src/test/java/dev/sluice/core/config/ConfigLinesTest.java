package dev.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Config errors name the line of the setting that is wrong. */
class ConfigLinesTest {
    private static void parse(String yaml) {
        new ConfigLoader(k -> null).parse(yaml, Path.of("."));
    }

    @Test
    void aCycleNamesTheLineOfTheStepThatClosesIt() {
        assertThatThrownBy(() -> parse("""
                pipelines:
                  - name: p
                    match: { bucket: docs }
                    steps:
                      - id: a
                        function: f
                        output: s3://out/{name}.{ext}
                        then:
                          - id: b
                            function: g
                            output: s3://out/{name}.{ext}
                            then: [a]
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("line 12, ").hasMessageContaining("cycle");
    }

    @Test
    void anUnknownSettingNamesItsOwnLine() {
        assertThatThrownBy(() -> parse("""
                pipelines:
                  - name: p
                    match: { bucket: docs }
                    steps:
                      - function: f
                        outptu: s3://out/{name}.{ext}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("line 6, ").hasMessageContaining("outptu");
    }

    @Test
    void aBadValueNamesItsLine() {
        assertThatThrownBy(() -> parse("""
                functions:
                  thumbnail:
                    timeout: soon
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("line 3, ").hasMessageContaining("soon");
    }

    @Test
    void anUnknownFunctionIsReportedWithTheLineOfTheStep() {
        SluiceConfig config = new ConfigLoader(k -> null).parse("""
                pipelines:
                  - name: p
                    match: { bucket: docs }
                    steps:
                      - function: thumbnial
                        output: s3://out/{name}.{ext}
                """, Path.of("."));
        java.util.List<String> problems = ConfigValidator.problems(config,
                new dev.sluice.core.function.FunctionRegistry(java.util.List.of()));
        org.assertj.core.api.Assertions.assertThat(problems).singleElement().asString()
                .startsWith("line 5, pipeline 'p', step 'thumbnial'").contains("Unknown function 'thumbnial'");
    }
}
