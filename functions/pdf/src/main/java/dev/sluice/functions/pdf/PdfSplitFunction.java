package dev.sluice.functions.pdf;

import dev.sluice.core.BadInputException;
import dev.sluice.core.ConfigException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.multipdf.Splitter;
import org.apache.pdfbox.pdmodel.PDDocument;

/**
 * {@code pdf-split}: one PDF per page, per chunk of pages, or per named range. Outputs are named
 * {@code <name>-p3.pdf} for one page and {@code <name>-p1-3.pdf} for a range, with {@code {first}},
 * {@code {last}} and {@code {pages}} available to output templates.
 */
public final class PdfSplitFunction implements SluiceFunction {

    static {
        PdfDocuments.init();
    }

    @Override
    public String name() {
        return "pdf-split";
    }

    @Override
    public String description() {
        return "Split a PDF into one PDF per page, per chunk of N pages, or per page range.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.of("ranges", ParameterType.STRING, null, "Page ranges, one output each, e.g. 1-3,4,5- "
                        + "(5- means to the end). Without it the document is cut every 'chunk' pages."),
                ParameterSpec.of("chunk", ParameterType.INT, "1", "Pages per output when no ranges are given."),
                PdfDocuments.PASSWORD_SPEC,
                PdfDocuments.MAX_PAGES_SPEC);
    }

    @Override
    public void validate(Parameters parameters) {
        if (parameters.has("ranges")) {
            PageSelection.parse("ranges", parameters.get("ranges"));
        }
        if (parameters.getInt("chunk") < 1) {
            throw new ConfigException("pdf-split: chunk must be at least 1 page.");
        }
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Parameters parameters = invocation.parameters();
        validate(parameters);
        String name = invocation.input().key();
        try (PDDocument document = PdfDocuments.open(invocation)) {
            int pageCount = document.getNumberOfPages();
            List<int[]> ranges = ranges(parameters, pageCount);
            if (ranges.isEmpty()) {
                throw new BadInputException(name + " has " + pageCount + " page(s); ranges="
                        + parameters.get("ranges") + " selects none of them.");
            }
            for (int[] range : ranges) {
                invocation.checkDeadline();
                writePart(invocation, document, range[0], range[1]);
            }
        }
    }

    private static List<int[]> ranges(Parameters parameters, int pageCount) {
        if (parameters.has("ranges")) {
            // A range written twice would give two outputs of the same name; keep the first.
            Map<String, int[]> distinct = new LinkedHashMap<>();
            for (int[] range : PageSelection.parse("ranges", parameters.get("ranges")).rangesIn(pageCount)) {
                distinct.putIfAbsent(range[0] + "-" + range[1], range);
            }
            return new ArrayList<>(distinct.values());
        }
        int chunk = parameters.getInt("chunk");
        List<int[]> ranges = new ArrayList<>();
        for (int first = 1; first <= pageCount; first += chunk) {
            ranges.add(new int[] {first, Math.min(pageCount, first + chunk - 1)});
        }
        return ranges;
    }

    private static void writePart(Invocation invocation, PDDocument document, int first, int last) throws Exception {
        Splitter splitter = new Splitter();
        splitter.setStreamCacheCreateFunction(PdfDocuments.tempFileStreamCache());
        splitter.setStartPage(first);
        splitter.setEndPage(last);
        splitter.setSplitAtPage(last - first + 1);
        List<PDDocument> parts = splitter.split(document);
        try {
            if (parts.size() != 1) {
                throw new IllegalStateException("Splitter made " + parts.size() + " documents for pages " + first
                        + "-" + last);
            }
            String pages = first == last ? String.valueOf(first) : first + "-" + last;
            OutputSpec spec = OutputSpec.of("-p" + pages, "pdf", "application/pdf")
                    .with("first", first).with("last", last).with("pages", pages);
            try (OutputStream out = invocation.outputs().open(spec)) {
                parts.get(0).save(out);
            }
        } finally {
            for (PDDocument part : parts) {
                part.close();
            }
        }
    }
}
