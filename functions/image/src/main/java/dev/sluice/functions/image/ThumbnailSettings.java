package dev.sluice.functions.image;

import dev.sluice.core.ConfigException;
import dev.sluice.core.function.Parameters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The thumbnail parameters, checked as a whole.
 *
 * @param sizes     one entry per output, in the order given
 * @param fill      crop to fill each box exactly instead of fitting inside it
 * @param maxPixels largest accepted source (and output) size in pixels
 * @param upscale   whether images smaller than the requested size are enlarged
 */
record ThumbnailSettings(List<Size> sizes, boolean fill, ImageEncoder.Format format, int quality, long maxPixels,
                         boolean upscale) {

    /** Keeps outputs within what JPEG and sane memory use allow. */
    static final int MAX_SIDE = 16384;

    /**
     * One requested output size.
     *
     * @param width  output width, or box width
     * @param height box height, or 0 when only the width is given
     */
    record Size(int width, int height) {
        boolean isBox() {
            return height > 0;
        }

        /** {@code -256} or {@code -640x480}: outputs of one input must have distinct names. */
        String suffix() {
            return isBox() ? "-" + width + "x" + height : "-" + width;
        }
    }

    ThumbnailSettings {
        sizes = List.copyOf(sizes);
    }

    static ThumbnailSettings from(Parameters parameters) {
        boolean hasWidth = parameters.has("width");
        boolean hasBox = parameters.has("box");
        if (hasWidth && hasBox) {
            throw new ConfigException("thumbnail takes either width (e.g. width=256,1024) or box (e.g. box=640x480),"
                    + " not both: remove one of them.");
        }
        if (!hasWidth && !hasBox) {
            throw new ConfigException("thumbnail needs a size: width (one or more widths, e.g. width=256,1024) or"
                    + " box (e.g. box=640x480).");
        }
        List<Size> sizes = new ArrayList<>();
        if (hasWidth) {
            Set<Integer> seen = new HashSet<>();
            for (int width : parameters.getIntList("width")) {
                checkSide("width", width);
                if (!seen.add(width)) {
                    throw new ConfigException("thumbnail width lists " + width + " twice; each width makes one output,"
                            + " so list it once.");
                }
                sizes.add(new Size(width, 0));
            }
        } else {
            int[] box = parameters.getDimensions("box");
            checkSide("box width", box[0]);
            checkSide("box height", box[1]);
            sizes.add(new Size(box[0], box[1]));
        }
        boolean fill = parameters.getChoice("fit").equals("fill");
        if (fill && hasWidth) {
            throw new ConfigException("thumbnail fit=fill crops to a box: give box=WIDTHxHEIGHT instead of width, or"
                    + " use fit=fit.");
        }
        ImageEncoder.Format format = parameters.getChoice("format").equals("png")
                ? ImageEncoder.Format.PNG : ImageEncoder.Format.JPEG;
        int quality = parameters.getInt("quality");
        if (quality < 1 || quality > 100) {
            throw new ConfigException("thumbnail quality must be between 1 and 100 (85 is a good default), not "
                    + quality + ".");
        }
        long maxPixels = parameters.getLong("max-pixels");
        if (maxPixels < 1) {
            throw new ConfigException("thumbnail max-pixels must be positive (default 100000000), not " + maxPixels
                    + ".");
        }
        return new ThumbnailSettings(sizes, fill, format, quality, maxPixels, parameters.getBoolean("upscale"));
    }

    private static void checkSide(String what, int value) {
        if (value < 1 || value > MAX_SIDE) {
            throw new ConfigException("thumbnail " + what + " must be between 1 and " + MAX_SIDE + " pixels, not "
                    + value + ".");
        }
    }
}
