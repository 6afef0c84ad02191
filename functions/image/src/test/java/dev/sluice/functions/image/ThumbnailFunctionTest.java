package dev.sluice.functions.image;

import static dev.sluice.functions.image.Images.corpus;
import static dev.sluice.functions.image.Images.meanDifference;
import static dev.sluice.functions.image.Images.onlyImage;
import static dev.sluice.functions.image.Images.params;
import static dev.sluice.functions.image.Images.rgba;
import static dev.sluice.functions.image.Images.thumbnail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.ConfigException;
import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Parameters;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ThumbnailFunctionTest {

    @TempDir
    Path temp;

    // ---- formats and sizes ------------------------------------------------------------------------------------

    static Stream<Arguments> readableImages() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        for (String folder : List.of("images/tika", "images/pillow", "images/pngsuite")) {
            for (String[] row : Images.tsv(corpus(folder + "/dimensions.tsv"))) {
                cases.add(Arguments.of(folder + "/" + row[0], Integer.parseInt(row[2]), Integer.parseInt(row[3])));
            }
        }
        // the smallest valid files (1x1) of the formats thumbnail reads (jpeg.jpg, arithmetic-coded, has its own test)
        for (String file : List.of("bmp.bmp", "gif-transparent.gif", "png-transparent.png", "tiff.tif")) {
            cases.add(Arguments.of("images/smallest/" + file, 1, 1));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readableImages")
    void everyReadableImageGetsTheRightSize(String file, int width, int height) throws Exception {
        BufferedImage thumbnail = onlyImage(corpus(file), params("width", "64"));

        int expectedWidth = Math.min(64, width);
        int expectedHeight = width <= 64 ? height : Math.max(1, Math.round(height * 64f / width));
        assertThat(thumbnail.getWidth()).as("width").isEqualTo(expectedWidth);
        assertThat(thumbnail.getHeight()).as("height").isEqualTo(expectedHeight);
    }

    @Test
    void anArithmeticCodedJpegIsReadWhereTheJavaRuntimeCanAndOtherwiseRefusedWithWhatToDo() throws Exception {
        // arithmetic decoding is in libjpeg-turbo (Debian's and Ubuntu's OpenJDK use it), not in the libjpeg that
        // Temurin bundles; the same file must give a thumbnail on one and a clear error on the other
        Path file = corpus("images/smallest/jpeg.jpg");
        boolean runtimeDecodesIt;
        try {
            runtimeDecodesIt = ImageIO.read(file.toFile()) != null;
        } catch (javax.imageio.IIOException e) {
            assertThat(e.getMessage()).contains("arithmetic coding");
            runtimeDecodesIt = false;
        }

        if (runtimeDecodesIt) {
            assertThat(onlyImage(file, params("width", "64")).getWidth()).isEqualTo(1);
        } else {
            assertThatThrownBy(() -> onlyImage(file, params("width", "64")))
                    .isInstanceOf(dev.sluice.core.BadInputException.class)
                    .hasMessageContaining("'jpeg.jpg' is an arithmetic-coded JPEG")
                    .hasMessageContaining("jpegtran");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exif-orientation/Landscape_1.jpg", "images/pillow/hopper.png",
        "images/tika/testWebp_Alpha_Lossy.webp", "images/tika/testWebp_Alpha_Lossless.webp", "images/pillow/hopper.tif",
        "images/pillow/hopper.gif", "images/pillow/hopper.bmp", "images/tika/testTIFF.tif"})
    void decodesLikeImageIoAtFullSize(String file) throws Exception {
        BufferedImage reference = ImageIO.read(corpus(file).toFile());
        BufferedImage thumbnail = onlyImage(corpus(file), params("width", String.valueOf(reference.getWidth()),
                "format", "png"));

        assertThat(meanDifference(thumbnail, StandardPixels.of(reference))).isLessThan(1.0);
    }

    @Test
    void progressiveJpegsAreRead() throws Exception {
        Path progressive = temp.resolve("progressive.jpg");
        BufferedImage source = ImageIO.read(corpus("exif-orientation/Landscape_1.jpg").toFile());
        var writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (var out = ImageIO.createImageOutputStream(progressive.toFile())) {
            writer.setOutput(out);
            var param = writer.getDefaultWriteParam();
            param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new javax.imageio.IIOImage(source, null, null), param);
        } finally {
            writer.dispose();
        }

        BufferedImage thumbnail = onlyImage(progressive, params("width", "300"));
        BufferedImage baseline = onlyImage(corpus("exif-orientation/Landscape_1.jpg"), params("width", "300"));

        assertThat(thumbnail.getWidth()).isEqualTo(300);
        assertThat(thumbnail.getHeight()).isEqualTo(200);
        assertThat(meanDifference(thumbnail, baseline)).isLessThan(6);
    }

    @Test
    void cmykJpegsAreConvertedToRgb() throws Exception {
        // No CMYK JPEG in the corpora: write one from a real photo, as Photoshop does (inverted, Adobe marker).
        BufferedImage rgb = ImageIO.read(corpus("images/pillow/hopper.png").toFile());
        Path cmyk = temp.resolve("cmyk.jpg");
        CmykJpegs.write(rgb, cmyk);

        BufferedImage thumbnail = onlyImage(cmyk, params("width", "128", "format", "png"));

        assertThat(thumbnail.getWidth()).isEqualTo(128);
        // a CMYK round trip through a colour profile is not exact, but the picture must be the same
        assertThat(meanDifference(thumbnail, StandardPixels.of(rgb))).isLessThan(25);
    }

    @Test
    void ycckJpegsAreConvertedToRgb() throws Exception {
        BufferedImage rgb = ImageIO.read(corpus("images/pillow/hopper.png").toFile());
        Path ycck = temp.resolve("ycck.jpg");
        CmykJpegs.writeYcck(rgb, ycck);

        BufferedImage thumbnail = onlyImage(ycck, params("width", "128", "format", "png"));

        assertThat(meanDifference(thumbnail, StandardPixels.of(rgb))).isLessThan(25);
    }

    // ---- EXIF orientation ---------------------------------------------------------------------------------------

    static Stream<Arguments> orientedImages() throws Exception {
        return Images.tsv(corpus("exif-orientation/expected_orientation.tsv")).stream()
                .filter(row -> !row[4].equals("-"))
                .map(row -> Arguments.of(row[0], row[1], Integer.parseInt(row[4]), Integer.parseInt(row[5])));
    }

    @ParameterizedTest(name = "{0} (orientation {1})")
    @MethodSource("orientedImages")
    void outputsAreUpright(String file, String orientation, int displayWidth, int displayHeight) throws Exception {
        int width = Math.min(300, displayWidth);
        BufferedImage thumbnail = onlyImage(corpus("exif-orientation/" + file), params("width", String.valueOf(width)));

        assertThat(thumbnail.getWidth()).isEqualTo(width);
        assertThat(thumbnail.getHeight()).isEqualTo(Math.max(1, Math.round(displayHeight * (float) width / displayWidth)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hopper_orientation_2.jpg", "hopper_orientation_3.jpg", "hopper_orientation_4.jpg",
        "hopper_orientation_5.jpg", "hopper_orientation_6.jpg", "hopper_orientation_7.jpg", "hopper_orientation_8.jpg",
        "hopper_orientation_2.webp", "hopper_orientation_3.webp", "hopper_orientation_4.webp",
        "hopper_orientation_5.webp", "hopper_orientation_6.webp", "hopper_orientation_7.webp",
        "hopper_orientation_8.webp"})
    void orientedHopperLooksLikeTheUprightOne(String file) throws Exception {
        Map<String, String> params = params("width", "96", "format", "png");
        BufferedImage upright = onlyImage(corpus("exif-orientation/hopper.jpg"), params);
        BufferedImage thumbnail = onlyImage(corpus("exif-orientation/" + file), params);

        assertThat(meanDifference(thumbnail, upright)).isLessThan(MAX_HOPPER_DIFFERENCE);
    }

    /** Lossy re-encoding of the rotated originals leaves a few levels of difference; a wrong turn leaves ~40. */
    private static final double MAX_HOPPER_DIFFERENCE = 8;

    @Test
    void theHopperComparisonWouldCatchAWrongTurn() throws Exception {
        Map<String, String> params = params("width", "96", "format", "png");
        BufferedImage upright = onlyImage(corpus("exif-orientation/hopper.jpg"), params);
        BufferedImage mirrored = Orientation.apply(StandardPixels.of(upright), 2);
        BufferedImage turned = Orientation.apply(StandardPixels.of(upright), 6);

        assertThat(meanDifference(mirrored, upright)).isGreaterThan(3 * MAX_HOPPER_DIFFERENCE);
        assertThat(meanDifference(turned, upright)).isGreaterThan(3 * MAX_HOPPER_DIFFERENCE);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
    void orientedTiffPagesEqualTheUprightOne(int orientation) throws Exception {
        Map<String, String> params = params("width", "590", "format", "png");
        BufferedImage upright = onlyImage(corpus("exif-orientation/g4_orientation_1.tif"), params);
        BufferedImage thumbnail = onlyImage(corpus("exif-orientation/g4_orientation_" + orientation + ".tif"), params);

        // the pages were rendered separately and differ in a few pixels; Pillow allows 0.7 on average too
        assertThat(meanDifference(thumbnail, upright)).isLessThan(0.7);
    }

    @ParameterizedTest(name = "{0}_N.jpg")
    @ValueSource(strings = {"Landscape", "Portrait"})
    void everyOrientationOfAPhotoShowsTheSamePicture(String scene) throws Exception {
        // The test cards carry a large digit that differs per file, so compare loosely: a wrong turn is ~50.
        Map<String, String> params = params("width", "150", "format", "png");
        BufferedImage upright = onlyImage(corpus("exif-orientation/" + scene + "_1.jpg"), params);
        for (int orientation = 2; orientation <= 8; orientation++) {
            BufferedImage thumbnail = onlyImage(corpus("exif-orientation/" + scene + "_" + orientation + ".jpg"), params);
            assertThat(meanDifference(thumbnail, upright)).as("orientation %d", orientation).isLessThan(6);
        }
    }

    @Test
    void pngExifOrientationIsApplied() throws Exception {
        Path file = corpus("exif-orientation/exif_imagemagick_orientation.png");
        BufferedImage stored = StandardPixels.of(ImageIO.read(file.toFile()));
        BufferedImage thumbnail = onlyImage(file, params("width", "512", "format", "png"));

        assertThat(meanDifference(thumbnail, Orientation.apply(stored, 3))).isLessThan(0.5);
        assertThat(meanDifference(thumbnail, stored)).isGreaterThan(10);
    }

    // ---- sizes, boxes and outputs -------------------------------------------------------------------------------

    @Test
    void severalWidthsGiveOneOutputEach() throws Exception {
        List<Images.Output> outputs = thumbnail(corpus("exif-orientation/Landscape_6.jpg"), params("width", "64,256,1024"));

        assertThat(outputs).extracting(o -> o.spec().suffix()).containsExactly("-64", "-256", "-1024");
        assertThat(outputs).extracting(o -> o.spec().extension()).containsOnly("jpg");
        assertThat(outputs).extracting(o -> o.spec().contentType()).containsOnly("image/jpeg");
        assertThat(outputs).extracting(o -> o.spec().vars().get("width")).containsExactly("64", "256", "1024");
        assertThat(outputs).extracting(o -> o.spec().vars().get("height")).containsExactly("43", "171", "683");
        assertThat(outputs).extracting(o -> o.image().getWidth()).containsExactly(64, 256, 1024);
        assertThat(outputs).extracting(o -> o.image().getHeight()).containsExactly(43, 171, 683);
    }

    @Test
    void localInvocationNamesOutputsAfterTheInput() throws Exception {
        ThumbnailFunction function = new ThumbnailFunction();
        Path out = temp.resolve("out");
        List<LocalInvoker.Result> results = LocalInvoker.invoke(function,
                Parameters.of(function, params("width", "256,1024", "format", "png")),
                List.of(corpus("exif-orientation/Portrait_8.jpg")), out, 1, Duration.ofMinutes(1), r -> { });

        assertThat(results.get(0).error()).isNull();
        assertThat(out.resolve("Portrait_8-256.png")).isRegularFile();
        assertThat(out.resolve("Portrait_8-1024.png")).isRegularFile();
        assertThat(ImageIO.read(out.resolve("Portrait_8-1024.png").toFile()).getHeight()).isEqualTo(1536);
    }

    @Test
    void fillCropsToTheExactBox() throws Exception {
        Path photo = corpus("exif-orientation/Landscape_1.jpg");
        List<Images.Output> outputs = thumbnail(photo, params("box", "200x200", "fit", "fill", "format", "png"));
        BufferedImage filled = outputs.get(0).image();
        BufferedImage wide = onlyImage(photo, params("width", "300", "format", "png"));

        assertThat(outputs.get(0).spec().suffix()).isEqualTo("-200x200");
        assertThat(outputs.get(0).spec().vars()).containsEntry("width", "200").containsEntry("height", "200");
        assertThat(filled.getWidth()).isEqualTo(200);
        assertThat(filled.getHeight()).isEqualTo(200);
        // the crop is the middle of the picture
        assertThat(meanDifference(filled, wide.getSubimage(50, 0, 200, 200))).isLessThan(4);
    }

    @Test
    void fillWorksOnTurnedPhotosAndTallBoxes() throws Exception {
        BufferedImage thumbnail = onlyImage(corpus("exif-orientation/Portrait_6.jpg"),
                params("box", "90x300", "fit", "fill"));

        assertThat(thumbnail.getWidth()).isEqualTo(90);
        assertThat(thumbnail.getHeight()).isEqualTo(300);
    }

    @Test
    void fitKeepsTheWholeImageInsideTheBox() throws Exception {
        assertThat(dimensions(onlyImage(corpus("exif-orientation/Landscape_1.jpg"), params("box", "200x200"))))
                .containsExactly(200, 133);
        assertThat(dimensions(onlyImage(corpus("exif-orientation/Portrait_5.jpg"), params("box", "200x200"))))
                .containsExactly(133, 200);
    }

    @Test
    void smallImagesAreNotEnlargedUnlessAsked() throws Exception {
        Path hopper = corpus("images/pillow/hopper.png");
        assertThat(dimensions(onlyImage(hopper, params("width", "256")))).containsExactly(128, 128);
        assertThat(dimensions(onlyImage(hopper, params("width", "256", "upscale", "true")))).containsExactly(256, 256);
        assertThat(dimensions(onlyImage(hopper, params("box", "400x200", "fit", "fill")))).containsExactly(128, 64);
    }

    @Test
    void theSameWidthTwiceOrWidthWithBoxIsRefused() {
        ThumbnailFunction function = new ThumbnailFunction();
        assertThatThrownBy(() -> function.validate(Parameters.of(function, params("width", "256", "box", "10x10"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("either width").hasMessageContaining("box");
        assertThatThrownBy(() -> function.validate(Parameters.of(function, params())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs a size");
        assertThatThrownBy(() -> function.validate(Parameters.of(function, params("width", "256,256"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> function.validate(Parameters.of(function, params("width", "256", "fit", "fill"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("box");
        assertThatThrownBy(() -> function.validate(Parameters.of(function, params("width", "256", "quality", "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("quality");
        function.validate(Parameters.of(function, params("box", "640x480", "fit", "fill", "format", "png")));
    }

    @Test
    void isFoundByServiceLoaderWithDocumentedParameters() {
        try (FunctionRegistry registry = FunctionRegistry.load(getClass().getClassLoader())) {
            var function = registry.get("thumbnail");
            assertThat(function).isInstanceOf(ThumbnailFunction.class);
            assertThat(function.parameters()).extracting(p -> p.name())
                    .containsExactly("width", "box", "fit", "format", "quality", "max-pixels", "upscale");
            assertThat(function.parameters()).allSatisfy(p -> assertThat(p.description()).isNotBlank());
        }
    }

    // ---- pixels: PNG variants, alpha, metadata --------------------------------------------------------------------

    static Stream<String> pngSuite() throws Exception {
        try (Stream<Path> files = Files.list(corpus("images/pngsuite"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pngSuite")
    void pngVariantsDecodeToTheirReferencePixels(String file) throws Exception {
        Path png = corpus("images/pngsuite/" + file);
        int[] expected = new ObjectMapper().readValue(png.resolveSibling(file.replace(".png", ".json")).toFile(),
                int[].class);
        boolean sixteenBit = file.substring(0, file.length() - 4).endsWith("16");
        BufferedImage image = onlyImage(png, params("width", "64", "format", "png"));

        int maxError = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int[] actual = rgba(image, x, y);
                int offset = 4 * (y * image.getWidth() + x);
                for (int c = 0; c < 4; c++) {
                    int want = sixteenBit ? Math.round(expected[offset + c] * 255f / 65535) : expected[offset + c];
                    maxError = Math.max(maxError, Math.abs(actual[c] - want));
                }
            }
        }
        assertThat(maxError).as("largest channel error").isLessThanOrEqualTo(1);
    }

    @Test
    void alphaIsFlattenedOntoWhiteForJpeg() throws Exception {
        // basn6a08: RGBA; its left column is fully transparent
        Path png = corpus("images/pngsuite/basn6a08.png");
        BufferedImage jpeg = onlyImage(png, params("width", "32"));
        BufferedImage kept = onlyImage(png, params("width", "32", "format", "png"));

        assertThat(jpeg.getColorModel().hasAlpha()).isFalse();
        assertThat(kept.getColorModel().hasAlpha()).isTrue();
        int[] transparent = rgba(kept, 0, 0);
        assertThat(transparent[3]).isZero();
        int[] flattened = rgba(jpeg, 0, 0);
        assertThat(flattened[0]).isGreaterThan(240);
        assertThat(flattened[1]).isGreaterThan(240);
        assertThat(flattened[2]).isGreaterThan(240);
    }

    @Test
    void sixteenBitAndAlphaPngsScaleDown() throws Exception {
        for (String file : List.of("basn6a16.png", "basn2c16.png", "basn0g16.png", "basn4a16.png")) {
            BufferedImage thumbnail = onlyImage(corpus("images/pngsuite/" + file), params("width", "16", "format", "png"));
            assertThat(dimensions(thumbnail)).as(file).containsExactly(16, 16);
        }
    }

    @Test
    void outputsCarryNoMetadata() throws Exception {
        // testJPEG_EXIF.jpg has EXIF, IPTC (APP13) and XMP; the PNG has an EXIF text profile and other text
        byte[] jpeg = thumbnail(corpus("images/tika/testJPEG_EXIF.jpg"), params("width", "64")).get(0).bytes();
        assertThat(Images.jpegMarkers(jpeg)).doesNotContain(0xE1, 0xE2, 0xED, 0xFE);
        assertThat(new String(jpeg, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("Exif");

        byte[] png = thumbnail(corpus("exif-orientation/exif_imagemagick_orientation.png"),
                params("width", "64", "format", "png")).get(0).bytes();
        assertThat(Images.pngChunks(png)).doesNotContain("eXIf", "tEXt", "zTXt", "iTXt", "iCCP", "tIME");
    }

    // ---- bad input ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"malformed/images-briar/lottapixel.jpg", "malformed/images-pillow/reallybig.bmp",
        "malformed/images-briar/animated.gif", "malformed/images-briar/error_large.gif"})
    void imageBombsAreRefusedBeforeDecoding(String file) {
        assertThatThrownBy(() -> thumbnail(corpus(file), params("width", "256")))
                .isInstanceOf(dev.sluice.core.LimitExceededException.class)
                .hasMessageContaining(Path.of(file).getFileName().toString())
                .hasMessageContaining("max-pixels");
    }

    @Test
    void thePixelLimitIsAParameter() throws Exception {
        Path hopper = corpus("images/pillow/hopper.jpg");
        assertThatThrownBy(() -> thumbnail(hopper, params("width", "64", "max-pixels", "10000")))
                .isInstanceOf(dev.sluice.core.LimitExceededException.class).hasMessageContaining("128x128");
        assertThat(thumbnail(hopper, params("width", "64", "max-pixels", "16384"))).hasSize(1);
    }

    static Stream<String> corruptFiles() throws Exception {
        List<String> files = new ArrayList<>(List.of(
                "malformed/images-pillow/truncated_jpeg.jpg", "malformed/images-pillow/truncated_image.png",
                "malformed/images-pillow/broken.png", "malformed/images-pillow/broken_data_stream.png",
                "malformed/images-pillow/truncated_end_chunk.png", "malformed/images-pillow/zero_width.gif",
                "malformed/images-pillow/decompression_bomb.gif", "malformed/images-pillow/decompression_bomb.ico",
                "malformed/images-pillow/crash-2020-10-test.tif",
                "malformed/images-pillow/crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif",
                "malformed/images-pillow/crash-1152ec2d1a1a71395b6f2ce6721c38924d025bf3.tif",
                "malformed/images-pillow/oom-225817ca0f8c663be7ab4b9e717b02c661e66834.tif",
                "malformed/images-pillow/psd-oob-write.psd", "malformed/images-pillow/psd-oob-write-overflow.psd",
                "malformed/images-pillow/combined_larger_than_size.psd", "malformed/images-briar/libraw_error.jpg",
                "malformed/misc/png-truncated.png", "images/smallest/jxl.jxl", "images/smallest/webp.webp",
                "images/smallest/gif.gif", "images/smallest/pdf.pdf"));
        try (Stream<Path> corrupt = Files.list(corpus("malformed/pngsuite-corrupt"))) {
            corrupt.filter(p -> p.toString().endsWith(".png"))
                    .forEach(p -> files.add("malformed/pngsuite-corrupt/" + p.getFileName()));
        }
        return files.stream().sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void corruptTruncatedAndUnsupportedFilesAreBadInput(String file) {
        assertThatThrownBy(() -> thumbnail(corpus(file), params("width", "256")))
                .isInstanceOf(dev.sluice.core.BadInputException.class)
                .hasMessageContaining("'" + Path.of(file).getFileName() + "'");
    }

    @Test
    void aTruncatedBaselineJpegIsBadInput() throws Exception {
        byte[] photo = Files.readAllBytes(corpus("exif-orientation/Landscape_1.jpg"));
        Path truncated = temp.resolve("truncated.jpg");
        Files.write(truncated, java.util.Arrays.copyOf(photo, photo.length / 2));

        assertThatThrownBy(() -> thumbnail(truncated, params("width", "256")))
                .isInstanceOf(dev.sluice.core.BadInputException.class).hasMessageContaining("truncated");
    }

    @Test
    void aTruncatedJpegAfterTheWholePhotoOnTheSameThreadIsStillBadInput() throws Exception {
        // the JPEG bytes go into a buffer reused by the thread: the whole photo's tail is still in it
        Path photo = corpus("exif-orientation/Landscape_1.jpg");
        byte[] bytes = Files.readAllBytes(photo);
        Path truncated = temp.resolve("truncated.jpg");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length * 3 / 4));

        assertThat(thumbnail(photo, params("width", "256"))).hasSize(1);
        assertThatThrownBy(() -> thumbnail(truncated, params("width", "256")))
                .isInstanceOf(dev.sluice.core.BadInputException.class).hasMessageContaining("truncated");
        assertThat(thumbnail(photo, params("width", "256"))).hasSize(1);
    }

    static Stream<Path> malformedImages() throws Exception {
        List<Path> files = new ArrayList<>();
        for (String folder : List.of("malformed/images-briar", "malformed/images-pillow", "malformed/pngsuite-corrupt",
                "malformed/misc")) {
            try (Stream<Path> listing = Files.list(corpus(folder))) {
                listing.filter(p -> !p.toString().endsWith(".tsv")).sorted().forEach(files::add);
            }
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedImages")
    void everyHostileFileEndsInAThumbnailOrBadInput(Path file) {
        try {
            List<Images.Output> outputs = thumbnail(file, params("width", "256,64"));
            assertThat(outputs).hasSize(2);
        } catch (dev.sluice.core.BadInputException expected) {
            assertThat(expected.getMessage()).contains(file.getFileName().toString());
        } catch (Throwable other) {
            throw new AssertionError(file + " failed with " + other, other);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"malformed/images-pillow/hopper_bad_exif.jpg", "malformed/images-briar/uber.gif",
        "malformed/images-briar/error_high.jpg", "malformed/images-briar/error_wide.jpg",
        "malformed/images-briar/image_io_crash.png", "malformed/images-pillow/png_decompression_dos.png"})
    void oddButValidFilesStillWork(String file) throws Exception {
        assertThat(thumbnail(corpus(file), params("width", "64"))).hasSize(1);
    }

    // ---- concurrency ----------------------------------------------------------------------------------------------

    @Test
    void manyInvocationsAtOnceGiveTheSameBytesAsOneByOne() throws Exception {
        List<Path> inputs = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (String file : List.of("exif-orientation/Landscape_6.jpg", "exif-orientation/Portrait_3.jpg",
                    "images/pillow/hopper.png", "images/tika/testWebp_Alpha_Lossy.webp", "images/pillow/hopper.gif",
                    "images/pillow/hopper.tif", "images/pngsuite/basn6a16.png", "exif-orientation/hopper_orientation_5.webp")) {
                String name = Path.of(file).getFileName().toString();
                // distinct base names: outputs are named after their input's base name
                Path copy = temp.resolve("in").resolve(round + "-" + name.replace('.', '_') + name.substring(name.lastIndexOf('.')));
                Files.createDirectories(copy.getParent());
                Files.copy(corpus(file), copy);
                inputs.add(copy);
            }
        }
        ThumbnailFunction function = new ThumbnailFunction();
        Parameters parameters = Parameters.of(function, params("width", "200,50"));
        Path parallelOut = temp.resolve("parallel");
        Path serialOut = temp.resolve("serial");

        List<LocalInvoker.Result> parallel = LocalInvoker.invoke(function, parameters, inputs, parallelOut, 6,
                Duration.ofMinutes(1), r -> { });
        List<LocalInvoker.Result> serial = LocalInvoker.invoke(function, parameters, inputs, serialOut, 1,
                Duration.ofMinutes(1), r -> { });

        assertThat(parallel).allSatisfy(r -> assertThat(r.error()).isNull());
        assertThat(serial).allSatisfy(r -> assertThat(r.error()).isNull());
        Map<String, byte[]> serialBytes = new HashMap<>();
        for (LocalInvoker.Result result : serial) {
            for (Path output : result.outputs()) {
                serialBytes.put(output.getFileName().toString(), Files.readAllBytes(output));
            }
        }
        assertThat(serialBytes.size()).isEqualTo(2 * inputs.size());
        List<String> different = new ArrayList<>();
        for (LocalInvoker.Result result : parallel) {
            for (Path output : result.outputs()) {
                if (!java.util.Arrays.equals(Files.readAllBytes(output), serialBytes.get(output.getFileName().toString()))) {
                    different.add(output.getFileName().toString());
                }
            }
        }
        assertThat(different).isEmpty();
    }

    @Test
    void prepareTakesAMadeUpPhotoThroughTheJpegPathAndMayBeCalledFromManyThreads() throws Exception {
        BufferedImage upright = ThumbnailFunction.thumbnailOfMadeUpPhoto();
        // 128x96 stored sideways (orientation 6) is 96x128 upright: 8 wide, 11 high (10.67 rounded)
        assertThat(dimensions(upright)).containsExactly(8, 11);

        ThumbnailFunction function = new ThumbnailFunction();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(function::prepare));
            }
            for (var call : calls) {
                call.get(); // rethrows what prepare threw
            }
        } finally {
            pool.shutdown();
        }
        assertThat(dimensions(onlyImage(corpus("exif-orientation/Landscape_6.jpg"), params("width", "64"))).get(0))
                .isEqualTo(64);
    }

    private static List<Integer> dimensions(BufferedImage image) {
        return List.of(image.getWidth(), image.getHeight());
    }
}
