package dev.sluice.functions.ocr;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * Finds how far a page's text lines are tilted, by projection profiles: the dark pixels of a reduced copy are
 * sheared by each candidate angle and counted per row; the angle whose rows are sharpest (largest sum of
 * squared counts) levels the lines. Works up to ±15 degrees, beyond what Tesseract's own layout analysis
 * tolerates (it reads nothing on a page tilted by 10 degrees).
 */
final class Skew {
    static final double MAX_DEGREES = 15;
    private static final int SAMPLE_SIZE = 1200;
    private static final int MIN_POINTS = 200;

    private Skew() {
    }

    /** Degrees the page must turn anticlockwise (on screen) to level its lines; 0 when there is too little text. */
    static double detectDegrees(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int step = Math.max(1, Math.max(w, h) / SAMPLE_SIZE);
        int[] xs = new int[1024];
        int[] ys = new int[1024];
        int n = 0;
        Raster raster = image.getRaster();
        boolean bilevel = image.getType() == BufferedImage.TYPE_BYTE_BINARY;
        int bands = raster.getNumBands();
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y += step) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x += step) {
                boolean dark;
                if (bilevel) {
                    dark = row[x] == 0;
                } else if (bands >= 3) {
                    int i = x * bands;
                    dark = (row[i] * 299 + row[i + 1] * 587 + row[i + 2] * 114) / 1000 < 128;
                } else {
                    dark = row[x * bands] < 128;
                }
                if (dark) {
                    if (n == xs.length) {
                        xs = java.util.Arrays.copyOf(xs, n * 2);
                        ys = java.util.Arrays.copyOf(ys, n * 2);
                    }
                    xs[n] = x / step;
                    ys[n] = y / step;
                    n++;
                }
            }
        }
        if (n < MIN_POINTS || n > (long) (w / step + 1) * (h / step + 1) / 2) {
            return 0; // blank, or mostly dark (a photo, an inverted page): no lines to level
        }
        int width = w / step + 1;
        int height = h / step + 1;
        double best = 0;
        double bestScore = -1;
        for (double angle = -MAX_DEGREES; angle <= MAX_DEGREES + 1e-9; angle += 0.5) {
            double score = score(xs, ys, n, width, height, angle);
            if (score > bestScore) {
                bestScore = score;
                best = angle;
            }
        }
        double coarse = best;
        for (double angle = coarse - 0.5; angle <= coarse + 0.5 + 1e-9; angle += 0.05) {
            double score = score(xs, ys, n, width, height, angle);
            if (score > bestScore) {
                bestScore = score;
                best = angle;
            }
        }
        return Math.round(best * 100) / 100.0;
    }

    /** Sum of squared row counts after shearing by {@code degrees}: high when rows line up with text lines. */
    private static double score(int[] xs, int[] ys, int n, int width, int height, double degrees) {
        double tan = Math.tan(Math.toRadians(degrees));
        int offset = (int) Math.ceil(Math.abs(tan) * width) + 1;
        int[] counts = new int[height + 2 * offset + 1];
        for (int i = 0; i < n; i++) {
            int bin = (int) Math.round(ys[i] - xs[i] * tan) + offset;
            counts[bin]++;
        }
        double sum = 0;
        for (int c : counts) {
            sum += (double) c * c;
        }
        return sum;
    }
}
