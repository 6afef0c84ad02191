package dev.sluice.functions.image;

import dev.sluice.core.LimitExceededException;
import java.util.ArrayList;
import java.util.List;

/**
 * The geometry of one output, worked out in display (upright) coordinates.
 *
 * @param size         the size that was asked for
 * @param outputWidth  width of the finished thumbnail
 * @param outputHeight height of the finished thumbnail
 * @param scale        output pixels per source pixel
 * @param marginX      fraction of the display width cropped away on each side (fill only)
 * @param marginY      fraction of the display height cropped away on each side (fill only)
 */
record ThumbnailPlan(ThumbnailSettings.Size size, int outputWidth, int outputHeight, double scale, double marginX,
                     double marginY) {

    /** Plans every output of {@code settings} for an image shown at {@code displayWidth x displayHeight}. */
    static List<ThumbnailPlan> plan(ThumbnailSettings settings, int displayWidth, int displayHeight) {
        List<ThumbnailPlan> plans = new ArrayList<>();
        for (ThumbnailSettings.Size size : settings.sizes()) {
            ThumbnailPlan plan = plan(size, settings.fill(), settings.upscale(), displayWidth, displayHeight);
            if ((long) plan.outputWidth * plan.outputHeight > settings.maxPixels()) {
                throw new LimitExceededException("A " + plan.outputWidth + "x" + plan.outputHeight
                        + " thumbnail would exceed max-pixels (" + settings.maxPixels() + "); ask for a smaller size.");
            }
            plans.add(plan);
        }
        return plans;
    }

    static ThumbnailPlan plan(ThumbnailSettings.Size size, boolean fill, boolean upscale, int dw, int dh) {
        if (!size.isBox()) {
            double scale = (double) size.width() / dw;
            if (!upscale && scale > 1) {
                return new ThumbnailPlan(size, dw, dh, 1, 0, 0);
            }
            return new ThumbnailPlan(size, size.width(), atLeastOne(dh * scale), scale, 0, 0);
        }
        int bw = size.width();
        int bh = size.height();
        if (!fill) {
            double scale = Math.min((double) bw / dw, (double) bh / dh);
            if (!upscale && scale > 1) {
                scale = 1;
            }
            int w = Math.min(bw, atLeastOne(dw * scale));
            int h = Math.min(bh, atLeastOne(dh * scale));
            return new ThumbnailPlan(size, w, h, scale, 0, 0);
        }
        double scale = Math.max((double) bw / dw, (double) bh / dh);
        if (!upscale && scale > 1) {
            // Too small to fill the box: keep the box's shape at the largest size the image allows.
            double shrink = Math.min((double) dw / bw, (double) dh / bh);
            bw = Math.min(dw, atLeastOne(bw * shrink));
            bh = Math.min(dh, atLeastOne(bh * shrink));
            scale = Math.max((double) bw / dw, (double) bh / dh);
        }
        double visibleWidth = bw / scale;
        double visibleHeight = bh / scale;
        double marginX = Math.max(0, (1 - visibleWidth / dw) / 2);
        double marginY = Math.max(0, (1 - visibleHeight / dh) / 2);
        return new ThumbnailPlan(size, bw, bh, scale, marginX, marginY);
    }

    /**
     * How much larger than the largest output the decoded image must be: about twice, so that the final resize
     * still has room to filter (reduced decoding is a box filter or, for subsampling, point sampling). Slightly
     * under 2 so that, for example, a 4000-pixel-wide photo still decodes at 1/8 (500 pixels) for a 256-pixel
     * thumbnail rather than at 1/4, which costs twice as much for no visible gain.
     */
    static final double HEADROOM = 1.9;

    /** How much of the source resolution the plans need, as a fraction of the full size. */
    static double requiredDecodeScale(List<ThumbnailPlan> plans) {
        double scale = 0;
        for (ThumbnailPlan plan : plans) {
            scale = Math.max(scale, Math.min(1, HEADROOM * plan.scale()));
        }
        return scale;
    }

    private static int atLeastOne(double value) {
        return Math.max(1, (int) Math.round(value));
    }
}
