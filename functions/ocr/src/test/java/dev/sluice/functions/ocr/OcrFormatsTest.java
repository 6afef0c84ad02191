package dev.sluice.functions.ocr;

import static dev.sluice.functions.ocr.OcrTesting.cer;
import static dev.sluice.functions.ocr.OcrTesting.corpus;
import static dev.sluice.functions.ocr.OcrTesting.invoke;
import static dev.sluice.functions.ocr.OcrTesting.output;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The JSON, hOCR and searchable-PDF outputs: they parse, and they say the same as the plain text. */
class OcrFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    @Test
    void jsonHasPageTextAndWordBoxesWithConfidence() throws Exception {
        var result = invoke(corpus("tesseract/phototest.tif"), out, "format=text,json");

        String text = Files.readString(output(result, "txt"));
        JsonNode root = JSON.readTree(output(result, "json").toFile());
        assertThat(root.path("pageCount").asInt()).isEqualTo(1);
        JsonNode page = root.path("pages").get(0);
        assertThat(page.path("text").asText()).isEqualTo(text);
        assertThat(page.path("width").asInt()).isEqualTo(640);
        assertThat(page.path("height").asInt()).isEqualTo(480);
        JsonNode words = page.path("words");
        assertThat(words.size()).isEqualTo(OcrTesting.normalize(text).split(" ").length);
        List<String> wordTexts = new ArrayList<>();
        for (JsonNode word : words) {
            wordTexts.add(word.path("text").asText());
            assertThat(word.path("confidence").asDouble()).isBetween(0.0, 100.0);
            JsonNode box = word.path("box");
            assertThat(box.get(0).asInt()).isBetween(0, 640);
            assertThat(box.get(1).asInt()).isBetween(0, 480);
            assertThat(box.get(0).asInt() + box.get(2).asInt()).isLessThanOrEqualTo(640);
            assertThat(box.get(1).asInt() + box.get(3).asInt()).isLessThanOrEqualTo(480);
        }
        assertThat(String.join(" ", wordTexts)).isEqualTo(OcrTesting.normalize(text));
        // the first line of phototest is its first line in the JSON too
        assertThat(words.get(0).path("line").asInt()).isZero();
        assertThat(words.get(words.size() - 1).path("line").asInt()).isEqualTo(7);
    }

    @Test
    void hocrIsWellFormedXhtmlWithAPagePerPageAndTheSameWords() throws Exception {
        var result = invoke(corpus("tika/testTIFF_multipage.tif"), out, "format=text,hocr");

        Document hocr = parseXml(output(result, "hocr"));
        assertThat(hocr.getDocumentElement().getTagName()).isEqualTo("html");
        List<Element> pages = elementsWithClass(hocr, "div", "ocr_page");
        assertThat(pages).hasSize(2);
        assertThat(pages.get(1).getAttribute("title")).contains("bbox 0 0 800 600");
        List<String> words = elementsWithClass(hocr, "span", "ocrx_word").stream()
                .map(Element::getTextContent).toList();
        assertThat(String.join(" ", words))
                .isEqualTo(OcrTesting.normalize(Files.readString(output(result, "txt"))));
        assertThat(elementsWithClass(hocr, "span", "ocrx_word").get(0).getAttribute("title")).contains("x_wconf");
    }

    @Test
    void searchablePdfFromAnImageCarriesTheOcrTextAsItsTextLayer() throws Exception {
        var result = invoke(corpus("tesseract/phototest.tif"), out, "format=text,pdf");

        String text = Files.readString(output(result, "txt"));
        try (PDDocument pdf = Loader.loadPDF(output(result, "pdf").toFile())) {
            assertThat(pdf.getNumberOfPages()).isEqualTo(1);
            // 640x480 pixels at 200 dpi
            assertThat(pdf.getPage(0).getMediaBox().getWidth()).isCloseTo(230.4f, org.assertj.core.data.Offset.offset(0.5f));
            assertThat(pdf.getPage(0).getResources().getXObjectNames()).isNotEmpty();
            assertThat(cer(text, new PDFTextStripper().getText(pdf))).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void searchablePdfFromAJpegEmbedsTheJpegAsItIs() throws Exception {
        Path jpeg = corpus("tika/testOCR.jpg");
        var result = invoke(jpeg, out, "format=pdf");

        byte[] pdf = Files.readAllBytes(output(result, "pdf"));
        try (PDDocument document = Loader.loadPDF(pdf)) {
            assertThat(new PDFTextStripper().getText(document)).contains("OCR Testing");
        }
        assertThat(pdf.length).isLessThan((int) Files.size(jpeg) + 20_000);
    }

    @Test
    void searchablePdfFromAScannedPdfKeepsItsPagesAndAddsTheTextUprightOnATurnedPage() throws Exception {
        Path scan = out.resolve("scan.pdf");
        OcrAccuracyTest.writeImagePdf(scan, corpus("tesseract/phototest.tif"),
                corpus("tesseract/phototest-rotated-L.png"));

        var result = invoke(scan, out.resolve("out"), "format=text,pdf");

        String[] texts = Files.readString(output(result, "txt")).split("\f");
        try (PDDocument pdf = Loader.loadPDF(output(result, "pdf").toFile())) {
            assertThat(pdf.getNumberOfPages()).isEqualTo(2);
            assertThat(pdf.getPage(0).getRotation()).isZero();
            // the page lay on its side; OSD turned it, and the PDF now shows it upright
            assertThat(pdf.getPage(1).getRotation()).isEqualTo(90);
            for (int i = 0; i < 2; i++) {
                PDFTextStripper stripper = new PDFTextStripper();
                stripper.setStartPage(i + 1);
                stripper.setEndPage(i + 1);
                assertThat(cer(texts[i], stripper.getText(pdf))).as("page %d", i + 1).isLessThanOrEqualTo(1.0);
            }
        }
    }

    @Test
    void pdfPagesThatAlreadyHaveTextAreKeptWithSkipText() throws Exception {
        Path scan = out.resolve("scan.pdf");
        OcrAccuracyTest.writeImagePdf(scan, corpus("tesseract/phototest.tif"));
        var first = invoke(scan, out.resolve("first"), "format=pdf");

        // OCR the searchable PDF again: its page has a text layer now, so it is not OCRed twice
        var second = invoke(output(first, "pdf"), out.resolve("second"), "format=json,pdf");

        JsonNode page = JSON.readTree(output(second, "json").toFile()).path("pages").get(0);
        assertThat(page.path("source").asText()).isEqualTo("text-layer");
        assertThat(page.path("text").asText()).contains("quick brown dog");
        try (PDDocument pdf = Loader.loadPDF(output(second, "pdf").toFile())) {
            String text = OcrTesting.normalize(new PDFTextStripper().getText(pdf));
            assertThat(text.split("quick brown dog", -1)).as("the text is there once, not twice").hasSize(5);
        }
    }

    static Document parseXml(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        // the XHTML DTD must not be fetched (tests run offline)
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    static List<Element> elementsWithClass(Document document, String tag, String cssClass) {
        NodeList nodes = document.getElementsByTagName(tag);
        List<Element> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element element = (Element) nodes.item(i);
            if (List.of(element.getAttribute("class").split(" ")).contains(cssClass)) {
                found.add(element);
            }
        }
        return found;
    }
}
