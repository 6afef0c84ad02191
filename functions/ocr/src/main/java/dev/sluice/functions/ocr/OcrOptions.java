package dev.sluice.functions.ocr;

import dev.sluice.core.ConfigException;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The parameters of one {@code ocr} invocation, checked and typed. */
record OcrOptions(Set<Format> formats, String languages, Path tessdata, int psm, boolean autoRotate, boolean deskew,
                  int dpi, boolean skipText, String password, long maxPixels, int maxPages, Duration pageTimeout,
                  int engines, int engineMaxUses, Duration engineIdleTimeout) {

    /** What the invocation writes; several formats come from one OCR pass. */
    enum Format {
        TEXT("txt", "text/plain; charset=utf-8"),
        JSON("json", "application/json"),
        HOCR("hocr", "text/vnd.hocr+html; charset=utf-8"),
        PDF("pdf", "application/pdf");

        final String extension;
        final String contentType;

        Format(String extension, String contentType) {
            this.extension = extension;
            this.contentType = contentType;
        }

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final int DEFAULT_ENGINES = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** Page segmentation modes that recognise text (0 and 2 only analyse layout). */
    private static final Set<Integer> PSMS = Set.of(1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);

    static List<ParameterSpec> specs() {
        return List.of(
                ParameterSpec.of("format", ParameterType.STRING, "text", "What to write, one or more joined with "
                        + "commas (e.g. text,pdf), all from one OCR pass: text (UTF-8, a form feed between pages), "
                        + "json (per page: text, words with boxes and confidence), hocr (hOCR XHTML), pdf (searchable "
                        + "PDF: the page image, or the original PDF page, with an invisible text layer)."),
                ParameterSpec.of("lang", ParameterType.STRING, "eng", "Tesseract languages joined with +, e.g. "
                        + "eng+deu. eng ships with Sluice; others come from the tessdata folder or the system's "
                        + "tesseract-ocr-* packages."),
                ParameterSpec.of("tessdata", ParameterType.STRING, null, "Folder with extra .traineddata files "
                        + "(e.g. from tessdata_fast); set it once for every step in functions.ocr.params."),
                ParameterSpec.of("psm", ParameterType.INT, "3", "Tesseract page segmentation mode: 3 automatic, 4 one "
                        + "column, 6 one block, 7 one line, 11 sparse text, ..."),
                ParameterSpec.of("auto-rotate", ParameterType.BOOLEAN, "true", "Turn pages that lie on their side or "
                        + "upside down upright: a page whose text reads poorly is checked with Tesseract's orientation "
                        + "detection (OSD) and OCRed again turned by 90, 180 or 270 degrees."),
                ParameterSpec.of("deskew", ParameterType.BOOLEAN, "false", "Straighten slightly tilted pages before "
                        + "OCR; the hOCR/JSON boxes and the PDF page image are of the straightened page."),
                ParameterSpec.of("dpi", ParameterType.INT, "300", "Resolution at which PDF pages are rendered for OCR."),
                ParameterSpec.of("skip-text", ParameterType.BOOLEAN, "true", "PDF pages that already have a text layer "
                        + "are not OCRed: their text is used as it is and the page is copied unchanged."),
                ParameterSpec.of("password", ParameterType.STRING, null, "User password of an encrypted PDF."),
                ParameterSpec.of("max-pixels", ParameterType.INT, "50000000", "Refuse pages larger than this many "
                        + "pixels (width x height, for PDFs at the chosen dpi) before decoding them."),
                ParameterSpec.of("max-pages", ParameterType.INT, "500", "Refuse documents with more pages, before work."),
                ParameterSpec.of("page-timeout", ParameterType.INT, "120", "Seconds one page may take; a slower "
                        + "page fails the invocation."),
                ParameterSpec.of("engines", ParameterType.INT, String.valueOf(DEFAULT_ENGINES), "Pages OCRed at once "
                        + "in this process (one engine each, one thread each); default: the number of cores."),
                ParameterSpec.of("engine-max-uses", ParameterType.INT, "200", "Pages after which an engine is "
                        + "replaced by a fresh one, so native memory cannot grow without bound."),
                ParameterSpec.of("engine-idle-timeout", ParameterType.INT, "60", "Seconds after which idle engines "
                        + "are closed (scale to zero); the next page then pays the engine start again."));
    }

    static OcrOptions from(Parameters p) {
        Set<Format> formats = EnumSet.noneOf(Format.class);
        for (String part : p.get("format").split(",")) {
            String id = part.trim().toLowerCase(Locale.ROOT);
            if (id.equals("txt")) {
                id = "text";
            }
            try {
                formats.add(Format.valueOf(id.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("Parameter 'format' of function 'ocr' has '" + part.trim()
                        + "'; use text, json, hocr or pdf, several joined with commas (e.g. text,pdf).");
            }
        }
        String languages = p.get("lang").trim();
        TessData.checkLanguages(languages);
        int psm = p.getInt("psm");
        if (!PSMS.contains(psm)) {
            throw new ConfigException("Parameter 'psm' of function 'ocr' is " + psm + "; use a mode that recognises "
                    + "text: 1, 3 (automatic), 4 to 13.");
        }
        int dpi = p.getInt("dpi");
        if (dpi < 36 || dpi > 1200) {
            throw new ConfigException("Parameter 'dpi' of function 'ocr' is " + dpi + "; use 36 to 1200 (300 suits "
                    + "most scans).");
        }
        return new OcrOptions(formats, languages, p.find("tessdata").map(Path::of).orElse(null), psm,
                p.getBoolean("auto-rotate"), p.getBoolean("deskew"), dpi, p.getBoolean("skip-text"),
                p.find("password").orElse(""),
                positive(p, "max-pixels"), (int) positive(p, "max-pages"),
                Duration.ofSeconds(positive(p, "page-timeout")), (int) positive(p, "engines"),
                (int) positive(p, "engine-max-uses"), Duration.ofSeconds(positive(p, "engine-idle-timeout")));
    }

    private static long positive(Parameters p, String name) {
        long value = p.getLong(name);
        if (value <= 0) {
            throw new ConfigException("Parameter '" + name + "' of function 'ocr' must be at least 1, not " + value
                    + ".");
        }
        return value;
    }

    boolean wants(Format format) {
        return formats.contains(format);
    }
}
