package dev.sluice.functions.ocr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.pipeline.Step;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** samples/ocr-scans.yaml loads, and its ocr parameters are valid for this function. */
class SamplePipelineTest {
    @Test
    void theOcrSampleConfigLoadsAndItsParametersAreValid() {
        SluiceConfig config = new ConfigLoader().load(Path.of("../../samples/ocr-scans.yaml"));

        assertThat(config.pipelines()).hasSize(1);
        Step step = config.pipelines().get(0).steps().get(0);
        assertThat(step.function()).isEqualTo("ocr");
        Map<String, String> params = new HashMap<>(config.functions().get("ocr").params());
        params.putAll(step.params());
        Parameters parameters = Parameters.of(OcrTesting.OCR, params);
        OcrTesting.OCR.validate(parameters);
        assertThat(parameters.get("format")).isEqualTo("text,pdf");
    }
}
