package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.EmbeddedSettings;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.store.ObjectStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** samples/documents.yaml end to end on the embedded server: a text PDF and a scanned (image-only) PDF. */
class DocumentsChainTest {
    static final Path CORPORA = ThumbnailEndToEndContract.CORPORA;
    static final Duration PATIENCE = Duration.ofMinutes(2);

    @TempDir
    static Path dir;
    static SluiceServer server;
    static FunctionRegistry functions;

    @BeforeAll
    static void start() throws Exception {
        SluiceConfig sample = new ConfigLoader(k -> null).load(Path.of("../samples/documents.yaml"));
        EmbeddedSettings embedded = new EmbeddedSettings("127.0.0.1", 0, dir.resolve("s3"), sample.embedded().buckets());
        functions = FunctionRegistry.loadDefault();
        server = SluiceServer.start(sample.withEmbedded(embedded), functions, new SimpleMeterRegistry(), "k", "docs-secret");
    }

    @AfterAll
    static void stop() throws Exception {
        ThumbnailEndToEndContract.closeAll(server, functions);
    }

    private static ObjectStore store() {
        return server.store();
    }

    private static byte[] await(String bucket, String key) throws Exception {
        org.awaitility.Awaitility.await().atMost(PATIENCE).until(() -> store().head(bucket, key), Optional::isPresent);
        try (InputStream in = store().get(bucket, key)) {
            return in.readAllBytes();
        }
    }

    @Test
    void textPdfGetsTextMetadataAndThumbnail() throws Exception {
        store().put("docs", "reports/tika.pdf", CORPORA.resolve("pdf-text/tika/testPDF.pdf"), "application/pdf", Map.of());

        JsonNode text = new ObjectMapper().readTree(await("docs-text", "reports/tika.json"));
        assertThat(text.path("pagesWithoutText")).isEmpty();
        assertThat(text.toString()).contains("Apache Tika");
        JsonNode metadata = new ObjectMapper().readTree(await("docs-text", "reports/tika-metadata.json"));
        assertThat(metadata.toString()).contains("Apache Tika");
        assertThat(await("docs-thumbnails", "reports/tika-p1.png")).isNotEmpty();
    }

    @Test
    void scannedPdfBecomesSearchable() throws Exception {
        store().put("docs", "scans/letter.pdf", CORPORA.resolve("pdf-text/tika/testOCR.pdf"), "application/pdf", Map.of());

        JsonNode text = new ObjectMapper().readTree(await("docs-text", "scans/letter.json"));
        assertThat(text.path("pagesWithoutText")).isNotEmpty(); // the page has no text layer: a scan
        String ocrText = new String(await("docs-searchable", "scans/letter.txt"), StandardCharsets.UTF_8);
        assertThat(ocrText).contains("Happy New Year 2003"); // Tika's expectation for this file
        try (PDDocument searchable = Loader.loadPDF(await("docs-searchable", "scans/letter.pdf"))) {
            assertThat(new PDFTextStripper().getText(searchable)).contains("Happy New Year 2003");
        }
        assertThat(List.of(await("docs-thumbnails", "scans/letter-p1.png"))).isNotEmpty();
    }
}
