package dev.sluice.functions.pdf;

import static dev.sluice.functions.pdf.PdfFixtures.pdfText;
import static dev.sluice.functions.pdf.PdfFixtures.run;
import static dev.sluice.functions.pdf.PdfFixtures.runOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdfRenderFunctionTest {
    @TempDir
    Path out;

    private final PdfRenderFunction function = new PdfRenderFunction();

    @Test
    void firstPageThumbnailHasTheRequestedWidth() throws Exception {
        // A4 portrait (595 x 842 pt) at 256 px wide is 362 px high.
        List<Path> pages = render("py-pdf/pdflatex-4-pages.pdf", "width", "256");
        assertThat(pages).extracting(p -> p.getFileName().toString()).containsExactly("pdflatex-4-pages-p1.png");
        assertSize(pages.get(0), 256, 362);
    }

    @Test
    void dpiScalesFromPoints() throws Exception {
        // A4, 595 x 842 pt: 72 dpi is one pixel per point; 150 dpi is 1239.6 x 1754.2, and PDFBox rounds down.
        assertSize(render("tika/testPDF.pdf", "dpi", "72").get(0), 595, 842);
        assertSize(render("tika/testPDF.pdf", "dpi", "150").get(0), 1239, 1754);
        // landscape US letter, 792 x 612 pt
        assertSize(render("tika/testOCR.pdf", "dpi", "72").get(0), 792, 612);
    }

    @Test
    void rotatedPagesRenderUpright() throws Exception {
        // testPDF_rotated.pdf is a portrait A4 page with /Rotate 90: shown landscape.
        assertSize(render("tika/testPDF_rotated.pdf", "dpi", "72").get(0), 842, 595);
        assertSize(render("tika/testPDF_rotated.pdf", "width", "300").get(0), 300, 212);
    }

    @Test
    void pageRangesAndJpeg() throws Exception {
        List<Path> pages = render("py-pdf/pdflatex-4-pages.pdf", "pages", "2-3", "format", "jpeg", "width", "100");
        assertThat(pages).extracting(p -> p.getFileName().toString())
                .containsExactly("pdflatex-4-pages-p2.jpg", "pdflatex-4-pages-p3.jpg");
        assertThat(ImageIO.read(pages.get(0).toFile()).getWidth()).isEqualTo(100);
        assertThat(render("py-pdf/pdflatex-4-pages.pdf", "pages", "all", "width", "50")).hasSize(4);
    }

    @Test
    void noTextRendersOnlyPagesThatNeedOcr() throws Exception {
        assertThat(render("tika/testOCR.pdf", "pages", "no-text")).hasSize(1);
        assertThat(render("py-pdf/pdflatex-4-pages.pdf", "pages", "no-text")).isEmpty();
    }

    @Test
    void hugeRendersAreRefusedBeforeTheWork() throws Exception {
        LocalInvoker.Result result = run(function, pdfText("tika/testPDF.pdf"), out, "dpi", "2400");
        assertThat(result.error()).startsWith("LimitExceededException").contains("max-pixels").contains("Lower dpi");
        assertThat(result.outputs()).isEmpty();

        LocalInvoker.Result missing = run(function, pdfText("tika/testPDF.pdf"), out, "pages", "5");
        assertThat(missing.error()).startsWith("BadInputException").contains("selects none");
    }

    private List<Path> render(String corpusFile, String... params) throws Exception {
        Path dir = Files.createTempDirectory(out, "render");
        return runOk(function, pdfText(corpusFile), dir, params).outputs().stream().sorted().toList();
    }

    private static void assertSize(Path image, int width, int height) throws Exception {
        BufferedImage read = ImageIO.read(image.toFile());
        assertThat(read.getWidth()).as("width").isEqualTo(width);
        assertThat(read.getHeight()).as("height").isEqualTo(height);
    }
}
