package dev.sluice.functions.pdf;

import static dev.sluice.functions.pdf.PdfFixtures.pdfText;
import static dev.sluice.functions.pdf.PdfFixtures.runOk;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdfSplitFunctionTest {
    @TempDir
    Path out;

    private final PdfSplitFunction function = new PdfSplitFunction();

    @Test
    void onePdfPerPageByDefault() throws Exception {
        Path source = pdfText("py-pdf/pdflatex-4-pages.pdf");
        List<Path> parts = split(source);
        assertThat(parts).extracting(p -> p.getFileName().toString()).containsExactly("pdflatex-4-pages-p1.pdf",
                "pdflatex-4-pages-p2.pdf", "pdflatex-4-pages-p3.pdf", "pdflatex-4-pages-p4.pdf");
        try (PDDocument original = Loader.loadPDF(source.toFile())) {
            for (int page = 1; page <= 4; page++) {
                assertThat(pageCount(parts.get(page - 1))).isEqualTo(1);
                PDFTextStripper stripper = new PDFTextStripper();
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                assertThat(text(parts.get(page - 1))).isEqualTo(stripper.getText(original));
            }
        }
    }

    @Test
    void chunksAndRanges() throws Exception {
        Path source = pdfText("py-pdf/pdflatex-4-pages.pdf");
        List<Path> chunks = split(source, "chunk", "3");
        assertThat(chunks).extracting(p -> p.getFileName().toString())
                .containsExactly("pdflatex-4-pages-p1-3.pdf", "pdflatex-4-pages-p4.pdf");
        assertThat(pageCount(chunks.get(0))).isEqualTo(3);

        List<Path> ranges = split(source, "ranges", "2-3,4-");
        assertThat(ranges).extracting(p -> p.getFileName().toString())
                .containsExactly("pdflatex-4-pages-p2-3.pdf", "pdflatex-4-pages-p4.pdf");
        assertThat(pageCount(ranges.get(0))).isEqualTo(2);
    }

    @Test
    void encryptedSourcesGiveReadableParts() throws Exception {
        List<Path> parts = split(pdfText("py-pdf/libreoffice-writer-password.pdf"), "password", "openpassword");
        assertThat(parts).hasSize(1);
        try (PDDocument part = Loader.loadPDF(parts.get(0).toFile())) {
            assertThat(part.isEncrypted()).isFalse();
            assertThat(new PDFTextStripper().getText(part)).isNotBlank();
        }
        List<Path> owner = split(pdfText("tika/testPDF_protected.pdf"), "ranges", "1-2");
        assertThat(pageCount(owner.get(0))).isEqualTo(2);
        assertThat(text(owner.get(0))).contains("RETHINKING THE FINANCIAL NETWORK");
    }

    private List<Path> split(Path source, String... params) throws Exception {
        Path dir = Files.createTempDirectory(out, "split");
        return runOk(function, source, dir, params).outputs().stream()
                .sorted((a, b) -> firstPage(a) - firstPage(b)).toList();
    }

    private static int firstPage(Path part) {
        String name = part.getFileName().toString();
        return Integer.parseInt(name.replaceFirst(".*-p(\\d+)(-\\d+)?\\.pdf$", "$1"));
    }

    private static int pageCount(Path pdf) throws Exception {
        try (PDDocument document = Loader.loadPDF(pdf.toFile())) {
            return document.getNumberOfPages();
        }
    }

    private static String text(Path pdf) throws Exception {
        try (PDDocument document = Loader.loadPDF(pdf.toFile())) {
            return new PDFTextStripper().getText(document);
        }
    }
}
