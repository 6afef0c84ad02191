package dev.sluice.functions.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Brings any decoded image to one of three layouts the rest of the pipeline works with: {@code TYPE_INT_RGB},
 * {@code TYPE_INT_ARGB} (when it has alpha) or {@code TYPE_BYTE_GRAY}, in sRGB.
 *
 * <p>Samples are rescaled to 8 bits directly rather than through Java2D's colour conversion, which treats
 * grey images as linear and would lighten them, and which is slow for 16-bit and custom layouts.
 */
final class StandardPixels {
    private StandardPixels() {
    }

    static boolean isStandard(BufferedImage image) {
        int type = image.getType();
        return type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB
                || type == BufferedImage.TYPE_BYTE_GRAY;
    }

    static BufferedImage of(BufferedImage image) {
        if (isStandard(image)) {
            return image;
        }
        ColorModel cm = image.getColorModel();
        int w = image.getWidth();
        int h = image.getHeight();
        boolean alpha = cm.hasAlpha();
        if (cm instanceof IndexColorModel) {
            BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
            image.getRGB(0, 0, w, h, dst, 0, w);
            return out;
        }
        ColorSpace cs = cm.getColorSpace();
        boolean grey = cs.getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1;
        boolean srgb = cs.isCS_sRGB();
        int transfer = image.getRaster().getTransferType();
        boolean integral = transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT
                || transfer == DataBuffer.TYPE_SHORT || transfer == DataBuffer.TYPE_INT;
        if ((grey || (srgb && cm.getNumColorComponents() == 3)) && !cm.isAlphaPremultiplied() && integral) {
            return rescale(image, grey, alpha);
        }
        // Other colour spaces (an embedded ICC profile, CMYK, premultiplied alpha): let Java2D convert.
        BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        if (cm.isAlphaPremultiplied() && srgb) {
            Graphics2D g = out.createGraphics();
            g.drawImage(image, 0, 0, null);
            g.dispose();
            return out;
        }
        new ColorConvertOp(null).filter(image, out);
        return out;
    }

    /** Copies samples scaled to 8 bits; grey stays grey unless there is alpha. */
    private static BufferedImage rescale(BufferedImage image, boolean grey, boolean alpha) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        int[] max = new int[bands];
        for (int b = 0; b < bands; b++) {
            max[b] = (1 << raster.getSampleModel().getSampleSize(b)) - 1;
        }
        int[] row = new int[w * bands];
        if (grey && !alpha) {
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    dst[y * w + x] = (byte) to8(row[x * bands], max[0]);
                }
            }
            return out;
        }
        BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int p = x * bands;
                int r;
                int g;
                int b;
                if (grey) {
                    r = g = b = to8(row[p], max[0]);
                } else {
                    r = to8(row[p], max[0]);
                    g = to8(row[p + 1], max[1]);
                    b = to8(row[p + 2], max[2]);
                }
                int a = alpha ? to8(row[p + bands - 1], max[bands - 1]) : 255;
                dst[y * w + x] = (a << 24) | (r << 16) | (g << 8) | b;
            }
        }
        return out;
    }

    private static int to8(int sample, int max) {
        if (max == 255) {
            return sample & 0xFF;
        }
        long v = ((long) sample * 255 + max / 2) / max;
        return (int) Math.max(0, Math.min(255, v));
    }

    /** Flattens alpha onto {@code background} (JPEG has no alpha); other images are returned unchanged. */
    static BufferedImage flatten(BufferedImage image, Color background) {
        if (!image.getColorModel().hasAlpha()) {
            return image;
        }
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(background);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
