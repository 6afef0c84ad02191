package dev.sluice.functions.pdf;

import static dev.sluice.functions.pdf.PdfFixtures.corpus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken inputs (PDF bombs, a missing catalog, a damaged page, truncated and fake files) through every
 * function, in a JVM with a 256 MB heap: each either recovers what it can or fails with a clear BadInputException
 * naming the file; none runs out of memory, hangs, or fails with anything else.
 */
class MalformedPdfTest {
    private static final List<String> FUNCTIONS = List.of("pdf-text", "pdf-metadata", "pdf-images", "pdf-render",
            "pdf-split");

    @TempDir
    Path dir;

    @Test
    void brokenFilesGiveClearErrorsOrWhatCanBeRecovered() throws Exception {
        List<Path> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(corpus("malformed/pdf"))) {
            files.filter(f -> f.toString().endsWith(".pdf")).sorted().forEach(inputs::add);
        }
        inputs.addAll(madeUpBrokenFiles());
        List<ChildJvm.Job> jobs = new ArrayList<>();
        for (Path input : inputs) {
            for (String function : FUNCTIONS) {
                jobs.add(new ChildJvm.Job(function, input, dir.resolve("out").resolve(function),
                        function.equals("pdf-text") ? Map.of("format", "json") : Map.of()));
            }
        }
        List<ChildJvm.Outcome> outcomes = ChildJvm.run(dir, jobs);

        for (ChildJvm.Outcome outcome : outcomes) {
            String file = outcome.job().input().getFileName().toString();
            if (outcome.error() != null) {
                assertThat(outcome.error()).as("%s on %s", outcome.job().function(), file)
                        .startsWith("BadInputException: " + file).doesNotContain("OutOfMemory");
                assertThat(outcome.outputs()).isEmpty();
            }
        }
        // Files that cannot be PDFs are refused by every function, with a message that says what to do.
        for (String file : List.of("not-a-pdf.pdf", "empty.pdf", "header-only.pdf")) {
            assertThat(outcomes).filteredOn(o -> o.job().input().getFileName().toString().equals(file))
                    .allSatisfy(o -> assertThat(o.error()).contains("re-export").contains("upload it again"));
        }
        // Recoverable damage is recovered: a catalog without /Type, the bombs (PDFBox drops the repeated
        // filters that make them explode), and Tika's damaged page, whose page 16 holds 3,805 characters.
        for (String file : List.of("MissingCatalog.pdf", "acsploit_output.pdf", "testPDF_bad_page_303226.pdf")) {
            assertThat(outcomes).filteredOn(o -> o.job().input().getFileName().toString().equals(file))
                    .filteredOn(o -> o.job().function().equals("pdf-text"))
                    .singleElement().satisfies(o -> assertThat(o.error()).isNull());
        }
        JsonNode badPage = new ObjectMapper().readTree(outcome(outcomes, "pdf-text", "testPDF_bad_page_303226.pdf")
                .outputs().get(0).toFile());
        assertThat(badPage.get("pages").get(15).get("text").asText().replaceAll("\\s", "").length())
                .isGreaterThan(3000);
        // A truncated copy whose catalog survived still gives its text; one whose catalog was cut off cannot.
        JsonNode truncated = new ObjectMapper().readTree(outcome(outcomes, "pdf-text", "truncated-testPDF.pdf")
                .outputs().get(0).toFile());
        assertThat(truncated.get("pages").get(0).get("text").asText()).contains("Apache Tika");
        assertThat(outcome(outcomes, "pdf-text", "truncated-cweb.pdf").error()).contains("not a readable PDF");
    }

    private static ChildJvm.Outcome outcome(List<ChildJvm.Outcome> outcomes, String function, String file) {
        return outcomes.stream().filter(o -> o.job().function().equals(function)
                && o.job().input().getFileName().toString().equals(file)).findFirst().orElseThrow();
    }

    /** Broken files made here from good ones: truncated, empty, a bare header, something else named .pdf. */
    private List<Path> madeUpBrokenFiles() throws Exception {
        Path broken = Files.createDirectories(dir.resolve("broken"));
        byte[] cweb = Files.readAllBytes(corpus("pdf-text/pdfbox/cweb.pdf"));
        List<Path> files = new ArrayList<>();
        files.add(Files.write(broken.resolve("truncated-cweb.pdf"), Arrays.copyOf(cweb, cweb.length * 2 / 3)));
        byte[] tika = Files.readAllBytes(corpus("pdf-text/tika/testPDF.pdf"));
        files.add(Files.write(broken.resolve("truncated-testPDF.pdf"), Arrays.copyOf(tika, tika.length * 9 / 10)));
        files.add(Files.write(broken.resolve("empty.pdf"), new byte[0]));
        files.add(Files.write(broken.resolve("header-only.pdf"), "%PDF-1.7\n%%EOF\n".getBytes()));
        files.add(Files.write(broken.resolve("not-a-pdf.pdf"),
                Files.readAllBytes(corpus("images/smallest/png-transparent.png"))));
        return files;
    }
}
