package dev.sluice.functions.ocr;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What OCR found on one page.
 *
 * @param index          page index from 0
 * @param width          width of the image that was recognised (after turning), in pixels
 * @param dpi            resolution Tesseract worked with
 * @param rotation       clockwise degrees the page was turned to make it upright (0, 90, 180, 270)
 * @param deskewDegrees  anticlockwise degrees the page was turned to level its lines
 * @param meanConfidence Tesseract's mean word confidence, 0-100
 * @param fromTextLayer  the text came from the PDF's own text layer (skip-text), not from OCR
 * @param words          word boxes when JSON output was asked for, else empty
 * @param hocr           the page's hOCR {@code ocr_page} element when hOCR was asked for, else null
 * @param textLayerPdf   a one-page PDF with only the invisible text, when PDF output was asked for, else null
 * @param image          the recognised image when PDF output is built from images, else null
 */
record PageResult(int index, int width, int height, int dpi, int rotation, double deskewDegrees, int meanConfidence,
                  boolean fromTextLayer, String text, List<Word> words, String hocr, byte[] textLayerPdf,
                  BufferedImage image, byte[] originalJpeg) {

    /** A recognised word; the box is in pixels of the recognised image, origin top left. */
    record Word(String text, float confidence, int x, int y, int width, int height, int block, int paragraph,
                int line) {
    }

    static PageResult fromTextLayer(int index, String text) {
        return new PageResult(index, 0, 0, 0, 0, 0, -1, true, text, List.of(), null, null, null, null);
    }
}
