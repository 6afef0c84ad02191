package dev.sluice.functions.image;

import static dev.sluice.functions.image.Images.corpus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The reduced-scale decoder must give what a full decode followed by a box filter gives. */
class JpegReducedDecoderTest {

    @ParameterizedTest(name = "{0} at 1/{1}")
    @CsvSource({
        // 4:2:0 photos, both shapes
        "exif-orientation/Landscape_1.jpg, 8, 2.5", "exif-orientation/Landscape_1.jpg, 4, 2.5",
        "exif-orientation/Landscape_1.jpg, 2, 2.5", "exif-orientation/Portrait_6.jpg, 8, 2.5",
        "exif-orientation/Portrait_6.jpg, 2, 2.5",
        // past 1/8: the 1/8 samples averaged in groups (chroma of 4:2:0 is at 1/16 already)
        "exif-orientation/Landscape_1.jpg, 16, 2.5", "exif-orientation/Landscape_1.jpg, 32, 2.5",
        "exif-orientation/Portrait_6.jpg, 16, 2.5", "images/tika/testJPEG_EXIF.jpg, 16, 2.5",
        "images/tika/testJPEG_EXIF.jpg, 32, 2.5",
        // 4:4:4
        "images/tika/testJPEG_EXIF.jpg, 8, 2.5", "images/tika/testJPEG_EXIF.jpg, 2, 2.5",
        // black text on white, sizes that are not a multiple of the block size: a full decode clips the ringing
        // around each glyph to 0-255 before averaging, the DCT-domain average clips only the result
        "ocr/tika/testOCR.jpg, 8, 4.0", "ocr/tika/testOCR.jpg, 2, 4.0", "pdf-text/py-pdf/page-0-Im1.jpg, 4, 4.0",
        "ocr/tika/testOCR.jpg, 16, 4.0", "pdf-text/py-pdf/page-0-Im1.jpg, 32, 4.0",
    })
    void matchesAFullDecodeAveragedOverBlocks(String file, int denominator, double maxDifference) throws Exception {
        Path path = corpus(file);
        JpegReducedDecoder decoder = JpegReducedDecoder.read(Files.readAllBytes(path));
        assertThat(decoder.unsupportedReason()).isNull();

        BufferedImage reduced = decoder.decode(denominator, () -> false);
        BufferedImage full = StandardPixels.of(ImageIO.read(path.toFile()));

        assertThat(reduced.getWidth()).isEqualTo((full.getWidth() + denominator - 1) / denominator);
        assertThat(reduced.getHeight()).isEqualTo((full.getHeight() + denominator - 1) / denominator);
        assertThat(meanDifferenceToBoxAverage(reduced, full, denominator)).isLessThan(maxDifference);
    }

    @ParameterizedTest(name = "1/{0}")
    @ValueSource(ints = {16, 8, 4, 2})
    void restartMarkersAreFollowed(int denominator) throws Exception {
        BufferedImage photo = StandardPixels.of(ImageIO.read(corpus("exif-orientation/Portrait_1.jpg").toFile()));
        byte[] jpeg = RestartJpegs.write(photo, 7);
        BufferedImage full = StandardPixels.of(ImageIO.read(new java.io.ByteArrayInputStream(jpeg)));

        BufferedImage reduced = JpegReducedDecoder.read(jpeg).decode(denominator, () -> false);

        assertThat(meanDifferenceToBoxAverage(reduced, full, denominator)).isLessThan(2.5);
    }

    @ParameterizedTest(name = "1/{0}")
    @ValueSource(ints = {32, 8, 2})
    void greyscaleJpegsStayGrey(int denominator) throws Exception {
        BufferedImage grey = new BufferedImage(300, 200, BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(ImageIO.read(corpus("exif-orientation/Landscape_1.jpg").toFile()), 0, 0, 300, 200,
                null);
        byte[] jpeg = RestartJpegs.write(grey, 0);
        BufferedImage full = ImageIO.read(new java.io.ByteArrayInputStream(jpeg));

        BufferedImage reduced = JpegReducedDecoder.read(jpeg).decode(denominator, () -> false);

        assertThat(reduced.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(meanDifferenceToBoxAverage(reduced, full, denominator)).isLessThan(1.5);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {3, 2, 1})
    void truncatedDataIsReported(int fraction) throws Exception {
        byte[] photo = Files.readAllBytes(corpus("exif-orientation/Landscape_1.jpg"));
        byte[] truncated = java.util.Arrays.copyOf(photo, photo.length * fraction / 4);
        JpegReducedDecoder decoder = JpegReducedDecoder.read(truncated);

        assertThatThrownBy(() -> decoder.decode(8, () -> false))
                .isInstanceOf(JpegReducedDecoder.CorruptDataException.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {3, 2, 1})
    void aJpegInALongerBufferEndsWhereItsLengthSays(int fraction) throws Exception {
        // a reused buffer still holds the rest of a larger photo read before: those bytes must not be decoded
        byte[] photo = Files.readAllBytes(corpus("exif-orientation/Landscape_1.jpg"));
        JpegReducedDecoder decoder = JpegReducedDecoder.read(photo, photo.length * fraction / 4);

        assertThatThrownBy(() -> decoder.decode(8, () -> false))
                .isInstanceOf(JpegReducedDecoder.CorruptDataException.class);

        byte[] buffer = java.util.Arrays.copyOf(photo, photo.length + 4096);
        java.util.Arrays.fill(buffer, photo.length, buffer.length, (byte) 0x5A);
        BufferedImage fromBuffer = JpegReducedDecoder.read(buffer, photo.length).decode(8, () -> false);
        BufferedImage fromCopy = JpegReducedDecoder.read(photo).decode(8, () -> false);
        assertThat(Images.meanDifference(fromBuffer, fromCopy)).isZero();
    }

    @org.junit.jupiter.api.Test
    void arithmeticCodedJpegsAreLeftToImageIo() throws Exception {
        JpegReducedDecoder decoder = JpegReducedDecoder.read(Files.readAllBytes(corpus("images/smallest/jpeg.jpg")));
        assertThat(decoder.unsupportedReason()).contains("arithmetic");
        assertThat(decoder.supports(8)).isFalse();
    }

    // (small colourful images are left out: with 4:2:0 chroma, 1/8 keeps colour only at 1/16 of the size)
    @ParameterizedTest(name = "1/{1} of {0}")
    @CsvSource({"exif-orientation/Landscape_1.jpg, 8", "exif-orientation/Portrait_1.jpg, 8",
        "ocr/tika/testOCR.jpg, 8", "exif-orientation/Landscape_1.jpg, 16", "exif-orientation/Portrait_1.jpg, 32"})
    void progressiveJpegsAreReadFromTheirDcScans(String file, int denominator) throws Exception {
        BufferedImage source = ImageIO.read(corpus(file).toFile());
        byte[] progressive = ProgressiveJpegs.write(source);
        BufferedImage full = StandardPixels.of(ImageIO.read(new java.io.ByteArrayInputStream(progressive)));
        JpegReducedDecoder decoder = JpegReducedDecoder.read(progressive);
        assertThat(decoder.supports(8)).isTrue();
        assertThat(decoder.supports(2)).isFalse();

        BufferedImage reduced = decoder.decode(denominator, () -> false);

        assertThat(meanDifferenceToBoxAverage(reduced, full, denominator))
                .isLessThan(file.contains("OCR") ? 4.0 : 2.5);
    }

    @ParameterizedTest(name = "{0} px from {1} px: 1/{2}")
    @CsvSource({
        "256, 6000, 16", // 750 at 1/8 would be halved by the resize anyway; 375 still covers 256
        "256, 4000, 8", // 500 at 1/8: 250 would be smaller than the thumbnail
        "64, 6000, 32", // 1/32 at most
        "600, 6000, 4", "1024, 6000, 2", "2000, 6000, 1"})
    void theDecodeScaleIsTheSmallestThatStillCoversTheThumbnail(int output, int source, int denominator) {
        double required = Math.min(1, ThumbnailPlan.HEADROOM * output / source);

        assertThat(ImageDecoder.jpegDenominator(required)).isEqualTo(denominator);
        if (denominator > 8) {
            assertThat(source / denominator).isGreaterThanOrEqualTo(output);
        }
    }

    @ParameterizedTest(name = "cut at {0}/4")
    @ValueSource(ints = {3, 2, 1})
    void truncatedProgressiveDataIsReported(int fraction) throws Exception {
        byte[] progressive = ProgressiveJpegs.write(ImageIO.read(corpus("exif-orientation/Landscape_1.jpg").toFile()));
        JpegReducedDecoder decoder = JpegReducedDecoder.read(
                java.util.Arrays.copyOf(progressive, progressive.length * fraction / 4));

        assertThatThrownBy(() -> decoder.decode(8, () -> false))
                .isInstanceOf(JpegReducedDecoder.CorruptDataException.class);
    }

    private static double meanDifferenceToBoxAverage(BufferedImage reduced, BufferedImage full, int n) {
        long sum = 0;
        long samples = 0;
        // skip the last partial row and column of blocks
        for (int y = 0; y < full.getHeight() / n; y++) {
            for (int x = 0; x < full.getWidth() / n; x++) {
                int[] average = new int[3];
                for (int dy = 0; dy < n; dy++) {
                    for (int dx = 0; dx < n; dx++) {
                        int[] p = Images.rgba(full, x * n + dx, y * n + dy);
                        for (int c = 0; c < 3; c++) {
                            average[c] += p[c];
                        }
                    }
                }
                int[] q = Images.rgba(reduced, x, y);
                for (int c = 0; c < 3; c++) {
                    sum += Math.abs(Math.round(average[c] / (float) (n * n)) - q[c]);
                    samples++;
                }
            }
        }
        return (double) sum / samples;
    }
}
