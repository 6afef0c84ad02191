package dev.sluice.functions.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;

/** Turns an image stored with an EXIF orientation (1-8) upright. */
final class Orientation {
    private Orientation() {
    }

    /** Orientations 5-8 store the picture on its side: width and height swap when it is turned upright. */
    static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /**
     * The upright image. {@code image} must be {@code TYPE_INT_RGB}, {@code TYPE_INT_ARGB} or
     * {@code TYPE_BYTE_GRAY}; orientation 1 (or an invalid value) returns it unchanged.
     */
    static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean swap = swapsAxes(orientation);
        int dw = swap ? h : w;
        int dh = swap ? w : h;
        BufferedImage out = new BufferedImage(dw, dh, image.getType());
        Object src = image.getType() == BufferedImage.TYPE_BYTE_GRAY
                ? ((DataBufferByte) image.getRaster().getDataBuffer()).getData()
                : ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        Object dst = out.getType() == BufferedImage.TYPE_BYTE_GRAY
                ? ((DataBufferByte) out.getRaster().getDataBuffer()).getData()
                : ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        // each shown row is a run through the stored image with a fixed start and step
        for (int y = 0; y < dh; y++) {
            int start = sourceIndex(orientation, 0, y, w, h);
            int step = sourceIndex(orientation, Math.min(1, dw - 1), y, w, h) - start;
            if (src instanceof byte[] bytes) {
                byte[] to = (byte[]) dst;
                for (int x = 0, i = start; x < dw; x++, i += step) {
                    to[y * dw + x] = bytes[i];
                }
            } else {
                int[] ints = (int[]) src;
                int[] to = (int[]) dst;
                for (int x = 0, i = start; x < dw; x++, i += step) {
                    to[y * dw + x] = ints[i];
                }
            }
        }
        return out;
    }

    /** Index in the stored w x h image of the pixel shown at (x, y). */
    private static int sourceIndex(int orientation, int x, int y, int w, int h) {
        return switch (orientation) {
            case 2 -> y * w + (w - 1 - x);
            case 3 -> (h - 1 - y) * w + (w - 1 - x);
            case 4 -> (h - 1 - y) * w + x;
            case 5 -> x * w + y;
            case 6 -> (h - 1 - x) * w + y;
            case 7 -> (h - 1 - x) * w + (w - 1 - y);
            case 8 -> x * w + (w - 1 - y);
            default -> y * w + x;
        };
    }
}
