package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_get;

import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.javacpp.IntPointer;

/**
 * How a video must be turned to be shown upright, from the display matrix that phones write instead of rotating
 * the pixels. The filters are the ones the ffmpeg command line inserts for the same matrix (its "autorotate").
 *
 * @param rotation clockwise degrees to turn the stored picture: 0, 90, 180 or 270 (other angles are rounded)
 * @param mirrored whether the matrix also flips the picture
 * @param filters  FFmpeg filters that apply it, e.g. {@code transpose=clock}, or empty
 */
record Orientation(int rotation, boolean mirrored, String filters) {
    static final Orientation UPRIGHT = new Orientation(0, false, "");

    static {
        Av.init();
    }

    /** True when the shown picture is the stored one turned a quarter: width and height swap. */
    boolean swapsSides() {
        return rotation == 90 || rotation == 270;
    }

    static Orientation of(AVCodecParameters parameters) {
        AVPacketSideData side = av_packet_side_data_get(parameters.coded_side_data(),
                parameters.nb_coded_side_data(), AV_PKT_DATA_DISPLAYMATRIX);
        if (side == null || side.isNull() || side.size() < 9 * Integer.BYTES) {
            return UPRIGHT;
        }
        int[] matrix = new int[9];
        new IntPointer(side.data()).get(matrix);
        return of(matrix);
    }

    static Orientation of(int[] matrix) {
        double theta = -Math.round(av_display_rotation_get(matrix));
        theta -= 360 * Math.floor(theta / 360 + 0.9 / 360);
        boolean mirrored = (long) matrix[0] * matrix[4] - (long) matrix[1] * matrix[3] < 0;
        if (Math.abs(theta - 90) < 1.0) {
            return new Orientation(90, mirrored, matrix[3] > 0 ? "transpose=cclock_flip" : "transpose=clock");
        } else if (Math.abs(theta - 180) < 1.0) {
            String filters = (matrix[0] < 0 ? "hflip" : "") + (matrix[0] < 0 && matrix[4] < 0 ? "," : "")
                    + (matrix[4] < 0 ? "vflip" : "");
            return new Orientation(180, mirrored, filters);
        } else if (Math.abs(theta - 270) < 1.0) {
            return new Orientation(270, mirrored, matrix[3] < 0 ? "transpose=clock_flip" : "transpose=cclock");
        } else if (Math.abs(theta) > 1.0) {
            int rounded = (int) (Math.round(theta / 90.0) * 90) % 360;
            return new Orientation(rounded, mirrored, String.format(java.util.Locale.ROOT, "rotate=%f*PI/180", theta));
        }
        return matrix[4] < 0 ? new Orientation(0, true, "vflip") : UPRIGHT;
    }
}
