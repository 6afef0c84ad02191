package dev.sluice.functions.ocr;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.lang.ByteArrayReader;
import com.drew.lang.KeyValuePair;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import com.drew.metadata.png.PngDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import org.w3c.dom.NodeList;

/**
 * How an image is meant to be turned for viewing: its EXIF/TIFF orientation, 1 to 8 (see {@link Images#upright}).
 * 1 when there is no tag, or it cannot be read or holds another value: a damaged tag is no reason to fail an
 * otherwise good page.
 */
final class OrientationTag {
    private static final String TIFF_METADATA = "com_sun_media_imageio_plugins_tiff_image_1.0";
    private static final int TIFF_ORIENTATION = 274;
    /** Hex text beyond this is not an EXIF block worth reading. */
    private static final int MAX_RAW_PROFILE_CHARS = 1 << 20;

    private OrientationTag() {
    }

    /**
     * The EXIF orientation of a JPEG, PNG or WebP, read with metadata-extractor. PNGs written by ImageMagick keep
     * EXIF as hex text ("Raw profile type exif"), which is read too: converting a phone photo to PNG keeps its
     * pixels as the sensor saw them.
     */
    static int ofExif(Path file) {
        try {
            Metadata metadata = ImageMetadataReader.readMetadata(file.toFile());
            ExifIFD0Directory exif = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (exif == null) {
                exif = fromRawProfile(metadata);
            }
            Integer orientation = exif == null ? null : exif.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
            return orientation == null ? 1 : valid(orientation);
        } catch (IOException | ImageProcessingException | RuntimeException e) {
            return 1;
        }
    }

    /** The Orientation field of one page's IFD, from the TIFF reader's own metadata tree. */
    static int ofTiffPage(ImageReader reader, int index) {
        try {
            IIOMetadata metadata = reader.getImageMetadata(index);
            if (metadata == null || !TIFF_METADATA.equals(metadata.getNativeMetadataFormatName())) {
                return 1;
            }
            NodeList fields = ((IIOMetadataNode) metadata.getAsTree(TIFF_METADATA)).getElementsByTagName("TIFFField");
            for (int i = 0; i < fields.getLength(); i++) {
                IIOMetadataNode field = (IIOMetadataNode) fields.item(i);
                if (String.valueOf(TIFF_ORIENTATION).equals(field.getAttribute("number"))) {
                    NodeList values = field.getElementsByTagName("TIFFShort");
                    return values.getLength() == 0 ? 1
                            : valid(Integer.parseInt(((IIOMetadataNode) values.item(0)).getAttribute("value")));
                }
            }
            return 1;
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    private static int valid(int orientation) {
        return orientation >= 1 && orientation <= 8 ? orientation : 1;
    }

    /** ImageMagick's text chunk: "\nexif\n   1234\n4578696600..." (type, length, then the bytes in hex lines). */
    private static ExifIFD0Directory fromRawProfile(Metadata metadata) {
        for (PngDirectory png : metadata.getDirectoriesOfType(PngDirectory.class)) {
            if (!(png.getObject(PngDirectory.TAG_TEXTUAL_DATA) instanceof List<?> pairs)) {
                continue;
            }
            for (Object item : pairs) {
                if (item instanceof KeyValuePair pair && (pair.getKey().equals("Raw profile type exif")
                        || pair.getKey().equals("Raw profile type APP1"))) {
                    String text = pair.getValue().toString();
                    if (text.length() > MAX_RAW_PROFILE_CHARS) {
                        return null;
                    }
                    String[] parts = text.trim().split("\\s+", 3);
                    if (parts.length < 3) {
                        return null;
                    }
                    byte[] blob = HexFormat.of().parseHex(parts[2].replaceAll("\\s+", ""));
                    int tiffStart = ExifReader.startsWithJpegExifPreamble(blob)
                            ? ExifReader.JPEG_SEGMENT_PREAMBLE.length() : 0;
                    Metadata exif = new Metadata();
                    new ExifReader().extract(new ByteArrayReader(blob), exif, tiffStart);
                    return exif.getFirstDirectoryOfType(ExifIFD0Directory.class);
                }
            }
        }
        return null;
    }
}
