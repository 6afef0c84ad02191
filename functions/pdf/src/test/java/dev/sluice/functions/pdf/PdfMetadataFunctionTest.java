package dev.sluice.functions.pdf;

import static dev.sluice.functions.pdf.PdfFixtures.pdfText;
import static dev.sluice.functions.pdf.PdfFixtures.run;
import static dev.sluice.functions.pdf.PdfFixtures.runOk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.exec.LocalInvoker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PdfMetadataFunctionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    private final PdfMetadataFunction function = new PdfMetadataFunction();

    /** py-pdf's files.json entries for the sample files kept in the corpus (unreadablemetadata.pdf is tested apart). */
    static Stream<JsonNode> pyPdfFiles() throws IOException {
        List<JsonNode> entries = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(pdfText("py-pdf/files.json").toFile()).get("data")) {
            String path = entry.get("path").asText();
            Path pdf = pdfText("py-pdf").resolve(path.substring(path.lastIndexOf('/') + 1));
            if (Files.exists(pdf) && !pdf.getFileName().toString().equals("unreadablemetadata.pdf")) {
                entries.add(entry);
            }
        }
        return entries.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pyPdfFiles")
    void matchesPyPdfGroundTruth(JsonNode expected) throws Exception {
        String path = expected.get("path").asText();
        Path pdf = pdfText("py-pdf").resolve(path.substring(path.lastIndexOf('/') + 1));
        boolean encrypted = expected.get("encrypted").asBoolean();
        JsonNode actual = encrypted ? metadata(pdf, "password", "openpassword") : metadata(pdf);

        assertThat(actual.get("pageCount").asInt()).isEqualTo(expected.get("pages").asInt());
        assertThat(actual.get("encrypted").asBoolean()).isEqualTo(encrypted);
        // files.json was partly written by hand: its producer for the encrypted file and the time zones of its
        // dates do not match the files, so those are compared only where they can be.
        if (expected.hasNonNull("producer") && !encrypted) {
            assertThat(actual.get("producer").asText()).isEqualTo(expected.get("producer").asText());
        }
        if (expected.hasNonNull("creation_date")) {
            assertThat(actual.get("creationDate").asText()).startsWith(
                    expected.get("creation_date").asText().substring(0, 10));
        }
        assertThat(actual.get("form").get("acroForm").asBoolean()).isEqualTo(expected.get("forms").asInt() > 0);
        Map<String, Integer> annotations = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("annotations").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            annotations.put(entry.getKey(), entry.getValue().asInt());
        }
        assertThat(JSON.convertValue(actual.get("annotations"), Map.class)).isEqualTo(annotations);
    }

    @Test
    void describesPagesVersionAndDocumentInformation() throws Exception {
        JsonNode json = metadata(pdfText("tika/testPDF-custommetadata.pdf"));
        assertThat(json.get("pdfVersion").asText()).isEqualTo("1.4");
        assertThat(json.get("title").asText()).isEqualTo("Document title");
        assertThat(json.get("author").asText()).isEqualTo("Document author");
        assertThat(json.get("custom").get("Custom Property").asText()).isEqualTo("Custom Value");
        assertThat(json.get("custom").get("Custom Array")).extracting(JsonNode::asText)
                .containsExactly("Array Entry 1", "Array Entry 2");
        assertThat(json.get("pageSizes")).hasSize(1);
        JsonNode sizes = metadata(pdfText("py-pdf/habibi-rotated.pdf")).get("pageSizes");
        assertThat(sizes).extracting(s -> s.get("rotation").asInt()).contains(0, 90);
        int pages = 0;
        for (JsonNode run : sizes) {
            pages += run.get("last").asInt() - run.get("first").asInt() + 1;
        }
        assertThat(pages).isEqualTo(4);
    }

    @Test
    void readsXmp() throws Exception {
        JsonNode xmp = metadata(pdfText("tika/testPDF_XMPBasicSchema.pdf")).get("xmp");
        assertThat(xmp.get("creatorTool").asText()).isEqualTo("Hewlett-Packard MFP");
        assertThat(OffsetDateTime.parse(xmp.get("createDate").asText()).toInstant())
                .hasToString("1998-08-29T14:53:15Z");
        assertThat(xmp.get("xml").asText()).contains("x:xmpmeta");

        JsonNode pdfa = metadata(pdfText("py-pdf/crazyones-pdfa.pdf")).get("xmp");
        assertThat(pdfa.get("pdfaPart").asInt()).isEqualTo(1);
        assertThat(pdfa.get("pdfaConformance").asText()).isEqualTo("B");
    }

    @Test
    void reportsEncryptionAndPermissionsOfAnOwnerPasswordDocument() throws Exception {
        JsonNode json = metadata(pdfText("tika/testPDF_protected.pdf"));
        assertThat(json.get("encrypted").asBoolean()).isTrue();
        assertThat(json.get("author").asText()).isEqualTo("The Bank of England");
        assertThat(json.get("xmp").get("description").asText()).isEqualTo("Speeches by Andrew G Haldane");
        JsonNode encryption = json.get("encryption");
        assertThat(encryption.get("filter").asText()).isEqualTo("Standard");
        assertThat(encryption.get("openedWithPassword").asBoolean()).isFalse();
        assertThat(encryption.get("permissions").get("extractContent").asBoolean()).isTrue();
        assertThat(encryption.get("permissions").get("modify").asBoolean()).isFalse();
    }

    @Test
    void listsEmbeddedFiles() throws Exception {
        JsonNode files = metadata(pdfText("py-pdf/with-attachment.pdf")).get("embeddedFiles");
        assertThat(files).hasSize(1);
        assertThat(files.get(0).get("name").asText()).isEqualTo("image.png");
        assertThat(files.get(0).get("storedSize").asLong()).isPositive();
    }

    @Test
    void flagsScannedDocumentsAndFormsAndTags() throws Exception {
        JsonNode scanned = metadata(pdfText("tika/testOCR.pdf"));
        assertThat(scanned.get("scanned").asBoolean()).isTrue();
        assertThat(scanned.get("pagesWithoutText")).extracting(JsonNode::asInt).containsExactly(1);

        JsonNode text = metadata(pdfText("py-pdf/pdflatex-forms.pdf"));
        assertThat(text.get("scanned").asBoolean()).isFalse();
        assertThat(text.get("form").get("fields").asInt()).isEqualTo(3);
        assertThat(text.get("tagged").asBoolean()).isFalse();

        JsonNode quick = metadata(pdfText("tika/testOCR.pdf"), "detect-text", "false");
        assertThat(quick.get("scanned").isNull()).isTrue();
    }

    @Test
    void documentWithoutAPageTreeGivesAClearError() throws Exception {
        LocalInvoker.Result result = run(function, pdfText("py-pdf/unreadablemetadata.pdf"), out);
        assertThat(result.error()).startsWith("BadInputException").contains("unreadablemetadata.pdf")
                .containsIgnoringCase("page tree").contains("re-export");
    }

    private JsonNode metadata(Path pdf, String... params) throws Exception {
        LocalInvoker.Result result = runOk(function, pdf, out, params);
        assertThat(result.outputs()).hasSize(1);
        String stem = pdf.getFileName().toString().replaceFirst("\\.pdf$", "");
        assertThat(result.outputs().get(0).getFileName()).hasToString(stem + "-metadata.json");
        return JSON.readTree(result.outputs().get(0).toFile());
    }
}
