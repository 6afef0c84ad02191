package dev.sluice.functions.pdf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdfwriter.compress.CompressParameters;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.color.PDDeviceRGB;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory case: a 2,000-page document of about 150 MB (a text block and an uncompressed photo-sized
 * image on every page) processed by every function in a JVM limited to 256 MB of heap.
 */
class LargeDocumentTest {
    static final int PAGES = 2000;
    private static final int IMAGE_SIDE = 160; // 160 x 160 RGB = 75 KB of incompressible samples per page

    @TempDir
    static Path dir;
    static Path pdf;

    @BeforeAll
    static void generate() throws Exception {
        pdf = dir.resolve("large.pdf");
        byte[] samples = new byte[IMAGE_SIDE * IMAGE_SIDE * 3];
        new Random(42).nextBytes(samples);
        PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        try (PDDocument document = new PDDocument(IOUtils.createTempFileOnlyStreamCache())) {
            for (int number = 1; number <= PAGES; number++) {
                PDPage page = new PDPage(PDRectangle.A4);
                document.addPage(page);
                PDImageXObject image = new PDImageXObject(document, new ByteArrayInputStream(samples), null,
                        IMAGE_SIDE, IMAGE_SIDE, 8, PDDeviceRGB.INSTANCE);
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.drawImage(image, 50, 500);
                    content.beginText();
                    content.setFont(font, 11);
                    content.newLineAtOffset(50, 450);
                    content.setLeading(14);
                    content.showText("Page " + number + " of the large document.");
                    for (int line = 0; line < 20; line++) {
                        content.newLine();
                        content.showText("Line " + line + ": the quick brown fox jumps over the lazy dog.");
                    }
                    content.endText();
                }
            }
            document.save(pdf.toFile(), CompressParameters.NO_COMPRESSION);
        }
        assertThat(Files.size(pdf)).isGreaterThan(100L << 20);
    }

    @Test
    void everyFunctionProcessesItWithA256MegabyteHeap() throws Exception {
        List<ChildJvm.Job> jobs = List.of(
                job("pdf-text", "text", Map.of("format", "json")),
                job("pdf-metadata", "metadata", Map.of()),
                job("pdf-render", "render", Map.of("pages", "1,2000", "dpi", "100")),
                job("pdf-images", "images", Map.of("pages", "1999-")),
                job("pdf-split", "split", Map.of("ranges", "1-2,1000-1001,2000")));
        List<ChildJvm.Outcome> outcomes = ChildJvm.run(dir, jobs);
        for (ChildJvm.Outcome outcome : outcomes) {
            assertThat(outcome.error()).as(outcome.job().function()).isNull();
        }

        JsonNode text = new ObjectMapper().readTree(outcomes.get(0).outputs().get(0).toFile());
        assertThat(text.get("pageCount").asInt()).isEqualTo(PAGES);
        assertThat(text.get("pages")).hasSize(PAGES);
        assertThat(text.get("pages").get(PAGES - 1).get("text").asText())
                .startsWith("Page 2000 of the large document.").contains("Line 19: the quick brown fox");
        assertThat(text.get("pagesWithoutText")).isEmpty();

        JsonNode metadata = new ObjectMapper().readTree(outcomes.get(1).outputs().get(0).toFile());
        assertThat(metadata.get("pageCount").asInt()).isEqualTo(PAGES);
        assertThat(metadata.get("pageSizes")).hasSize(1);
        assertThat(metadata.get("scanned").asBoolean()).isFalse();

        assertThat(outcomes.get(2).outputs()).hasSize(2);
        assertThat(ImageIO.read(outcomes.get(2).outputs().get(1).toFile()).getWidth()).isEqualTo(826); // 595 pt at 100 dpi

        assertThat(outcomes.get(3).outputs()).hasSize(2);

        assertThat(outcomes.get(4).outputs()).hasSize(3);
        for (Path part : outcomes.get(4).outputs()) {
            try (PDDocument document = Loader.loadPDF(part.toFile())) {
                assertThat(document.getNumberOfPages()).isBetween(1, 2);
            }
        }
    }

    private static ChildJvm.Job job(String function, String out, Map<String, String> params) {
        return new ChildJvm.Job(function, pdf, dir.resolve(out), params);
    }
}
