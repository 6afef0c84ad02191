package dev.sluice.functions.pdf;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.core.BadInputException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;

/**
 * {@code pdf-text}: the text of a PDF in reading order, like {@code pdftotext}. As plain text with a form feed
 * between pages, or as JSON with one entry per page that says whether the page has a text layer at all, so a
 * chain can send scanned pages to OCR (see {@code pdf-render pages=no-text}).
 */
public final class PdfTextFunction implements SluiceFunction {
    static final JsonFactory JSON = new JsonFactory();

    static {
        PdfDocuments.init();
    }

    @Override
    public String name() {
        return "pdf-text";
    }

    @Override
    public String description() {
        return "Extract the text of a PDF, page by page (plain text with form feeds, or JSON per page "
                + "with a flag for pages that have no text layer).";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.oneOf("format", "text", "text: UTF-8 text, a form feed between pages; "
                        + "json: {pageCount, pages: [{number, text, hasTextLayer, characters}], pagesWithoutText}",
                        "text", "json"),
                ParameterSpec.of("pages", ParameterType.STRING, "all", "Pages to extract: " + PageSelection.SYNTAX + "."),
                ParameterSpec.oneOf("sort", "auto", "Order of the text: auto follows the order the page draws it "
                        + "(usually the reading order) and sorts rotated pages by position; true always sorts by "
                        + "position (helps some scrambled layouts); false never does.", "auto", "true", "false"),
                ParameterSpec.of("dehyphenate", ParameterType.BOOLEAN, "false",
                        "Join words hyphenated across a line break (\"exam-\" + \"ple\" becomes \"example\"), "
                                + "as pdftotext does; also joins real compounds that break at their hyphen."),
                PdfDocuments.PASSWORD_SPEC,
                PdfDocuments.MAX_PAGES_SPEC);
    }

    @Override
    public void validate(Parameters parameters) {
        PageSelection.parse("pages", parameters.get("pages"));
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Parameters parameters = invocation.parameters();
        PageSelection selection = PageSelection.parse("pages", parameters.get("pages"));
        Layout layout = new Layout(switch (parameters.getChoice("sort")) {
            case "true" -> PageTextExtractor.Sort.ALWAYS;
            case "false" -> PageTextExtractor.Sort.NEVER;
            default -> PageTextExtractor.Sort.AUTO;
        }, parameters.getBoolean("dehyphenate"));
        String name = invocation.input().key();
        try (PDDocument document = PdfDocuments.open(invocation)) {
            int pageCount = document.getNumberOfPages();
            selection.requirePagesIn(pageCount, "pages", name);
            PageStats stats;
            if (parameters.getChoice("format").equals("json")) {
                stats = writeJson(invocation, document, selection, layout);
            } else {
                stats = writeText(invocation, document, selection, layout);
            }
            if (stats.pages > 0 && stats.failed == stats.pages) {
                throw new BadInputException(name + ": no page could be read (" + stats.firstError
                        + "). The PDF is damaged; repair or re-export it.");
            }
            if (stats.failed > 0) {
                invocation.logger().warn("{}: {} of {} page(s) could not be read and are empty: {}", name,
                        stats.failed, stats.pages, stats.firstError);
            }
        }
    }

    private static PageStats writeText(Invocation invocation, PDDocument document, PageSelection selection,
                                       Layout layout) throws IOException {
        PageStats stats = new PageStats();
        try (Writer out = new BufferedWriter(new OutputStreamWriter(
                invocation.outputs().open(OutputSpec.of("", "txt", "text/plain; charset=utf-8")),
                StandardCharsets.UTF_8), 64 * 1024)) {
            new PageTextExtractor(selection, layout.sort(), layout.dehyphenate(), invocation::checkDeadline, page -> {
                if (stats.pages > 0) {
                    out.write('\f');
                }
                out.write(page.text());
                stats.count(page);
            }).extract(document);
        }
        return stats;
    }

    private static PageStats writeJson(Invocation invocation, PDDocument document, PageSelection selection,
                                       Layout layout) throws IOException {
        PageStats stats = new PageStats();
        List<Integer> withoutText = new ArrayList<>();
        try (JsonGenerator json = JSON.createGenerator(
                invocation.outputs().open(OutputSpec.of("", "json", "application/json")), JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("source", invocation.input().key());
            json.writeNumberField("pageCount", document.getNumberOfPages());
            json.writeArrayFieldStart("pages");
            new PageTextExtractor(selection, layout.sort(), layout.dehyphenate(), invocation::checkDeadline, page -> {
                json.writeStartObject();
                json.writeNumberField("number", page.number());
                json.writeStringField("text", page.text());
                json.writeBooleanField("hasTextLayer", page.hasTextLayer());
                json.writeNumberField("characters", page.characters());
                if (page.error() != null) {
                    json.writeStringField("error", page.error());
                }
                json.writeEndObject();
                if (!page.hasTextLayer()) {
                    withoutText.add(page.number());
                }
                stats.count(page);
            }).extract(document);
            json.writeEndArray();
            // The pages a chain should OCR: no extractable text (scanned, or text drawn as images or paths).
            json.writeArrayFieldStart("pagesWithoutText");
            for (int page : withoutText) {
                json.writeNumber(page);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        return stats;
    }

    private record Layout(PageTextExtractor.Sort sort, boolean dehyphenate) {
    }

    private static final class PageStats {
        int pages;
        int failed;
        String firstError;

        void count(PageTextExtractor.PageText page) {
            pages++;
            if (page.error() != null) {
                failed++;
                if (firstError == null) {
                    firstError = "page " + page.number() + ": " + page.error();
                }
            }
        }
    }
}
