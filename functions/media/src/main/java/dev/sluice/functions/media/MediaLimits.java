package dev.sluice.functions.media;

import dev.sluice.core.LimitExceededException;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;

/**
 * Limits checked before any decoding: longer or larger inputs are refused with {@link LimitExceededException}.
 * Sizes are compared orientation-free (a portrait 2160x3840 video fits a 3840x2160 limit). A file whose duration
 * is unknown is stopped as soon as its timestamps pass the limit.
 */
record MediaLimits(double maxDurationSeconds, int maxLongSide, int maxShortSide) {
    static final ParameterSpec MAX_DURATION = ParameterSpec.of("max-duration", ParameterType.DOUBLE, "14400",
            "Refuse inputs longer than this many seconds (default 4 hours).");
    static final ParameterSpec MAX_RESOLUTION = ParameterSpec.of("max-resolution", ParameterType.DIMENSIONS,
            "7680x4320", "Refuse video larger than this, in either orientation (default 8K UHD).");

    static MediaLimits from(Parameters parameters) {
        int[] size = parameters.getDimensions(MAX_RESOLUTION.name());
        return new MediaLimits(parameters.getDouble(MAX_DURATION.name()), Math.max(size[0], size[1]),
                Math.min(size[0], size[1]));
    }

    /** The most pixels a decoded frame may have; decoders refuse bigger frames even if a header lied. */
    long maxPixels() {
        return (long) maxLongSide * maxShortSide;
    }

    void check(MediaInfo info, String fileName) {
        Double duration = info.durationSeconds();
        if (duration != null && duration > maxDurationSeconds) {
            throw new LimitExceededException(String.format(java.util.Locale.ROOT,
                    "'%s' is %.0f s long, over the limit of %.0f s (max-duration); raise the limit or split the file.",
                    fileName, duration, maxDurationSeconds));
        }
        for (MediaInfo.StreamInfo stream : info.streams()) {
            if (stream.isVideo() && stream.width() != null && stream.height() != null) {
                int longSide = Math.max(stream.width(), stream.height());
                int shortSide = Math.min(stream.width(), stream.height());
                if (longSide > maxLongSide || shortSide > maxShortSide) {
                    throw new LimitExceededException("'" + fileName + "' is " + stream.width() + "x" + stream.height()
                            + ", larger than the limit of " + maxLongSide + "x" + maxShortSide
                            + " (max-resolution); raise the limit or downscale the video first.");
                }
            }
        }
    }
}
