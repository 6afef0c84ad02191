package dev.sluice.functions.ocr;

import dev.sluice.core.BadInputException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.function.Input;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.w3c.dom.NodeList;

/**
 * The pages of one input: the images of a PNG, JPEG, TIFF (every page), WebP or BMP file, turned upright as their
 * orientation tags say, or the pages of a PDF rendered with PDFBox. The kind is read from the file's first bytes,
 * not its name. Page count and pixel limits are checked when the document opens, before any page is decoded. Pages
 * are loaded one at a time, in order, from one thread (ImageIO readers and PDFBox documents are not thread-safe).
 */
abstract sealed class InputDocument implements AutoCloseable {

    /** What {@link #load} gives: a page to OCR, or (PDF with skip-text) the text a page already has. */
    sealed interface Page permits ImagePage, TextPage {
        int index();
    }

    /**
     * @param dpi      resolution, 0 when the file does not say
     * @param original the file's bytes when the page is a whole JPEG that a PDF can embed as it is, else null
     */
    record ImagePage(int index, BufferedImage image, int dpi, byte[] original) implements Page {
    }

    record TextPage(int index, String text) implements Page {
    }

    enum Kind { PNG, JPEG, TIFF, WEBP, BMP, PDF }

    final String name;

    private InputDocument(String name) {
        this.name = name;
    }

    static InputDocument open(Input input, OcrOptions options) throws IOException {
        String name = input.key();
        Kind kind = sniff(input);
        if (kind == null) {
            throw new BadInputException(name + " is not an image or PDF that OCR can read (its first bytes match "
                    + "none of PNG, JPEG, TIFF, WebP, BMP or PDF). Convert it to one of those formats.");
        }
        Path file = input.file();
        return kind == Kind.PDF ? new Pdf(name, file, options) : new Image(name, kind, file, options);
    }

    static Kind sniff(Input input) throws IOException {
        byte[] head = new byte[16];
        int n;
        try (InputStream in = input.openStream()) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G') {
            return Kind.PNG;
        }
        if (n >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8 && (head[2] & 0xff) == 0xFF) {
            return Kind.JPEG;
        }
        if (n >= 4 && ((head[0] == 'I' && head[1] == 'I' && head[2] == 42 && head[3] == 0)
                || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 42))) {
            return Kind.TIFF;
        }
        if (n >= 12 && head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F'
                && head[8] == 'W' && head[9] == 'E' && head[10] == 'B' && head[11] == 'P') {
            return Kind.WEBP;
        }
        if (n >= 2 && head[0] == 'B' && head[1] == 'M') {
            return Kind.BMP;
        }
        // PDF allows junk before the header; the first bytes are usually enough
        String start = new String(head, 0, Math.max(0, n), java.nio.charset.StandardCharsets.ISO_8859_1);
        if (start.contains("%PDF-")) {
            return Kind.PDF;
        }
        return null;
    }

    abstract Kind kind();

    abstract int pageCount();

    abstract Page load(int index) throws IOException;

    @Override
    public abstract void close() throws IOException;

    static void checkPages(String name, int pages, OcrOptions options) {
        if (pages <= 0) {
            throw new BadInputException(name + " has no pages that can be read. Re-export or re-scan it.");
        }
        if (pages > options.maxPages()) {
            throw new LimitExceededException(name + " has " + pages + " pages, more than max-pages="
                    + options.maxPages() + ". Split the document or raise max-pages for the ocr function.");
        }
    }

    static void checkPixels(String name, int page, long width, long height, OcrOptions options, String how) {
        if (width <= 0 || height <= 0) {
            throw new BadInputException(name + " page " + (page + 1) + " has no pixels (" + width + "x" + height
                    + "). The file is damaged; re-export or re-scan it.");
        }
        if (width * height > options.maxPixels()) {
            throw new LimitExceededException(name + " page " + (page + 1) + " is " + width + "x" + height + " pixels"
                    + how + ", more than max-pixels=" + options.maxPixels() + ". Scale it down"
                    + (how.isEmpty() ? "" : " or lower dpi") + ", or raise max-pixels for the ocr function.");
        }
    }

    /** An image file; TIFFs may have many pages, other formats give their first image. */
    static final class Image extends InputDocument {
        private final Kind kind;
        private final Path file;
        private final boolean keepJpeg;
        private final ImageInputStream stream;
        private final ImageReader reader;
        private final int pages;

        Image(String name, Kind kind, Path file, OcrOptions options) throws IOException {
            super(name);
            this.kind = kind;
            this.file = file;
            this.keepJpeg = kind == Kind.JPEG && options.wants(OcrOptions.Format.PDF);
            this.stream = ImageIO.createImageInputStream(file.toFile());
            if (stream == null) {
                throw new IOException("Cannot read " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                stream.close();
                throw new BadInputException(name + " looks like " + kind + " but no image reader accepts it; "
                        + "it is probably damaged. Re-export it.");
            }
            this.reader = readers.next();
            try {
                reader.setInput(stream, false, false);
                this.pages = kind == Kind.TIFF ? reader.getNumImages(true) : 1;
                checkPages(name, pages, options);
                for (int i = 0; i < pages; i++) {
                    checkPixels(name, i, reader.getWidth(i), reader.getHeight(i), options, "");
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e instanceof BadInputException bad ? bad : damaged(name, kind, e);
            }
        }

        @Override
        Kind kind() {
            return kind;
        }

        @Override
        int pageCount() {
            return pages;
        }

        @Override
        Page load(int index) throws IOException {
            BufferedImage image;
            try {
                image = reader.read(index);
            } catch (IOException | RuntimeException e) {
                throw damaged(name, kind, e);
            }
            int dpi = 0;
            try {
                dpi = dpi(reader.getImageMetadata(index));
            } catch (IOException | RuntimeException ignored) {
                // no resolution: Tesseract estimates it from the text size
            }
            int orientation = orientation(index);
            // a searchable PDF embeds a JPEG as it is, smaller and not recompressed; but not one that must be
            // turned, as PDF viewers do not read its orientation tag
            byte[] original = keepJpeg && orientation == 1 ? java.nio.file.Files.readAllBytes(file) : null;
            return new ImagePage(index, Images.upright(Images.normalize(image), orientation), dpi, original);
        }

        /** The page's orientation tag (1 to 8, see {@link OrientationTag}). */
        private int orientation(int index) {
            return switch (kind) {
                case TIFF -> OrientationTag.ofTiffPage(reader, index);
                case JPEG, PNG, WEBP -> OrientationTag.ofExif(file);
                default -> 1;
            };
        }

        private static BadInputException damaged(String name, Kind kind, Exception e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new BadInputException(name + " is not a readable " + kind.name().toLowerCase(Locale.ROOT)
                    + " image (" + reason + "). It may be truncated or damaged; re-export it.", e);
        }

        /** Dots per inch from the standard metadata tree (pixel size in millimetres), 0 when absent. */
        static int dpi(IIOMetadata metadata) {
            if (metadata == null || !metadata.isStandardMetadataFormatSupported()) {
                return 0;
            }
            IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree("javax_imageio_1.0");
            NodeList sizes = root.getElementsByTagName("VerticalPixelSize");
            if (sizes.getLength() == 0) {
                sizes = root.getElementsByTagName("HorizontalPixelSize");
            }
            if (sizes.getLength() == 0) {
                return 0;
            }
            try {
                double mmPerPixel = Double.parseDouble(((IIOMetadataNode) sizes.item(0)).getAttribute("value"));
                return mmPerPixel > 0 ? (int) Math.round(25.4 / mmPerPixel) : 0;
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        @Override
        public void close() throws IOException {
            reader.dispose();
            stream.close();
        }
    }

    /** A PDF: pages rendered at the options' dpi; with skip-text, pages that have text are passed through. */
    static final class Pdf extends InputDocument {
        private final PDDocument document;
        private final PDFRenderer renderer;
        private final OcrOptions options;

        Pdf(String name, Path file, OcrOptions options) throws IOException {
            super(name);
            this.options = options;
            try {
                document = Loader.loadPDF(file.toFile(), options.password(), null, null,
                        IOUtils.createTempFileOnlyStreamCache());
            } catch (InvalidPasswordException e) {
                throw new BadInputException(name + " is password-protected. Pass its user password in the "
                        + "'password' parameter (in a pipeline: password: ${PDF_PASSWORD}).", e);
            } catch (IOException | RuntimeException e) {
                throw new BadInputException(name + " is not a readable PDF (" + e.getMessage() + "). It may be "
                        + "truncated or damaged; repair or re-export it.", e);
            }
            try {
                checkPages(name, document.getNumberOfPages(), options);
                for (int i = 0; i < document.getNumberOfPages(); i++) {
                    PDRectangle box = document.getPage(i).getCropBox();
                    checkPixels(name, i, Math.round(box.getWidth() * options.dpi() / 72.0),
                            Math.round(box.getHeight() * options.dpi() / 72.0), options,
                            " at " + options.dpi() + " dpi");
                }
            } catch (RuntimeException e) {
                document.close();
                throw e instanceof BadInputException bad ? bad
                        : new BadInputException(name + " has a damaged page tree (" + e.getMessage() + ").", e);
            }
            renderer = new PDFRenderer(document);
        }

        PDDocument document() {
            return document;
        }

        @Override
        Kind kind() {
            return Kind.PDF;
        }

        @Override
        int pageCount() {
            return document.getNumberOfPages();
        }

        @Override
        Page load(int index) throws IOException {
            if (options.skipText()) {
                String text = textOf(index);
                if (!text.isBlank()) {
                    return new TextPage(index, text);
                }
            }
            try {
                BufferedImage image = renderer.renderImageWithDPI(index, options.dpi(), ImageType.RGB);
                return new ImagePage(index, Images.normalize(image), options.dpi(), null);
            } catch (IIOException e) {
                throw new BadInputException(name + " page " + (index + 1) + " has an image that cannot be decoded ("
                        + e.getMessage() + ").", e);
            } catch (IOException | RuntimeException e) {
                throw new BadInputException(name + " page " + (index + 1) + " cannot be rendered (" + e.getMessage()
                        + "). Repair or re-export the PDF.", e);
            }
        }

        private String textOf(int index) throws IOException {
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setStartPage(index + 1);
            stripper.setEndPage(index + 1);
            try {
                return stripper.getText(document);
            } catch (IOException | RuntimeException e) {
                return ""; // an unreadable text layer is as good as none: OCR the page
            }
        }

        @Override
        public void close() throws IOException {
            document.close();
        }
    }
}
