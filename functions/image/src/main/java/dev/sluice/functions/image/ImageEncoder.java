package dev.sluice.functions.image;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes thumbnails as fresh JPEG or PNG files: no metadata from the source is carried over (no EXIF, GPS,
 * XMP or comments), and JPEG output of an image with transparency is flattened onto white.
 */
final class ImageEncoder {

    enum Format {
        JPEG("jpeg", "jpg", "image/jpeg"),
        PNG("png", "png", "image/png");

        final String formatName;
        final String extension;
        final String contentType;

        Format(String formatName, String extension, String contentType) {
            this.formatName = formatName;
            this.extension = extension;
            this.contentType = contentType;
        }
    }

    static {
        ImagePlugins.ensureRegistered();
    }

    private ImageEncoder() {
    }

    /**
     * @param quality 1-100, used for JPEG
     */
    static void write(BufferedImage image, Format format, int quality, OutputStream out) throws IOException {
        BufferedImage pixels = format == Format.JPEG ? StandardPixels.flatten(image, Color.WHITE) : image;
        ImageWriter writer = writerFor(format, pixels);
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format == Format.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality / 100f);
                if (param instanceof JPEGImageWriteParam jpeg) {
                    jpeg.setOptimizeHuffmanTables(true);
                }
            }
            // null metadata: the writer produces only what the format needs (JFIF header for JPEG)
            writer.write(null, new IIOImage(pixels, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private static ImageWriter writerFor(Format format, BufferedImage image) {
        ImageTypeSpecifier type = ImageTypeSpecifier.createFromRenderedImage(image);
        Iterator<ImageWriter> writers = ImageIO.getImageWriters(type, format.formatName);
        if (!writers.hasNext()) {
            throw new IllegalStateException("No ImageIO writer for " + format.formatName);
        }
        return writers.next();
    }
}
