package dev.sluice.functions.pdf;

import static dev.sluice.functions.pdf.PdfFixtures.pdfText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.exec.LocalInput;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Input;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.Outputs;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** samples/pdf-documents.yaml loads, validates against these functions, and names its outputs as it promises. */
class SamplePipelineTest {
    private static final Path SAMPLE = Path.of("../../samples/pdf-documents.yaml");

    private final FunctionRegistry functions = new FunctionRegistry(List.of(new PdfTextFunction(),
            new PdfMetadataFunction(), new PdfImagesFunction(), new PdfRenderFunction(), new PdfSplitFunction()));
    private final SluiceConfig config = new ConfigLoader(name -> null).load(SAMPLE);

    @Test
    void sampleIsValid() {
        assertThat(ConfigValidator.problems(config, functions)).isEmpty();
    }

    @Test
    void textDocumentGetsTextMetadataAndThumbnail() throws Exception {
        assertThat(outputKeys(pdfText("py-pdf/pdflatex-4-pages.pdf"))).containsExactlyInAnyOrder(
                "document-text/reports/q3.txt",
                "document-text/reports/q3-metadata.json",
                "document-thumbnails/reports/q3-p1.png");
    }

    @Test
    void scannedDocumentAlsoGetsItsPagesForOcr() throws Exception {
        assertThat(outputKeys(pdfText("tika/testOCR.pdf"))).containsExactlyInAnyOrder(
                "document-text/reports/q3.txt",
                "document-text/reports/q3-metadata.json",
                "document-thumbnails/reports/q3-p1.png",
                "document-scans/reports/q3-p1.png");
    }

    /** Runs every step of the sample on {@code pdf} as if it were uploaded as documents/reports/q3.pdf. */
    private List<String> outputKeys(Path pdf) throws Exception {
        Pipeline pipeline = config.pipelines().get(0);
        List<String> keys = new ArrayList<>();
        for (Step step : pipeline.steps()) {
            SluiceFunction function = functions.get(step.function());
            Parameters parameters = ConfigValidator.parametersFor(config, function, step);
            List<OutputSpec> specs = new ArrayList<>();
            function.apply(new SampleInvocation(new UploadedAs("reports/q3.pdf", pdf), parameters, specs));
            for (OutputSpec spec : specs) {
                keys.add(step.output().bucket() + "/" + step.output().resolveKey("documents", "reports/q3.pdf", spec));
            }
        }
        return keys;
    }

    private record UploadedAs(String key, Path file) implements Input {
        @Override
        public String contentType() {
            return "application/pdf";
        }

        @Override
        public long size() {
            return new LocalInput(file).size();
        }

        @Override
        public InputStream openStream() throws IOException {
            return new LocalInput(file).openStream();
        }
    }

    private record SampleInvocation(Input input, Parameters parameters, List<OutputSpec> specs) implements Invocation {
        private static final Logger LOG = LoggerFactory.getLogger(SamplePipelineTest.class);

        @Override
        public Outputs outputs() {
            return spec -> {
                specs.add(spec);
                return OutputStream.nullOutputStream();
            };
        }

        @Override
        public Instant deadline() {
            return Instant.now().plusSeconds(60);
        }

        @Override
        public Logger logger() {
            return LOG;
        }
    }
}
