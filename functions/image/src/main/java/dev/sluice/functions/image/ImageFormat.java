package dev.sluice.functions.image;

import java.util.Arrays;

/** Recognises an image file by its first bytes, so that errors can say what a file really is. */
enum ImageFormat {
    JPEG("JPEG", true),
    PNG("PNG", true),
    GIF("GIF", true),
    BMP("BMP", true),
    TIFF("TIFF", true),
    WEBP("WebP", true),
    JPEG_XL("JPEG XL", false),
    HEIF("HEIF/HEIC", false),
    AVIF("AVIF", false),
    JPEG_2000("JPEG 2000", false),
    PSD("Photoshop (PSD)", true),
    ICO("ICO", false),
    SVG("SVG", false),
    PDF("PDF", false),
    UNKNOWN("unknown", false);

    static final String SUPPORTED = "JPEG, PNG, GIF, BMP, TIFF, WebP or Photoshop (PSD)";

    private final String displayName;
    private final boolean readable;

    ImageFormat(String displayName, boolean readable) {
        this.displayName = displayName;
        this.readable = readable;
    }

    String displayName() {
        return displayName;
    }

    boolean readable() {
        return readable;
    }

    static ImageFormat sniff(byte[] head, int length) {
        byte[] h = Arrays.copyOf(head, Math.max(length, 0));
        if (starts(h, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (starts(h, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (starts(h, 'G', 'I', 'F', '8')) {
            return GIF;
        }
        if (starts(h, 'B', 'M')) {
            return BMP;
        }
        if (starts(h, 'I', 'I', 42, 0) || starts(h, 'M', 'M', 0, 42) || starts(h, 'I', 'I', 43, 0)
                || starts(h, 'M', 'M', 0, 43)) {
            return TIFF;
        }
        if (starts(h, 'R', 'I', 'F', 'F') && h.length >= 12 && h[8] == 'W' && h[9] == 'E' && h[10] == 'B'
                && h[11] == 'P') {
            return WEBP;
        }
        if (starts(h, 0xFF, 0x0A) || starts(h, 0, 0, 0, 0x0C, 'J', 'X', 'L', ' ')) {
            return JPEG_XL;
        }
        if (h.length >= 12 && h[4] == 'f' && h[5] == 't' && h[6] == 'y' && h[7] == 'p') {
            String brand = new String(h, 8, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (brand.startsWith("avi")) {
                return AVIF;
            }
            if (brand.startsWith("hei") || brand.startsWith("mif") || brand.startsWith("hev")) {
                return HEIF;
            }
        }
        if (starts(h, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ') || starts(h, 0xFF, 0x4F, 0xFF, 0x51)) {
            return JPEG_2000;
        }
        if (starts(h, '8', 'B', 'P', 'S')) {
            return PSD;
        }
        if (starts(h, 0, 0, 1, 0)) {
            return ICO;
        }
        if (starts(h, '%', 'P', 'D', 'F')) {
            return PDF;
        }
        String text = new String(h, java.nio.charset.StandardCharsets.ISO_8859_1).stripLeading();
        if (text.startsWith("<svg") || text.startsWith("<?xml")) {
            return SVG;
        }
        return UNKNOWN;
    }

    private static boolean starts(byte[] h, int... prefix) {
        if (h.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((h[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
