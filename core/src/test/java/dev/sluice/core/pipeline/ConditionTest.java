package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.ConfigException;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.event.ObjectEvent;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConditionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Step parseStep(String when) {
        String yaml = """
                pipelines:
                  - name: p
                    match: { bucket: docs }
                    steps:
                      - function: f
                        output: s3://out/{name}.{ext}
                        when: %s
                """.formatted(when);
        return new ConfigLoader(k -> null).parse(yaml, Path.of(".")).pipelines().get(0).steps().get(0);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void jsonFieldNotEmptyRoutesScannedDocuments() {
        Condition when = parseStep("{ json: { field: /pagesWithoutText, notEmpty: true } }").when();
        ObjectEvent input = ObjectEvent.created("out", "a.json", 10, "e", "application/json");
        assertThat(when.test(input, () -> json("{\"pagesWithoutText\":[3]}"))).isTrue();
        assertThat(when.test(input, () -> json("{\"pagesWithoutText\":[]}"))).isFalse();
        assertThat(when.test(input, () -> json("{}"))).isFalse();
        assertThat(when.test(input, () -> json("{\"pagesWithoutText\":true}"))).isTrue();
    }

    @Test
    void equalsSizeKeyAndContentTypeAllMustHold() {
        Condition when = parseStep("{ contentType: [image/*], minSize: 1KB, maxSize: 5MB, key: \"**/*.png\", "
                + "json: { field: /kind, equals: scan } }").when();
        assertThat(when.minSize()).isEqualTo(1024);
        assertThat(when.maxSize()).isEqualTo(5L << 20);
        ObjectEvent png = ObjectEvent.created("b", "x/y.png", 4096, "e", "image/png");
        assertThat(when.test(png, () -> json("{\"kind\":\"scan\"}"))).isTrue();
        assertThat(when.test(png, () -> json("{\"kind\":\"photo\"}"))).isFalse();
        assertThat(when.test(ObjectEvent.created("b", "x/y.png", 10, "e", "image/png"), () -> json("{\"kind\":\"scan\"}")))
                .isFalse();
        assertThat(when.test(ObjectEvent.created("b", "x/y.jpg", 4096, "e", "image/jpeg"),
                () -> json("{\"kind\":\"scan\"}"))).isFalse();
    }

    @Test
    void badConditionsAreConfigErrors() {
        assertThatThrownBy(() -> parseStep("{ json: { field: pagesWithoutText, notEmpty: true } }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("JSON Pointer");
        assertThatThrownBy(() -> parseStep("{ json: { field: /a } }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("notEmpty");
        assertThatThrownBy(() -> parseStep("{ maxSize: lots }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a size");
        assertThatThrownBy(() -> parseStep("{ colour: red }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("colour");
    }
}
