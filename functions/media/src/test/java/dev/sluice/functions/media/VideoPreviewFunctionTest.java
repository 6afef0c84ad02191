package dev.sluice.functions.media;

import static dev.sluice.functions.media.MediaFixtures.clip;
import static dev.sluice.functions.media.MediaFixtures.probe;
import static dev.sluice.functions.media.MediaFixtures.runOk;
import static dev.sluice.functions.media.MediaFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoPreviewFunctionTest {
    @TempDir
    Path out;

    private final VideoPreviewFunction function = new VideoPreviewFunction();

    @Test
    void mutedMp4ExcerptOfTheRequestedLength() throws Exception {
        Path preview = runOk(function, clip(320, 240, 4, true, true, -20), out, "start", "1", "duration", "1.5",
                "width", "160").outputs().get(0);
        assertThat(preview.getFileName().toString()).endsWith("-preview.mp4");
        MediaInfo info = probe(preview);
        assertThat(info.hasAudio()).isFalse();
        assertThat(info.durationSeconds()).isCloseTo(1.5, within(0.1));
        assertThat(video(info).width()).isEqualTo(160);
        assertThat(video(info).height()).isEqualTo(120);
    }

    @Test
    void animatedGifAndWebp() throws Exception {
        Path input = clip(320, 240, 2, true, true, -20);
        Path gif = runOk(function, input, out, "format", "gif", "duration", "1", "fps", "10", "width", "120")
                .outputs().get(0);
        try (ImageInputStream stream = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(stream).next();
            reader.setInput(stream);
            assertThat(reader.getNumImages(true)).isBetween(9, 11);
            assertThat(reader.getWidth(0)).isEqualTo(120);
        }
        byte[] webp = Files.readAllBytes(runOk(function, input, out, "format", "webp", "duration", "1")
                .outputs().get(0));
        assertThat(new String(webp, 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WEBP");
        assertThat(new String(webp, StandardCharsets.ISO_8859_1)).contains("ANIM");
    }
}
