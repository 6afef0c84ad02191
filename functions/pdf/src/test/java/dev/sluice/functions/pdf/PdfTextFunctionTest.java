package dev.sluice.functions.pdf;

import static dev.sluice.functions.pdf.PdfFixtures.pdfText;
import static dev.sluice.functions.pdf.PdfFixtures.read;
import static dev.sluice.functions.pdf.PdfFixtures.run;
import static dev.sluice.functions.pdf.PdfFixtures.runOk;
import static dev.sluice.functions.pdf.PdfFixtures.wordF1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.exec.LocalInvoker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PdfTextFunctionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double DEFAULT_MIN_F1 = 0.98;
    /**
     * Files whose ground truth the words cannot match exactly. FC60_Times is Arabic with vowel marks: PDFBox's
     * expected text puts the marks in a different order, which splits the words differently.
     * minimal-document's truth is the LaTeX source, which has no line-end hyphenation.
     */
    private static final Map<String, Double> MIN_F1 = Map.of(
            "FC60_Times.pdf", 0.0,
            "minimal-document.pdf", 0.97);

    @TempDir
    Path out;

    private final PdfTextFunction function = new PdfTextFunction();

    static Stream<Arguments> groundTruth() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(pdfText("pdfbox"))) {
            files.filter(f -> f.toString().endsWith(".pdf")).sorted()
                    .forEach(pdf -> cases.add(Arguments.of(pdf.getFileName().toString(),
                            pdf.resolveSibling(pdf.getFileName() + ".txt"))));
        }
        cases.add(Arguments.of("minimal-document.pdf", pdfText("py-pdf/minimal-document.expected.txt")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groundTruth")
    void textMatchesGroundTruthWordForWord(String name, Path truth) throws Exception {
        Path pdf = truth.resolveSibling(name);
        LocalInvoker.Result result = runOk(function, pdf, out);
        assertThat(result.outputs()).hasSize(1);
        double f1 = wordF1(read(result.outputs().get(0)), read(truth));
        assertThat(f1).as("word F1 of %s", name).isGreaterThanOrEqualTo(MIN_F1.getOrDefault(name, DEFAULT_MIN_F1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groundTruth")
    void overlapFilterKeepsWhatPdfBoxKeeps(String name, Path truth) throws Exception {
        // The extractor replaces PDFBox's duplicate-glyph suppression with a faster one; the text must not change.
        Path pdf = truth.resolveSibling(name);
        try (PDDocument document = Loader.loadPDF(pdf.toFile())) {
            PDFTextStripper pdfbox = new PDFTextStripper();
            pdfbox.setLineSeparator("\n");
            pdfbox.setPageEnd("");
            StringBuilder ours = new StringBuilder();
            new PageTextExtractor(PageSelection.ALL, PageTextExtractor.Sort.NEVER, false, () -> { },
                    page -> ours.append(page.text())).extract(document);
            assertThat(ours.toString()).isEqualTo(pdfbox.getText(document));
        }
    }

    @Test
    void textDrawnTwiceInPlaceIsKeptOnce() throws Exception {
        // Fake bold: the same words drawn again a fraction of a point to the right.
        Path pdf = out.resolve("fake-bold.pdf");
        try (PDDocument document = new PDDocument()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
                for (float dx : new float[] {0f, 0.3f, 0.6f}) {
                    content.beginText();
                    content.setFont(font, 12);
                    content.newLineAtOffset(72 + dx, 700);
                    content.showText("Bold heading");
                    content.endText();
                }
                content.beginText();
                content.setFont(font, 12);
                content.newLineAtOffset(72, 600);
                content.showText("aaa"); // the same letter side by side is not a duplicate
                content.endText();
            }
            document.save(pdf.toFile());
        }
        assertThat(read(runOk(function, pdf, out).outputs().get(0)).strip()).isEqualTo("Bold heading\naaa");
    }

    @Test
    void pagesAreSeparatedByFormFeeds() throws Exception {
        LocalInvoker.Result result = runOk(function, pdfText("py-pdf/pdflatex-4-pages.pdf"), out);
        assertThat(result.outputs().get(0).getFileName()).hasToString("pdflatex-4-pages.txt");
        String[] pages = read(result.outputs().get(0)).split("\f", -1);
        assertThat(pages).hasSize(4);
        assertThat(pages).allSatisfy(page -> assertThat(page).isNotBlank());
    }

    @Test
    void jsonGivesEveryPageWithItsTextLayerFlag() throws Exception {
        JsonNode json = json(runOk(function, pdfText("py-pdf/pdflatex-4-pages.pdf"), out, "format", "json"));
        assertThat(json.get("pageCount").asInt()).isEqualTo(4);
        assertThat(json.get("pages")).hasSize(4);
        for (int i = 0; i < 4; i++) {
            JsonNode page = json.get("pages").get(i);
            assertThat(page.get("number").asInt()).isEqualTo(i + 1);
            assertThat(page.get("hasTextLayer").asBoolean()).isTrue();
            assertThat(page.get("text").asText()).isNotBlank();
        }
        assertThat(json.get("pagesWithoutText")).isEmpty();
    }

    @Test
    void scannedPageIsFlaggedForOcr() throws Exception {
        // Tika's testOCR.pdf is a picture of text: no text layer, text only through OCR.
        JsonNode json = json(runOk(function, pdfText("tika/testOCR.pdf"), out, "format", "json"));
        JsonNode page = json.get("pages").get(0);
        assertThat(page.get("hasTextLayer").asBoolean()).isFalse();
        assertThat(page.get("text").asText()).isBlank();
        assertThat(json.get("pagesWithoutText")).extracting(JsonNode::asInt).containsExactly(1);
    }

    @Test
    void pageSelectionLimitsTheOutput() throws Exception {
        JsonNode json = json(runOk(function, pdfText("py-pdf/pdflatex-4-pages.pdf"), out,
                "format", "json", "pages", "2-3"));
        assertThat(json.get("pages")).extracting(p -> p.get("number").asInt()).containsExactly(2, 3);

        LocalInvoker.Result none = run(function, pdfText("py-pdf/pdflatex-4-pages.pdf"), out, "pages", "9");
        assertThat(none.error()).contains("has 4 page(s)").contains("selects none");
    }

    @Test
    void tikaExpectationsHold() throws Exception {
        assertThat(text("tika/testPDF.pdf")).contains("Apache Tika", "Tika - Content Analysis Toolkit");
        assertThat(text("tika/testPDF_rotated.pdf"))
                .contains("until a further review indicates that the infrastructure");
        assertThat(text("tika/testPDF-custommetadata.pdf")).contains("Hello World!");
    }

    @Test
    void dehyphenationJoinsWordsBrokenAcrossLines() throws Exception {
        Path pdf = pdfText("py-pdf/minimal-document.pdf");
        assertThat(read(runOk(function, pdf, out).outputs().get(0))).contains("taki-\nmata");
        String joined = read(runOk(function, pdf, out, "dehyphenate", "true").outputs().get(0));
        assertThat(joined).doesNotContain("taki-").contains("takimata sanctus");
        assertThat(wordF1(joined, read(pdfText("py-pdf/minimal-document.expected.txt")))).isGreaterThan(0.99);
    }

    @Test
    void userPasswordComesFromTheParameter() throws Exception {
        Path pdf = pdfText("py-pdf/libreoffice-writer-password.pdf");
        LocalInvoker.Result locked = run(function, pdf, out);
        assertThat(locked.error()).startsWith("BadInputException")
                .contains("password-protected").contains("'password' parameter");
        assertThat(locked.outputs()).isEmpty();

        LocalInvoker.Result wrong = run(function, pdf, out, "password", "permission");
        assertThat(wrong.error()).contains("password-protected").contains("does not open it");

        LocalInvoker.Result open = runOk(function, pdf, out, "password", "openpassword");
        assertThat(read(open.outputs().get(0))).isNotBlank();
    }

    @Test
    void ownerPasswordOnlyOpensWithoutAPassword() throws Exception {
        // Encrypted with an empty user password: only permissions are restricted.
        assertThat(text("tika/testPDF_protected.pdf"))
                .contains("RETHINKING THE FINANCIAL NETWORK", "On 16 November 2002", "In many important respects");
    }

    @Test
    void passwordsMayBeWhitespaceOrUnicode() throws Exception {
        // Tika's fixtures: four spaces, and a password mixing ASCII symbols, Latin-1, CJK and emoji. The helper
        // takes them verbatim (the core's parameter parsing trims values, so these cannot pass through it yet).
        String unicode = "  ! < > \" \\ \u20AC \u0153 \u00A4 \u0031\u2044\u0034 "
                + "\u0031\u2044\u0032 \uD841\uDF0E \uD867\uDD98 \uD83D\uDE00  ";
        for (Map.Entry<String, String> fixture : Map.of("tika/testPassword4Spaces.pdf", "    ",
                "tika/testUnicodePassword.pdf", unicode).entrySet()) {
            Path pdf = pdfText(fixture.getKey());
            try (var document = PdfDocuments.open(pdf, pdf.getFileName().toString(), fixture.getValue(), 100)) {
                StringBuilder text = new StringBuilder();
                new PageTextExtractor(PageSelection.ALL, () -> { }, p -> text.append(p.text()))
                        .extract(document);
                assertThat(text).contains("Just some text.");
            }
        }
    }

    @Test
    void pageLimitIsCheckedBeforeAnyWork() throws Exception {
        LocalInvoker.Result result = run(function, pdfText("pdfbox/cweb.pdf"), out, "max-pages", "5");
        assertThat(result.error()).startsWith("LimitExceededException").contains("28 pages").contains("max-pages=5");
        assertThat(result.outputs()).isEmpty();
    }

    private String text(String corpusFile) throws Exception {
        return read(runOk(function, pdfText(corpusFile), out).outputs().get(0));
    }

    private static JsonNode json(LocalInvoker.Result result) throws IOException {
        assertThat(result.outputs()).hasSize(1);
        assertThat(result.outputs().get(0).toString()).endsWith(".json");
        return JSON.readTree(result.outputs().get(0).toFile());
    }
}
