package dev.sluice.functions.media;

import static dev.sluice.functions.media.MediaFixtures.clip;
import static dev.sluice.functions.media.MediaFixtures.corpus;
import static dev.sluice.functions.media.MediaFixtures.run;
import static dev.sluice.functions.media.MediaFixtures.runOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoPosterFunctionTest {
    @TempDir
    Path out;

    private final VideoPosterFunction function = new VideoPosterFunction();

    @Test
    void jpegAtAWidthKeepsTheAspectRatio() throws Exception {
        LocalInvoker.Result result = runOk(function, clip(320, 240, 2, true, true, -20), out, "width", "160");
        assertThat(result.outputs()).singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString()).endsWith("-poster.jpg"));
        BufferedImage image = ImageIO.read(result.outputs().get(0).toFile());
        assertThat(image.getWidth()).isEqualTo(160);
        assertThat(image.getHeight()).isEqualTo(120);
    }

    @Test
    void pngAtATimeNeverUpscalesAndWebpIsARiffFile() throws Exception {
        Path input = clip(320, 240, 2, true, true, -20);
        Path png = runOk(function, input, out, "format", "png", "time", "1.5", "width", "1000").outputs().get(0);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(320);
        assertThat(image.getHeight()).isEqualTo(240);
        byte[] webp = Files.readAllBytes(runOk(function, input, out, "format", "webp").outputs().get(0));
        assertThat(new String(webp, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
        assertThat(new String(webp, 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WEBP");
    }

    @Test
    void rotatedVideoGivesAnUprightPoster() throws Exception {
        Path poster = runOk(function, corpus("media/androidx/sample_rotate_and_reflect.mp4"), out,
                "position", "0.5").outputs().get(0);
        BufferedImage image = ImageIO.read(poster.toFile());
        assertThat(image.getWidth()).isEqualTo(720);
        assertThat(image.getHeight()).isEqualTo(1080);
    }

    @Test
    void aTimePastTheEndUsesTheLastPart() throws Exception {
        LocalInvoker.Result result = runOk(function, clip(320, 240, 2, true, true, -20), out, "time", "3600");
        assertThat(result.outputs()).hasSize(1);
    }

    @Test
    void audioWithoutCoverArtHasNoPoster() throws Exception {
        LocalInvoker.Result result = run(function, corpus("media/tika/testWAV.wav"), out);
        assertThat(result.error()).startsWith("BadInputException").contains("no video stream");
    }
}
