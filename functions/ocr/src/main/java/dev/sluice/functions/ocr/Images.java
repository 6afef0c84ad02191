package dev.sluice.functions.ocr;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Brings decoded images into one of three forms that Tesseract takes without conversion — bilevel (1 bit, set
 * bit = white), 8-bit grey, or 24-bit colour — and turns them. Keeping bilevel scans bilevel matters: Tesseract
 * skips thresholding for them, as it does when its command line reads the same file.
 */
final class Images {
    private static final IndexColorModel BLACK_WHITE = new IndexColorModel(1, 2,
            new byte[] {0, (byte) 255}, new byte[] {0, (byte) 255}, new byte[] {0, (byte) 255});

    /** Pixels as Tesseract's {@code SetImage} wants them. */
    record TessImage(byte[] data, int width, int height, int bytesPerPixel, int bytesPerLine) {
    }

    private Images() {
    }

    static BufferedImage normalize(BufferedImage image) {
        if (isBilevel(image)) {
            return toStandardBilevel(image);
        }
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            return image;
        }
        boolean grey = image.getColorModel().getNumColorComponents() == 1
                && !(image.getColorModel() instanceof IndexColorModel);
        BufferedImage target = new BufferedImage(image.getWidth(), image.getHeight(),
                grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        try {
            // transparent areas become white paper, as Leptonica does for the Tesseract command line
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return target;
    }

    static boolean isBilevel(BufferedImage image) {
        return image.getColorModel() instanceof IndexColorModel icm && icm.getMapSize() <= 2
                && image.getSampleModel().getSampleSize(0) == 1 && !icm.hasAlpha();
    }

    /** A copy with 0 = black, 1 = white, rows padded to whole bytes. */
    private static BufferedImage toStandardBilevel(BufferedImage image) {
        IndexColorModel icm = (IndexColorModel) image.getColorModel();
        boolean oneIsWhite = icm.getMapSize() < 2 || brightness(icm.getRGB(1)) >= brightness(icm.getRGB(0));
        if (oneIsWhite && icm.getMapSize() == 2 && isPlainPacked(image)) {
            return image;
        }
        BufferedImage target = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_BINARY,
                BLACK_WHITE);
        if (isPlainPacked(image)) {
            // scans stored white-is-zero (most fax and TIFF G4 files): flip the bits a byte at a time
            byte[] source = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            byte[] out = ((DataBufferByte) target.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < out.length; i++) {
                out[i] = oneIsWhite ? source[i] : (byte) ~source[i];
            }
            return target;
        }
        Raster source = image.getRaster();
        WritableRaster out = target.getRaster();
        int[] row = new int[image.getWidth()];
        for (int y = 0; y < image.getHeight(); y++) {
            source.getSamples(0, y, image.getWidth(), 1, 0, row);
            if (!oneIsWhite) {
                for (int x = 0; x < row.length; x++) {
                    row[x] ^= 1;
                }
            }
            out.setSamples(0, y, image.getWidth(), 1, 0, row);
        }
        return target;
    }

    private static boolean isPlainPacked(BufferedImage image) {
        return image.getRaster().getDataBuffer() instanceof DataBufferByte
                && image.getSampleModel() instanceof MultiPixelPackedSampleModel sm
                && sm.getDataBitOffset() == 0 && image.getRaster().getSampleModelTranslateX() == 0
                && image.getRaster().getSampleModelTranslateY() == 0
                && sm.getScanlineStride() == (image.getWidth() + 7) / 8;
    }

    private static int brightness(int rgb) {
        return ((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff);
    }

    /** The pixels of a {@link #normalize normalized} image. */
    static TessImage toTess(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_BYTE_BINARY) {
            byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            return new TessImage(data, w, h, 0, (w + 7) / 8);
        }
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY && isUnshared(image)) {
            byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            int stride = data.length / h;
            return new TessImage(data, w, h, 1, stride);
        }
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && isUnshared(image)) {
            byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            byte[] rgb = new byte[bgr.length];
            for (int i = 0; i + 2 < bgr.length; i += 3) {
                rgb[i] = bgr[i + 2];
                rgb[i + 1] = bgr[i + 1];
                rgb[i + 2] = bgr[i];
            }
            return new TessImage(rgb, w, h, 3, w * 3);
        }
        return toTess(normalizeCopy(image));
    }

    private static boolean isUnshared(BufferedImage image) {
        WritableRaster raster = image.getRaster();
        return raster.getDataBuffer() instanceof DataBufferByte && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0 && raster.getParent() == null;
    }

    private static BufferedImage normalizeCopy(BufferedImage image) {
        BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = copy.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return copy;
    }

    /**
     * As it is meant to be seen: an EXIF/TIFF orientation (1 to 8; anything else counts as 1) undone by a mirror
     * and a quarter turn. Photos from phones and cameras are stored as the sensor saw them and only tagged with how
     * to turn them; Tesseract reads pixels, so a mirrored or sideways page must be turned first.
     */
    static BufferedImage upright(BufferedImage image, int orientation) {
        return switch (orientation) {
            case 2 -> mirrored(image);
            case 3 -> rotateQuadrants(image, 180);
            case 4 -> rotateQuadrants(mirrored(image), 180);
            case 5 -> rotateQuadrants(mirrored(image), 270);
            case 6 -> rotateQuadrants(image, 90);
            case 7 -> rotateQuadrants(mirrored(image), 90);
            case 8 -> rotateQuadrants(image, 270);
            default -> image;
        };
    }

    /** Mirrored left to right; the same form as the input. */
    static BufferedImage mirrored(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage target = blankLike(image, w, h);
        Raster source = image.getRaster();
        WritableRaster out = target.getRaster();
        int bands = source.getNumBands();
        int[] row = new int[w * bands];
        int[] flipped = new int[w * bands];
        for (int y = 0; y < h; y++) {
            source.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                System.arraycopy(row, x * bands, flipped, (w - 1 - x) * bands, bands);
            }
            out.setPixels(0, y, w, 1, flipped);
        }
        return target;
    }

    /** Turned clockwise by a multiple of 90 degrees; the same form as the input. */
    static BufferedImage rotateQuadrants(BufferedImage image, int clockwiseDegrees) {
        int degrees = ((clockwiseDegrees % 360) + 360) % 360;
        if (degrees == 0) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean swap = degrees != 180;
        BufferedImage target = blankLike(image, swap ? h : w, swap ? w : h);
        Raster source = image.getRaster();
        WritableRaster out = target.getRaster();
        int bands = source.getNumBands();
        int[] row = new int[w * bands];
        int[] pixel = new int[bands];
        for (int y = 0; y < h; y++) {
            source.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                System.arraycopy(row, x * bands, pixel, 0, bands);
                switch (degrees) {
                    case 90 -> out.setPixel(h - 1 - y, x, pixel);
                    case 180 -> out.setPixel(w - 1 - x, h - 1 - y, pixel);
                    default -> out.setPixel(y, w - 1 - x, pixel);
                }
            }
        }
        return target;
    }

    /**
     * Turned anticlockwise by {@code radians} about the centre on a canvas of the same size, uncovered corners
     * white: straightens a page whose lines rise by that angle.
     */
    static BufferedImage rotateSmall(BufferedImage image, double radians) {
        int w = image.getWidth();
        int h = image.getHeight();
        // bilevel pages are turned in grey and kept grey: nearest-neighbour turning makes jagged strokes
        BufferedImage target = new BufferedImage(w, h, image.getType() == BufferedImage.TYPE_3BYTE_BGR
                ? BufferedImage.TYPE_3BYTE_BGR : BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = target.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            // y points down in image space, so a negative angle turns anticlockwise on screen
            g.drawImage(image, AffineTransform.getRotateInstance(-radians, w / 2.0, h / 2.0), null);
        } finally {
            g.dispose();
        }
        return target;
    }

    private static BufferedImage blankLike(BufferedImage image, int width, int height) {
        if (image.getColorModel() instanceof IndexColorModel icm) {
            return new BufferedImage(width, height, image.getType(), icm);
        }
        return new BufferedImage(width, height, image.getType());
    }
}
