package dev.sluice.functions.ocr;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes the text, JSON and hOCR outputs from the pages' results. */
final class OcrWriters {
    private static final JsonFactory JSON = new JsonFactory();

    private OcrWriters() {
    }

    /** UTF-8 text, pages separated by a form feed. */
    static void text(List<PageResult> pages, OutputStream out) throws IOException {
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        for (int i = 0; i < pages.size(); i++) {
            if (i > 0) {
                writer.write('\f');
            }
            writer.write(pages.get(i).text());
        }
        writer.flush();
    }

    static void json(String source, NativeTesseract.Loaded library, OcrOptions options, List<PageResult> pages,
                     OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("source", source);
            json.writeStringField("engine", "tesseract " + library.version());
            json.writeStringField("languages", options.languages());
            json.writeNumberField("pageCount", pages.size());
            json.writeArrayFieldStart("pages");
            for (PageResult page : pages) {
                json.writeStartObject();
                json.writeNumberField("page", page.index() + 1);
                json.writeStringField("source", page.fromTextLayer() ? "text-layer" : "ocr");
                if (!page.fromTextLayer()) {
                    json.writeNumberField("width", page.width());
                    json.writeNumberField("height", page.height());
                    json.writeNumberField("dpi", page.dpi());
                    json.writeNumberField("rotation", page.rotation());
                    json.writeNumberField("deskew", Math.round(page.deskewDegrees() * 100) / 100.0);
                    json.writeNumberField("meanConfidence", page.meanConfidence());
                }
                json.writeStringField("text", page.text());
                json.writeArrayFieldStart("words");
                for (PageResult.Word word : page.words()) {
                    json.writeStartObject();
                    json.writeStringField("text", word.text());
                    json.writeNumberField("confidence", word.confidence());
                    json.writeArrayFieldStart("box");
                    json.writeNumber(word.x());
                    json.writeNumber(word.y());
                    json.writeNumber(word.width());
                    json.writeNumber(word.height());
                    json.writeEndArray();
                    json.writeNumberField("block", word.block());
                    json.writeNumberField("paragraph", word.paragraph());
                    json.writeNumberField("line", word.line());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    /** One XHTML document with an {@code ocr_page} per page, as Tesseract's hOCR renderer writes it. */
    static void hocr(String source, NativeTesseract.Loaded library, List<PageResult> pages, OutputStream out)
            throws IOException {
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        writer.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
                + "    \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
                + "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
                + " <head>\n"
                + "  <title>" + escape(source) + "</title>\n"
                + "  <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
                + "  <meta name='ocr-system' content='tesseract " + escape(library.version()) + "' />\n"
                + "  <meta name='ocr-capabilities' content='ocr_page ocr_carea ocr_par ocr_line ocrx_word "
                + "ocrp_wconf'/>\n"
                + " </head>\n"
                + " <body>\n");
        for (PageResult page : pages) {
            if (page.hocr() != null) {
                writer.write(page.hocr());
            } else {
                // a page whose text layer was kept (skip-text): no boxes, only its number and text
                writer.write("  <div class='ocr_page' id='page_" + (page.index() + 1) + "' title='ppageno "
                        + page.index() + "'>\n   <p class='ocr_par'>" + escape(page.text()) + "</p>\n  </div>\n");
            }
        }
        writer.write(" </body>\n</html>\n");
        writer.flush();
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
