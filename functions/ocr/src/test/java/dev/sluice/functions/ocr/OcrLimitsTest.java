package dev.sluice.functions.ocr;

import static dev.sluice.functions.ocr.OcrTesting.apply;
import static dev.sluice.functions.ocr.OcrTesting.corpus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.BadInputException;
import dev.sluice.core.ConfigException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.function.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits are checked before work, and bad input gives a clear error rather than a crash. */
class OcrLimitsTest {
    @TempDir
    Path temp;

    private static Path malformed(String relative) {
        return Path.of(System.getProperty("sluice.corpora", "../../../shared/corpora"), "malformed", relative);
    }

    @Test
    void aPixelFloodJpegIsRefusedBeforeDecoding() {
        // 4.8 KB declaring 64250 x 64250 pixels
        assertThatThrownBy(() -> apply(malformed("images-briar/lottapixel.jpg")))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("64250x64250")
                .hasMessageContaining("max-pixels");
    }

    @Test
    void aBmpDeclaringHugeDimensionsIsRefused() {
        assertThatThrownBy(() -> apply(malformed("images-pillow/reallybig.bmp")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("reallybig.bmp");
    }

    @Test
    void thePixelLimitAppliesToPdfPagesAtTheRenderingResolution() throws Exception {
        Path pdf = temp.resolve("scan.pdf");
        OcrAccuracyTest.writeImagePdf(pdf, corpus("tesseract/phototest.tif"));

        // 230 x 173 pt at 300 dpi is 960 x 720 pixels
        assertThatThrownBy(() -> apply(pdf, "max-pixels=500000"))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("960x720 pixels at 300 dpi");
        assertThat(apply(pdf, "max-pixels=500000", "dpi=200")).containsKey("txt");
    }

    @Test
    void documentsOverThePageLimitAreRefusedBeforeWork() {
        assertThatThrownBy(() -> apply(corpus("tika/testTIFF_multipage.tif"), "max-pages=1"))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("2 pages, more than max-pages=1");
    }

    @Test
    void aPageThatTakesTooLongFailsWithTheTimeoutNamed() throws Exception {
        // a UNLV page rendered at 400 dpi takes several seconds even on a fast machine; one second is not enough
        Path pdf = temp.resolve("big.pdf");
        OcrAccuracyTest.writeImagePdf(pdf, corpus("tesseract/8087_054.3B.tif"));

        assertThatThrownBy(() -> apply(pdf, "page-timeout=1", "dpi=400"))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("page 1 took longer than page-timeout=1s");
    }

    @Test
    void truncatedAndCorruptImagesAreBadInput() {
        for (String file : new String[] {"images-pillow/truncated_image.png", "images-pillow/broken.png",
                "misc/png-truncated.png", "images-pillow/crash-2020-10-test.tif",
                "images-pillow/oom-225817ca0f8c663be7ab4b9e717b02c661e66834.tif"}) {
            assertThatThrownBy(() -> apply(malformed(file))).as(file)
                    .isInstanceOf(BadInputException.class)
                    .hasMessageContaining(Path.of(file).getFileName().toString());
        }
    }

    @Test
    void filesThatAreNeitherImagesNorPdfsAreBadInput() throws Exception {
        Path text = Files.writeString(temp.resolve("notes.png"), "not an image at all");

        assertThatThrownBy(() -> apply(text))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("notes.png is not an image or PDF");
    }

    @Test
    void aPdfDecompressionBombIsHandledWithoutExhaustingMemory() throws Exception {
        // 1,978 bytes whose streams inflate to about 1.2 GB; streams are cached in temp files, not the heap
        Map<String, byte[]> outputs = apply(malformed("pdf/acsploit_output.pdf"));

        assertThat(new String(outputs.get("txt")).strip()).isEmpty();
    }

    @Test
    void aMissingLanguageNamesWhatToInstall() {
        assertThatThrownBy(() -> apply(corpus("tika/testOCR.jpg"), "lang=eng+xyz"))
                .isInstanceOf(OcrUnavailableException.class)
                .hasMessageContaining("No Tesseract model for language xyz")
                .hasMessageContaining("apt-get install tesseract-ocr-xyz")
                .hasMessageContaining("tessdata");
    }

    @Test
    void languagesFromATessdataFolderAreFound() throws Exception {
        // a folder with only "eng2", a copy of the bundled model under another name
        Path folder = Files.createDirectories(temp.resolve("tessdata"));
        Files.copy(TessData.bundled().resolve("eng.traineddata"), folder.resolve("eng2.traineddata"));

        Map<String, byte[]> outputs = apply(corpus("tika/testOCR.jpg"), "lang=eng2+eng", "tessdata=" + folder);

        assertThat(new String(outputs.get("txt"))).contains("OCR Testing");
    }

    @Test
    void badParametersAreRejectedWhenTheConfigLoads() {
        OcrFunction ocr = OcrTesting.OCR;
        assertThatThrownBy(() -> ocr.validate(Parameters.of(ocr, Map.of("format", "text,docx"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("docx");
        assertThatThrownBy(() -> ocr.validate(Parameters.of(ocr, Map.of("lang", "../etc"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("eng+deu");
        assertThatThrownBy(() -> ocr.validate(Parameters.of(ocr, Map.of("psm", "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("psm");
    }
}
