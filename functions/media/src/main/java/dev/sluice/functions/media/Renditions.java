package dev.sluice.functions.media;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The rungs of an encoding ladder that fit a video. A rendition is named after its shorter side ({@code 720p} is
 * 1280x720 for a landscape 16:9 video and 720x1280 for the same video shot upright), keeps the picture's aspect
 * ratio, and is never larger than the source: rungs above the source are left out, and when none fits, the
 * source size is the only rendition.
 */
final class Renditions {
    /** Bit rate of a 1280x720 H.264 rendition; other sizes scale with pixels^0.75, a common ladder rule. */
    static final long REFERENCE_BITRATE = 2_800_000;

    record Rendition(String name, int width, int height, long bitRate) {
    }

    private Renditions() {
    }

    /** The renditions of {@code heights} (short sides, any order) for a picture shown at {@code width}x{@code height}. */
    static List<Rendition> plan(List<Integer> heights, int width, int height) {
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        boolean portrait = height > width;
        TreeSet<Integer> wanted = new TreeSet<>(java.util.Comparator.reverseOrder());
        for (int h : heights) {
            if (h > 0 && h <= shortSide) {
                wanted.add(h);
            }
        }
        if (wanted.isEmpty()) {
            wanted.add(shortSide);
        }
        List<Rendition> renditions = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        for (int h : wanted) {
            int newShort = even(h);
            int newLong = even((double) longSide * h / shortSide);
            int w = portrait ? newShort : newLong;
            int ht = portrait ? newLong : newShort;
            String name = h + "p";
            if (names.add(name)) {
                renditions.add(new Rendition(name, w, ht, bitRate(w, ht)));
            }
        }
        return renditions;
    }

    static long bitRate(int width, int height) {
        double ratio = (double) width * height / (1280 * 720);
        return Math.round(REFERENCE_BITRATE * Math.pow(ratio, 0.75) / 1000) * 1000;
    }

    /** Nearest even number, at least 2: 4:2:0 video needs even sides. */
    static int even(double value) {
        return Math.max(2, (int) Math.round(value / 2) * 2);
    }
}
