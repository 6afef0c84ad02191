package dev.sluice.functions.pdf;

import static dev.sluice.functions.pdf.PdfFixtures.pdfText;
import static dev.sluice.functions.pdf.PdfFixtures.run;
import static dev.sluice.functions.pdf.PdfFixtures.runOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdfImagesFunctionTest {
    @TempDir
    Path out;

    private final PdfImagesFunction function = new PdfImagesFunction();

    @Test
    void jpegIsCopiedAsStoredWithTheSizeOfTheReferenceImage() throws Exception {
        List<Path> images = images("py-pdf/pdflatex-image.pdf");
        assertThat(images).extracting(p -> p.getFileName().toString()).containsExactly("pdflatex-image-p1-i1.jpg");
        assertSameSize(images.get(0), pdfText("py-pdf/page-0-Im1.jpg"));
        assertThat(Files.readAllBytes(images.get(0))).startsWith(0xFF, 0xD8); // the JPEG as embedded, not re-encoded
    }

    @Test
    void decodedImagesBecomePngOfTheReferenceSize() throws Exception {
        assertSameSize(only(images("py-pdf/grayscale-image.pdf"), "png"), pdfText("py-pdf/page-0-X0.png"));
        // an inline image (BI ... ID ... EI in the content stream)
        assertSameSize(only(images("py-pdf/inline-image.pdf"), "png"), pdfText("py-pdf/008-smile.png"));
    }

    @Test
    void pageAndIndexAreInTheName() throws Exception {
        assertThat(images("py-pdf/imagemagick-images.pdf")).extracting(p -> p.getFileName().toString()
                .replaceFirst("\\.(png|jpg)$", "")).containsExactly("imagemagick-images-p1-i1",
                "imagemagick-images-p2-i1", "imagemagick-images-p3-i1", "imagemagick-images-p4-i1",
                "imagemagick-images-p5-i1", "imagemagick-images-p6-i1");
    }

    @Test
    void decodesCcittLzwAscii85AndJbig2() throws Exception {
        for (String file : List.of("imagemagick-CCITTFaxDecode.pdf", "imagemagick-lzw.pdf",
                "imagemagick-ASCII85Decode.pdf")) {
            assertThat(ImageIO.read(only(images("py-pdf/" + file), "png").toFile())).isNotNull();
        }
        // Tika: the JBIG2 image of testPDF_JBIG2.pdf is 352 x 91
        BufferedImage jbig2 = ImageIO.read(only(images("tika/testPDF_JBIG2.pdf"), "png").toFile());
        assertThat(jbig2.getWidth()).isEqualTo(352);
        assertThat(jbig2.getHeight()).isEqualTo(91);
    }

    @Test
    void jpeg2000IsKeptAsStored() throws Exception {
        Path jp2 = only(images("tika/testPDF_jpeg2000.pdf"), "jp2");
        byte[] head = Files.readAllBytes(jp2);
        assertThat(head).startsWith(0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50); // JP2 signature box
    }

    @Test
    void glyphBitmapsOfType3FontsAreNotImages() throws Exception {
        // Google Docs draws emoji as Type 3 glyphs that are bitmaps; pdfimages lists one real image here.
        assertThat(images("py-pdf/google-doc-document.pdf")).hasSize(1);
    }

    @Test
    void formatAndLimitsAreHonoured() throws Exception {
        Path png = only(images("py-pdf/pdflatex-image.pdf", "format", "png"), "png");
        assertSameSize(png, pdfText("py-pdf/page-0-Im1.jpg"));
        assertThat(images("py-pdf/pdflatex-image.pdf", "min-size", "301")).isEmpty();
        BufferedImage small = ImageIO.read(only(images("py-pdf/pdflatex-image.pdf", "format", "jpeg",
                "max-pixels", "20000"), "jpg").toFile());
        assertThat(small.getWidth() * small.getHeight()).isLessThanOrEqualTo(20000); // subsampled, not refused

        LocalInvoker.Result tooMany = run(function, pdfText("py-pdf/imagemagick-images.pdf"), out, "max-images", "3");
        assertThat(tooMany.error()).startsWith("LimitExceededException").contains("max-images=3");
        assertThat(tooMany.outputs()).isEmpty();
    }

    private List<Path> images(String corpusFile, String... params) throws Exception {
        Path dir = Files.createTempDirectory(out, "images");
        return runOk(function, pdfText(corpusFile), dir, params).outputs().stream()
                .sorted().toList();
    }

    private static Path only(List<Path> images, String extension) {
        assertThat(images).hasSize(1);
        assertThat(images.get(0).toString()).endsWith("." + extension);
        return images.get(0);
    }

    private static void assertSameSize(Path actual, Path reference) throws IOException {
        BufferedImage a = ImageIO.read(actual.toFile());
        BufferedImage b = ImageIO.read(reference.toFile());
        assertThat(a.getWidth()).as("width").isEqualTo(b.getWidth());
        assertThat(a.getHeight()).as("height").isEqualTo(b.getHeight());
    }
}
