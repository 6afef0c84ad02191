package dev.sluice.functions.pdf;

import dev.sluice.core.LimitExceededException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.pdfbox.contentstream.PDFGraphicsStreamEngine;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSNumber;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.graphics.color.PDColorSpace;
import org.apache.pdfbox.pdmodel.graphics.color.PDDeviceGray;
import org.apache.pdfbox.pdmodel.graphics.color.PDDeviceRGB;
import org.apache.pdfbox.pdmodel.graphics.color.PDICCBased;
import org.apache.pdfbox.pdmodel.graphics.image.PDImage;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * {@code pdf-images}: the raster images embedded in a PDF, like {@code pdfimages}. JPEG and JPEG 2000 images are
 * copied as stored (no re-encoding, no loss) unless a format is forced; everything else is decoded and written as
 * PNG. Each output is named {@code <name>-p<page>-i<index>}, the index counting images in drawing order on that
 * page; an image drawn on several pages is written once, for the first page, unless {@code unique=false}.
 */
public final class PdfImagesFunction implements SluiceFunction {

    static {
        PdfDocuments.init();
    }

    @Override
    public String name() {
        return "pdf-images";
    }

    @Override
    public String description() {
        return "Extract the embedded raster images of a PDF as JPEG (as stored) or PNG, named by page and index.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.oneOf("format", "original", "original: JPEG and JPEG 2000 as stored, others PNG; "
                        + "png or jpeg: decode every image and write that format", "original", "png", "jpeg"),
                ParameterSpec.of("quality", ParameterType.INT, "90", "JPEG quality 1-100 when images are re-encoded."),
                ParameterSpec.of("pages", ParameterType.STRING, "all", "Pages to look at: " + PageSelection.SYNTAX + "."),
                ParameterSpec.of("min-size", ParameterType.INT, "1",
                        "Skip images narrower or lower than this many pixels (icons, rules, spacers)."),
                ParameterSpec.of("unique", ParameterType.BOOLEAN, "true",
                        "Write an image used on several pages once (for the first page it appears on)."),
                ParameterSpec.of("max-images", ParameterType.INT, "1000",
                        "Fail when a document has more images than this (raise it, or select fewer pages)."),
                ParameterSpec.of("max-pixels", ParameterType.INT, "25000000",
                        "Larger images are decoded subsampled to at most this many pixels, bounding memory."),
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
        Settings settings = new Settings(parameters.getChoice("format"), parameters.getInt("quality"),
                Math.max(1, parameters.getInt("min-size")), parameters.getBoolean("unique"),
                parameters.getInt("max-images"), Math.max(1, parameters.getInt("max-pixels")));
        String name = invocation.input().key();
        try (PDDocument document = PdfDocuments.open(invocation)) {
            selection.requirePagesIn(document.getNumberOfPages(), "pages", name);
            Set<COSBase> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            int[] written = {0};
            int number = 0;
            for (PDPage page : document.getPages()) {
                number++;
                if (!selection.contains(number)) {
                    continue;
                }
                invocation.checkDeadline();
                PageImages collector = new PageImages(page, number, invocation, settings, seen, written);
                collector.processPage(page);
                collector.rethrowWriteFailure();
            }
            invocation.logger().debug("{}: {} image(s) written", name, written[0]);
        }
    }

    private record Settings(String format, int quality, int minSize, boolean unique, int maxImages, int maxPixels) {
    }

    /** Walks one page's content (and the forms it draws) and writes every image it draws. */
    private static final class PageImages extends PDFGraphicsStreamEngine {
        private final int pageNumber;
        private final Invocation invocation;
        private final Settings settings;
        private final Set<COSBase> seen;
        private final int[] written;
        private int index;
        private IOException writeFailure;

        PageImages(PDPage page, int pageNumber, Invocation invocation, Settings settings, Set<COSBase> seen,
                   int[] written) {
            super(page);
            this.pageNumber = pageNumber;
            this.invocation = invocation;
            this.settings = settings;
            this.seen = seen;
            this.written = written;
        }

        @Override
        public void drawImage(PDImage image) throws IOException {
            if (writeFailure != null) {
                return;
            }
            if (image instanceof PDImageXObject xobject && settings.unique() && !seen.add(xobject.getCOSObject())) {
                return;
            }
            if (image.isStencil() || image.getWidth() < settings.minSize() || image.getHeight() < settings.minSize()) {
                return; // stencil masks are shapes painted in a colour, not pictures
            }
            invocation.checkDeadline();
            if (written[0] >= settings.maxImages()) {
                throw new LimitExceededException(invocation.input().key() + " has more than max-images="
                        + settings.maxImages() + " images. Raise max-images or select fewer pages.");
            }
            Encoded encoded;
            try {
                encoded = encode(image);
            } catch (IOException | RuntimeException e) {
                // One undecodable image (unsupported filter, damaged data) must not cost the others.
                invocation.logger().warn("{}: image {} on page {} cannot be decoded and is skipped: {}",
                        invocation.input().key(), index + 1, pageNumber, e.toString());
                return;
            }
            index++;
            OutputSpec spec = OutputSpec.of("-p" + pageNumber + "-i" + index, encoded.extension, encoded.contentType)
                    .with("page", pageNumber).with("index", index)
                    .with("width", image.getWidth()).with("height", image.getHeight());
            try {
                invocation.outputs().write(spec, encoded.bytes);
                written[0]++;
            } catch (IOException e) {
                // PDFBox swallows IOExceptions from "Do"; keep it and fail the invocation after the page.
                writeFailure = e;
            }
        }

        void rethrowWriteFailure() throws IOException {
            if (writeFailure != null) {
                throw writeFailure;
            }
        }

        private record Encoded(byte[] bytes, String extension, String contentType) {
        }

        private Encoded encode(PDImage image) throws IOException {
            String format = settings.format();
            if (format.equals("original") && image instanceof PDImageXObject xobject) {
                List<COSName> filters = xobject.getStream().getFilters();
                if (!filters.isEmpty() && filters.get(filters.size() - 1).equals(COSName.DCT_DECODE)
                        && isPlainJpeg(xobject)) {
                    return new Encoded(raw(xobject, COSName.DCT_DECODE), "jpg", "image/jpeg");
                }
            }
            if (image instanceof PDImageXObject xobject && xobject.getStream().getFilters().contains(COSName.JPX_DECODE)
                    && (format.equals("original") || !canDecodeJpeg2000())) {
                return new Encoded(raw(xobject, COSName.JPX_DECODE), "jp2", "image/jp2");
            }
            long pixels = (long) image.getWidth() * image.getHeight();
            int subsampling = pixels <= settings.maxPixels() ? 1
                    : (int) Math.ceil(Math.sqrt((double) pixels / settings.maxPixels()));
            BufferedImage decoded = image.getImage(null, subsampling);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (format.equals("jpeg")) {
                ImageEncoding.writeJpeg(decoded, settings.quality(), bytes);
                return new Encoded(bytes.toByteArray(), "jpg", "image/jpeg");
            }
            ImageEncoding.writePng(decoded, bytes);
            return new Encoded(bytes.toByteArray(), "png", "image/png");
        }

        /** A JPEG whose stored bytes show what the page shows: gray or RGB, no mask, no inverted Decode. */
        private static boolean isPlainJpeg(PDImageXObject image) throws IOException {
            if (image.getCOSObject().containsKey(COSName.SMASK) || image.getCOSObject().containsKey(COSName.MASK)) {
                return false;
            }
            COSArray decode = image.getDecode();
            if (decode != null && decode.size() >= 2 && decode.getObject(0) instanceof COSNumber low
                    && low.floatValue() != 0f) {
                return false;
            }
            PDColorSpace colorSpace = image.getColorSpace();
            if (colorSpace instanceof PDDeviceGray || colorSpace instanceof PDDeviceRGB) {
                return true;
            }
            return colorSpace instanceof PDICCBased icc && (icc.getNumberOfComponents() == 1
                    || icc.getNumberOfComponents() == 3);
        }

        private static byte[] raw(PDImageXObject image, COSName stopAt) throws IOException {
            try (InputStream in = image.createInputStream(List.of(stopAt.getName()))) {
                return in.readAllBytes();
            }
        }

        private static boolean canDecodeJpeg2000() {
            return javax.imageio.ImageIO.getImageReadersByFormatName("JPEG2000").hasNext();
        }

        /**
         * Text is not images: skipping it saves loading fonts, and leaves out the bitmaps some Type 3 fonts draw
         * as glyphs (emoji, scanned letters), as pdfimages does.
         */
        @Override
        protected void showText(byte[] string) {
        }

        // Paths, clips and shadings are not images: nothing to do.
        @Override
        public void appendRectangle(Point2D p0, Point2D p1, Point2D p2, Point2D p3) {
        }

        @Override
        public void clip(int windingRule) {
        }

        @Override
        public void moveTo(float x, float y) {
        }

        @Override
        public void lineTo(float x, float y) {
        }

        @Override
        public void curveTo(float x1, float y1, float x2, float y2, float x3, float y3) {
        }

        @Override
        public Point2D getCurrentPoint() {
            return new Point2D.Float(0, 0);
        }

        @Override
        public void closePath() {
        }

        @Override
        public void endPath() {
        }

        @Override
        public void strokePath() {
        }

        @Override
        public void fillPath(int windingRule) {
        }

        @Override
        public void fillAndStrokePath(int windingRule) {
        }

        @Override
        public void shadingFill(COSName shadingName) {
        }
    }
}
