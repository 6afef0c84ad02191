package dev.sluice.functions.ocr;

import static dev.sluice.functions.ocr.OcrTesting.OCR;
import static dev.sluice.functions.ocr.OcrTesting.apply;
import static dev.sluice.functions.ocr.OcrTesting.corpus;
import static dev.sluice.functions.ocr.OcrTesting.normalize;
import static dev.sluice.functions.ocr.OcrTesting.params;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.exec.LocalInput;
import dev.sluice.core.function.Parameters;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Orientation tags are applied before OCR: a photo or scan stored sideways or mirrored, with a tag saying how to
 * show it, is read as it is shown. Auto-rotate is off in these tests so that only the tag can turn a page
 * (Tesseract's orientation detection could not undo a mirror anyway).
 */
class OcrOrientationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    /** Pillow's test line "This is a test file", a bilevel TIFF stored in each of the eight ways. */
    @ParameterizedTest(name = "g4_orientation_{0}.tif")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void aTiffIsReadAsItsOrientationFieldSays(int orientation) throws Exception {
        Map<String, byte[]> outputs = apply(exifCorpus("g4_orientation_" + orientation + ".tif"),
                "format=text,json", "auto-rotate=false");

        assertThat(normalize(new String(outputs.get("txt"), UTF_8))).isEqualTo("This is a test file");
        JsonNode page = JSON.readTree(outputs.get("json")).path("pages").get(0);
        assertThat(page.path("width").asInt()).as("upright width").isEqualTo(590);
        assertThat(page.path("height").asInt()).as("upright height").isEqualTo(88);
        assertThat(page.path("rotation").asInt()).as("turned by OSD").isZero();
    }

    /** Pillow's ground truth: each tagged hopper, once turned, equals the untagged hopper.jpg. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "hopper_orientation_2.jpg", "hopper_orientation_3.jpg", "hopper_orientation_4.jpg",
            "hopper_orientation_5.jpg", "hopper_orientation_6.jpg", "hopper_orientation_7.jpg",
            "hopper_orientation_8.jpg", "hopper_orientation_2.webp", "hopper_orientation_5.webp",
            "hopper_orientation_6.webp", "hopper_orientation_8.webp"})
    void aPhotoIsTurnedAsItsExifOrientationSays(String file) throws Exception {
        BufferedImage upright = ImageIO.read(exifCorpus("hopper.jpg").toFile());
        BufferedImage stored = ImageIO.read(exifCorpus(file).toFile());

        BufferedImage page = firstPage(exifCorpus(file));

        // the stored pixels are far from upright, so a page left as stored cannot pass
        assertThat(meanDifference(stored, upright)).as("stored as is").isGreaterThan(25);
        assertThat(meanDifference(page, upright)).as("after turning").isLessThan(6);
    }

    @Test
    void anImageMagickPngIsTurnedAsTheExifInItsTextChunkSays() throws Exception {
        // orientation 3 (upside down), kept by ImageMagick as hex in a "Raw profile type exif" text chunk
        Path png = exifCorpus("exif_imagemagick_orientation.png");
        BufferedImage stored = ImageIO.read(png.toFile());
        BufferedImage halfTurned = new BufferedImage(stored.getWidth(), stored.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < stored.getHeight(); y++) {
            for (int x = 0; x < stored.getWidth(); x++) {
                halfTurned.setRGB(stored.getWidth() - 1 - x, stored.getHeight() - 1 - y, stored.getRGB(x, y));
            }
        }

        assertThat(meanDifference(stored, halfTurned)).as("stored as is").isGreaterThan(10);
        assertThat(meanDifference(firstPage(png), halfTurned)).as("after turning").isLessThan(1);
    }

    @Test
    void aSidewaysJpegIsReadUprightAndItsSearchablePdfShowsItUpright() throws Exception {
        // Tika's "OCR Testing" photo, stored turned a quarter anticlockwise and tagged 6 ("turn clockwise to show"),
        // as a phone held sideways writes it
        BufferedImage upright = ImageIO.read(corpus("tika/testOCR.jpg").toFile());
        Path sideways = out.resolve("sideways.jpg");
        Files.write(sideways, withExifOrientation(jpeg(turnedAnticlockwise(upright)), 6));

        Map<String, byte[]> outputs = apply(sideways, "format=text,pdf", "auto-rotate=false");

        assertThat(new String(outputs.get("txt"), UTF_8)).contains("OCR Testing");
        try (PDDocument pdf = Loader.loadPDF(outputs.get("pdf"))) {
            // the page holds the turned image, not the stored JPEG: PDF viewers ignore the tag
            PDRectangle box = pdf.getPage(0).getMediaBox();
            assertThat(box.getWidth()).as("page width").isGreaterThan(box.getHeight());
            assertThat(new PDFTextStripper().getText(pdf)).contains("OCR Testing");
        }
    }

    @Test
    void aDamagedOrMissingTagLeavesThePageAsStored() throws Exception {
        BufferedImage upright = ImageIO.read(corpus("tika/testOCR.jpg").toFile());
        Path badTag = out.resolve("bad-tag.jpg");
        Files.write(badTag, withExifOrientation(jpeg(upright), 42));

        assertThat(firstPage(badTag).getWidth()).isEqualTo(upright.getWidth());
        assertThat(firstPage(corpus("tika/testOCR.jpg")).getWidth()).isEqualTo(upright.getWidth());
    }

    private static Path exifCorpus(String name) {
        return corpus("exif-orientation", name);
    }

    private static BufferedImage firstPage(Path file) throws Exception {
        OcrOptions options = OcrOptions.from(Parameters.of(OCR, params()));
        try (InputDocument document = InputDocument.open(new LocalInput(file), options)) {
            return ((InputDocument.ImagePage) document.load(0)).image();
        }
    }

    /** Mean absolute difference per colour channel, 0 to 255; the images must be the same size. */
    private static double meanDifference(BufferedImage a, BufferedImage b) {
        assertThat(a.getWidth()).as("width").isEqualTo(b.getWidth());
        assertThat(a.getHeight()).as("height").isEqualTo(b.getHeight());
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs(((p >> shift) & 0xFF) - ((q >> shift) & 0xFF));
                }
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    /** Turned a quarter anticlockwise, pixel by pixel (written here, not taken from the code under test). */
    private static BufferedImage turnedAnticlockwise(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage turned = new BufferedImage(h, w, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                turned.setRGB(y, w - 1 - x, image.getRGB(x, y));
            }
        }
        return turned;
    }

    private static byte[] jpeg(BufferedImage image) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "jpeg", bytes)).isTrue();
        return bytes.toByteArray();
    }

    /** The JPEG with an EXIF segment after its start marker that holds only an Orientation tag. */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] exif = {
                (byte) 0xFF, (byte) 0xE1, 0, 34, // APP1 and its length (34 bytes, the length field included)
                'E', 'x', 'i', 'f', 0, 0,
                'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, first IFD at 8
                0, 1, // one entry
                0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // Orientation, SHORT, 1 value
                0, 0, 0, 0}; // no next IFD
        byte[] tagged = new byte[jpeg.length + exif.length];
        System.arraycopy(jpeg, 0, tagged, 0, 2);
        System.arraycopy(exif, 0, tagged, 2, exif.length);
        System.arraycopy(jpeg, 2, tagged, 2 + exif.length, jpeg.length - 2);
        return tagged;
    }
}
