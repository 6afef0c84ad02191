package dev.sluice.functions.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Writes baseline JPEGs with a restart interval (the corpora have only a damaged one). */
final class RestartJpegs {
    private static final String FORMAT = "javax_imageio_jpeg_image_1.0";

    private RestartJpegs() {
    }

    /** @param interval MCUs between restart markers, 0 for none */
    static byte[] write(BufferedImage image, int interval) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image),
                    param);
            if (interval > 0) {
                IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(FORMAT);
                IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
                IIOMetadataNode dri = new IIOMetadataNode("dri");
                dri.setAttribute("interval", String.valueOf(interval));
                markers.insertBefore(dri, markers.getFirstChild());
                metadata.setFromTree(FORMAT, root);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, metadata), param);
            }
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }
}
