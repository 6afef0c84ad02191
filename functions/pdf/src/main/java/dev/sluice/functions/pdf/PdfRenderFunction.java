package dev.sluice.functions.pdf;

import dev.sluice.core.ConfigException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;

/**
 * {@code pdf-render}: pages as PNG or JPEG images, like {@code pdftoppm}, at a resolution ({@code dpi}) or a target
 * width in pixels. {@code pages=1 width=256} is a first-page thumbnail; {@code pages=no-text} renders only the
 * pages without a text layer, ready for an OCR step chained after it.
 */
public final class PdfRenderFunction implements SluiceFunction {
    static final String NO_TEXT = "no-text";

    static {
        PdfDocuments.init();
    }

    @Override
    public String name() {
        return "pdf-render";
    }

    @Override
    public String description() {
        return "Render PDF pages to PNG or JPEG at a dpi or a target width (first-page thumbnails, "
                + "or pages without text for OCR).";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.of("pages", ParameterType.STRING, "1", "Pages to render: " + PageSelection.SYNTAX
                        + "; or no-text for the pages that have no text layer (scanned pages that need OCR)."),
                ParameterSpec.of("dpi", ParameterType.DOUBLE, "150", "Resolution in dots per inch (72 = 1 pixel per point)."),
                ParameterSpec.of("width", ParameterType.INT, null,
                        "Target width in pixels; overrides dpi, the height follows the page's aspect ratio."),
                ParameterSpec.oneOf("format", "png", "Image format.", "png", "jpeg"),
                ParameterSpec.of("quality", ParameterType.INT, "85", "JPEG quality 1-100."),
                ParameterSpec.of("max-pixels", ParameterType.INT, "25000000",
                        "Refuse to render a page larger than this many pixels (width x height); lower dpi or width."),
                PdfDocuments.PASSWORD_SPEC,
                PdfDocuments.MAX_PAGES_SPEC);
    }

    @Override
    public void validate(Parameters parameters) {
        pagesParameter(parameters);
        if (parameters.has("width") && parameters.getInt("width") <= 0) {
            throw new ConfigException("pdf-render: width must be a positive number of pixels, e.g. 256.");
        }
        if (!parameters.has("width") && (parameters.getDouble("dpi") <= 0 || parameters.getDouble("dpi") > 2400)) {
            throw new ConfigException("pdf-render: dpi must be between 1 and 2400, e.g. 150.");
        }
    }

    /** The selection, or {@code null} for {@code no-text}. */
    private static PageSelection pagesParameter(Parameters parameters) {
        String pages = parameters.get("pages").trim().toLowerCase(Locale.ROOT);
        return pages.equals(NO_TEXT) ? null : PageSelection.parse("pages", pages);
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Parameters parameters = invocation.parameters();
        validate(parameters);
        PageSelection selection = pagesParameter(parameters);
        String format = parameters.getChoice("format");
        String name = invocation.input().key();
        try (PDDocument document = PdfDocuments.open(invocation)) {
            List<Integer> pages;
            if (selection == null) {
                pages = pagesWithoutText(document, invocation);
            } else {
                pages = selection.requirePagesIn(document.getNumberOfPages(), "pages", name);
            }
            PDFRenderer renderer = new PDFRenderer(document);
            renderer.setSubsamplingAllowed(true); // big scanned images are read at the resolution needed, not full
            for (int number : pages) {
                invocation.checkDeadline();
                PDPage page = document.getPage(number - 1);
                float scale = scale(page, parameters);
                checkPixels(page, scale, number, parameters, name);
                BufferedImage image = renderer.renderImage(number - 1, scale, ImageType.RGB);
                boolean jpeg = format.equals("jpeg");
                OutputSpec spec = OutputSpec.of("-p" + number, jpeg ? "jpg" : "png", jpeg ? "image/jpeg" : "image/png")
                        .with("page", number).with("width", image.getWidth()).with("height", image.getHeight());
                try (OutputStream out = invocation.outputs().open(spec)) {
                    if (jpeg) {
                        ImageEncoding.writeJpeg(image, parameters.getInt("quality"), out);
                    } else {
                        ImageEncoding.writePng(image, out);
                    }
                }
            }
        }
    }

    private static List<Integer> pagesWithoutText(PDDocument document, Invocation invocation) throws IOException {
        List<Integer> pages = new ArrayList<>();
        new PageTextExtractor(PageSelection.ALL, invocation::checkDeadline, page -> {
            if (!page.hasTextLayer()) {
                pages.add(page.number());
            }
        }).extract(document);
        return pages;
    }

    /** Pixels per point: from the target width if given, else from the dpi. */
    private static float scale(PDPage page, Parameters parameters) {
        if (parameters.has("width")) {
            // +0.1 because PDFBox floors width * scale; this lands exactly on the requested width.
            return (float) ((parameters.getInt("width") + 0.1) / visibleSize(page)[0]);
        }
        return (float) (parameters.getDouble("dpi") / 72.0);
    }

    /** Width and height of the page as shown, in points (crop box, rotation applied). */
    private static float[] visibleSize(PDPage page) {
        PDRectangle box = page.getCropBox();
        boolean sideways = Math.abs(page.getRotation()) % 180 == 90;
        float width = Math.max(1f, sideways ? box.getHeight() : box.getWidth());
        float height = Math.max(1f, sideways ? box.getWidth() : box.getHeight());
        return new float[] {width, height};
    }

    private static void checkPixels(PDPage page, float scale, int number, Parameters parameters, String name) {
        float[] size = visibleSize(page);
        long width = (long) Math.floor(size[0] * scale);
        long height = (long) Math.floor(size[1] * scale);
        long maxPixels = parameters.getLong("max-pixels");
        if (width * height > maxPixels) {
            throw new LimitExceededException(name + ": page " + number + " would render at " + width + "x" + height
                    + " = " + width * height + " pixels, more than max-pixels=" + maxPixels
                    + ". Lower dpi or width, or raise max-pixels.");
        }
    }
}
