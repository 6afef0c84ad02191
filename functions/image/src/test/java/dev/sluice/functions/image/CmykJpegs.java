package dev.sluice.functions.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes Adobe-style CMYK and YCCK JPEGs for tests (the corpora have none): the JDK writer stores the 4-band
 * raster as is, and an Adobe APP14 segment says how to read it, as Photoshop writes it.
 */
final class CmykJpegs {
    private CmykJpegs() {
    }

    static void write(BufferedImage rgb, Path file) throws IOException {
        write(rgb, file, false);
    }

    static void writeYcck(BufferedImage rgb, Path file) throws IOException {
        write(rgb, file, true);
    }

    private static void write(BufferedImage rgb, Path file, boolean ycck) throws IOException {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = rgb.getRGB(x, y);
                int r = argb >> 16 & 0xFF;
                int g = argb >> 8 & 0xFF;
                int b = argb & 0xFF;
                int k = 255 - Math.max(r, Math.max(g, b));
                int c = k == 255 ? 0 : (255 - r - k) * 255 / (255 - k);
                int m = k == 255 ? 0 : (255 - g - k) * 255 / (255 - k);
                int ye = k == 255 ? 0 : (255 - b - k) * 255 / (255 - k);
                // Adobe applications store CMYK inverted; YCCK (as libjpeg makes it) is YCbCr of the stored C, M, Y
                // values inverted back, plus the stored K
                int[] inverted = {255 - c, 255 - m, 255 - ye, 255 - k};
                if (ycck) {
                    double r1 = c;
                    double g1 = m;
                    double b1 = ye;
                    inverted[0] = clamp(0.299 * r1 + 0.587 * g1 + 0.114 * b1);
                    inverted[1] = clamp(128 - 0.168736 * r1 - 0.331264 * g1 + 0.5 * b1);
                    inverted[2] = clamp(128 + 0.5 * r1 - 0.418688 * g1 - 0.081312 * b1);
                }
                raster.setPixel(x, y, inverted);
            }
        }
        ImageWriter writer = jdkWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } finally {
            writer.dispose();
        }
        byte[] jpeg = bytes.toByteArray();
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0,
            (byte) (ycck ? 2 : 0)};
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(jpeg, 0, 2);
            out.write(adobe);
            out.write(jpeg, 2, jpeg.length - 2);
        }
    }

    private static int clamp(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }

    private static ImageWriter jdkWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter any = null;
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (writer.getClass().getName().startsWith("com.sun.")) {
                return writer;
            }
            any = writer;
        }
        return any;
    }
}
