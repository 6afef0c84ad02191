package dev.sluice.functions.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** image-metadata on real files from the corpora (Tika's EXIF, GPS and XMP samples). */
class ImageMetadataFunctionTest {
    static final Path CORPORA = Path.of(System.getProperty("sluice.corpora", "../../../shared/corpora"));
    final ImageMetadataFunction function = new ImageMetadataFunction();

    private LocalInvoker.Result run(Path input, Path out) throws Exception {
        return LocalInvoker.invoke(function, Parameters.of(function, Map.of()), List.of(input), out, 1,
                Duration.ofSeconds(30), r -> { }).get(0);
    }

    private JsonNode metadataOf(String corpusFile, Path out) throws Exception {
        Path input = CORPORA.resolve(corpusFile);
        LocalInvoker.Result result = run(input, out);
        assertThat(result.succeeded()).as(result.error()).isTrue();
        String name = input.getFileName().toString();
        return new ObjectMapper().readTree(out.resolve(name.substring(0, name.lastIndexOf('.')) + "-metadata.json")
                .toFile());
    }

    @Test
    void exifTagsOfACameraPhoto(@TempDir Path out) throws Exception {
        // Expected values read from the file's IFD0 with a few lines of independent byte parsing.
        JsonNode json = metadataOf("images/tika/testJPEG_EXIF.jpg", out);
        JsonNode ifd0 = json.path("directories").path("Exif IFD0");
        assertThat(ifd0.path("Make").asText()).isEqualTo("Canon");
        assertThat(ifd0.path("Model").asText()).isEqualTo("Canon EOS 40D");
        assertThat(ifd0.path("Y Resolution").asText()).isEqualTo("240 dots per inch");
    }

    @Test
    void gpsPositionIsDecimalDegrees(@TempDir Path out) throws Exception {
        JsonNode json = metadataOf("images/tika/testJPEG_GEO.jpg", out);
        assertThat(json.path("gps").path("latitude").isNumber()).isTrue();
        assertThat(json.path("gps").path("latitude").asDouble()).isBetween(-90.0, 90.0);
        assertThat(json.path("gps").path("longitude").asDouble()).isBetween(-180.0, 180.0);
    }

    @Test
    void xmpPropertiesAreListed(@TempDir Path out) throws Exception {
        JsonNode json = metadataOf("images/tika/testPSD_xmp.psd", out);
        assertThat(json.path("xmp").toString()).contains("xmp.iid:63681182-81a0-4035-b4b2-19bea6201c05");
    }

    @Test
    void aFileThatIsNoImageIsABadInput(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not an image at all");
        LocalInvoker.Result result = run(text, dir.resolve("out"));
        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).startsWith("BadInputException").contains("notes.jpg");
    }
}
