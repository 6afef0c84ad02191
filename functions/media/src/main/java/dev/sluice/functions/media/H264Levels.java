package dev.sluice.functions.media;

/**
 * The lowest H.264 level (ITU-T H.264 Table A-1) that allows a picture size and frame rate; HLS master playlists
 * advertise it in their CODECS attribute so that players can skip renditions their decoder cannot handle.
 */
final class H264Levels {
    private static final String[] LEVELS = {"3.0", "3.1", "3.2", "4.0", "4.2", "5.0", "5.1", "5.2", "6.0", "6.1",
        "6.2"};
    /** Maximum frame size in macroblocks. */
    private static final long[] MAX_FRAME = {1620, 3600, 5120, 8192, 8704, 22080, 36864, 36864, 139264, 139264,
        139264};
    /** Maximum macroblocks per second. */
    private static final long[] MAX_RATE = {40500, 108000, 216000, 245760, 522240, 589824, 983040, 2073600,
        4177920, 8355840, 16711680};

    private H264Levels() {
    }

    static String level(int width, int height, double fps) {
        long macroblocks = (long) Math.ceil(width / 16.0) * (long) Math.ceil(height / 16.0);
        double perSecond = macroblocks * (fps > 0 ? fps : 30);
        for (int i = 0; i < LEVELS.length; i++) {
            if (macroblocks <= MAX_FRAME[i] && perSecond <= MAX_RATE[i]) {
                return LEVELS[i];
            }
        }
        return LEVELS[LEVELS.length - 1];
    }
}
