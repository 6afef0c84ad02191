package dev.sluice.functions.ocr;

import java.awt.geom.AffineTransform;
import java.awt.geom.NoninvertibleTransformException;
import java.awt.image.BufferedImage;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.multipdf.LayerUtility;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.apache.pdfbox.pdmodel.graphics.image.CCITTFactory;
import org.apache.pdfbox.pdmodel.graphics.image.JPEGFactory;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.util.Matrix;

/**
 * Builds the searchable PDF. Tesseract renders each page's invisible text (its GlyphLessFont, so any script
 * works) as a text-only page; PDFBox places that page as a form over the page image, like OCRmyPDF grafts its
 * text layer. Image inputs get one new page per image (a JPEG is embedded as it is, a bilevel scan as CCITT G4);
 * a PDF input keeps its pages and gains the text layer, turned upright when OSD turned the page.
 */
final class SearchablePdf implements Closeable {
    private final PDDocument document;
    private final boolean ownsDocument;
    private final LayerUtility layers;
    private final List<PDDocument> textLayers = new ArrayList<>();

    private SearchablePdf(PDDocument document, boolean ownsDocument) {
        this.document = document;
        this.ownsDocument = ownsDocument;
        this.layers = new LayerUtility(document);
    }

    static SearchablePdf fromImages() {
        return new SearchablePdf(new PDDocument(IOUtils.createTempFileOnlyStreamCache()), true);
    }

    /** Adds text layers to {@code original}'s pages; the caller keeps ownership of it. */
    static SearchablePdf overlaying(PDDocument original) {
        return new SearchablePdf(original, false);
    }

    /** True when pages are laid over an input PDF, false when made from images. */
    boolean overlays() {
        return !ownsDocument;
    }

    /** Appends a page made from the recognised image plus its text layer. */
    void addImagePage(PageResult page) throws IOException {
        float dpi = page.dpi() > 0 ? page.dpi() : 300;
        float width = page.width() * 72f / dpi;
        float height = page.height() * 72f / dpi;
        PDPage pdfPage = new PDPage(new PDRectangle(width, height));
        document.addPage(pdfPage);
        PDImageXObject image = image(page.image(), page.originalJpeg());
        try (PDPageContentStream content = new PDPageContentStream(document, pdfPage)) {
            content.drawImage(image, 0, 0, width, height);
            drawTextLayer(content, page, new AffineTransform(), width, height);
        }
    }

    /** Lays the text layer over page {@code page.index()} of the original PDF. */
    void overlayPage(PageResult page) throws IOException {
        if (page.fromTextLayer()) {
            return;
        }
        PDPage pdfPage = document.getPage(page.index());
        int rotation = ((pdfPage.getRotation() + page.rotation()) % 360 + 360) % 360;
        pdfPage.setRotation(rotation);
        PDRectangle crop = pdfPage.getCropBox();
        boolean sideways = rotation % 180 != 0;
        float displayWidth = sideways ? crop.getHeight() : crop.getWidth();
        float displayHeight = sideways ? crop.getWidth() : crop.getHeight();
        AffineTransform toUser;
        try {
            toUser = userToDisplay(crop, rotation, displayHeight).createInverse();
        } catch (NoninvertibleTransformException e) {
            throw new IllegalStateException(e);
        }
        if (page.deskewDegrees() != 0) {
            // the text was found on the straightened image: tilt it back onto the page as printed
            toUser.rotate(Math.toRadians(-page.deskewDegrees()), displayWidth / 2.0, displayHeight / 2.0);
        }
        try (PDPageContentStream content = new PDPageContentStream(document, pdfPage,
                PDPageContentStream.AppendMode.APPEND, true, true)) {
            drawTextLayer(content, page, toUser, displayWidth, displayHeight);
        }
    }

    /**
     * Maps user space to the page as displayed (rotation applied, origin bottom left, y up), the frame in which
     * PDFBox rendered the page for OCR. Mirrors PDFRenderer: rotate into device space, then flip y.
     */
    static AffineTransform userToDisplay(PDRectangle crop, int rotation, float displayHeight) {
        AffineTransform t = new AffineTransform();
        t.translate(0, displayHeight);
        t.scale(1, -1);
        switch (rotation) {
            case 90 -> t.translate(crop.getHeight(), 0);
            case 180 -> t.translate(crop.getWidth(), crop.getHeight());
            case 270 -> t.translate(0, crop.getWidth());
            default -> {
            }
        }
        t.rotate(Math.toRadians(rotation));
        t.translate(0, crop.getHeight());
        t.scale(1, -1);
        t.translate(-crop.getLowerLeftX(), -crop.getLowerLeftY());
        return t;
    }

    private void drawTextLayer(PDPageContentStream content, PageResult page, AffineTransform toUser, float width,
                               float height) throws IOException {
        PDDocument layer = Loader.loadPDF(page.textLayerPdf());
        textLayers.add(layer);
        PDFormXObject form = layers.importPageAsForm(layer, 0);
        PDRectangle box = form.getBBox();
        AffineTransform placement = new AffineTransform(toUser);
        placement.scale(width / box.getWidth(), height / box.getHeight());
        placement.translate(-box.getLowerLeftX(), -box.getLowerLeftY());
        content.saveGraphicsState();
        content.transform(new Matrix(placement));
        content.drawForm(form);
        content.restoreGraphicsState();
    }

    private PDImageXObject image(BufferedImage image, byte[] originalJpeg) throws IOException {
        if (originalJpeg != null) {
            return JPEGFactory.createFromByteArray(document, originalJpeg);
        }
        if (image.getType() == BufferedImage.TYPE_BYTE_BINARY) {
            return CCITTFactory.createFromImage(document, image);
        }
        return LosslessFactory.createFromImage(document, image);
    }

    void save(OutputStream out) throws IOException {
        document.save(out);
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (PDDocument layer : textLayers) {
            try {
                layer.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (ownsDocument) {
            document.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
