package dev.sluice.functions.media;

import static dev.sluice.functions.media.MediaFixtures.audio;
import static dev.sluice.functions.media.MediaFixtures.clip;
import static dev.sluice.functions.media.MediaFixtures.corpus;
import static dev.sluice.functions.media.MediaFixtures.probe;
import static dev.sluice.functions.media.MediaFixtures.runOk;
import static dev.sluice.functions.media.MediaFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.exec.LocalInvoker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranscodeFunctionTest {
    @TempDir
    Path out;

    private final TranscodeFunction function = new TranscodeFunction();

    @Test
    void rendersEachRenditionThatFitsAndNeverUpscales() throws Exception {
        Path input = clip(320, 240, 2, true, true, -20);
        LocalInvoker.Result result = runOk(function, input, out, "renditions", "720,240,180", "preset", "ultrafast");
        // 720 is above the 320x240 source: left out
        assertThat(result.outputs()).extracting(p -> p.getFileName().toString())
                .containsExactly("clip-320x240-2.0s-va--20dB-240p.mp4", "clip-320x240-2.0s-va--20dB-180p.mp4");
        MediaInfo full = probe(result.outputs().get(0));
        MediaInfo small = probe(result.outputs().get(1));
        assertThat(video(full).width()).isEqualTo(320);
        assertThat(video(full).height()).isEqualTo(240);
        assertThat(video(small).width()).isEqualTo(240);
        assertThat(video(small).height()).isEqualTo(180);
        for (MediaInfo info : List.of(full, small)) {
            assertThat(info.container()).startsWith("mov,mp4");
            assertThat(info.durationSeconds()).isCloseTo(2.0, within(0.1));
            assertThat(video(info).codec()).isEqualTo("h264");
            assertThat(video(info).pixelFormat()).isEqualTo("yuv420p");
            assertThat(video(info).frameRate()).isCloseTo(30, within(0.01));
            assertThat(audio(info).codec()).isEqualTo("aac");
            assertThat(info.streams().get(0).type()).as("video first").isEqualTo("video");
        }
        assertThat(isFastStart(result.outputs().get(0))).as("moov before mdat (+faststart)").isTrue();
    }

    @Test
    void reportsProgressAsAFractionOfTheDuration() throws Exception {
        List<Double> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Path clip = clip(320, 240, 2, true, true, -20);
        List<LocalInvoker.Result> results = LocalInvoker.invoke(function,
                dev.sluice.core.function.Parameters.of(function,
                        java.util.Map.of("renditions", "120", "preset", "ultrafast")),
                List.of(clip), out, 1, java.time.Duration.ofMinutes(2), r -> { }, (input, fraction) -> {
                    assertThat(input).isEqualTo(clip);
                    seen.add(fraction);
                });
        assertThat(results.get(0).error()).isNull();
        assertThat(seen).hasSizeGreaterThan(10).isSorted();
        assertThat(seen.get(0)).isLessThan(0.2);
        assertThat(seen.get(seen.size() - 1)).isEqualTo(1.0);
    }

    @Test
    void aSourceSmallerThanEveryRungIsKeptAtItsSize() throws Exception {
        LocalInvoker.Result result = runOk(function, corpus("media/tika/testMKV.mkv"), out,
                "renditions", "1080,720", "preset", "ultrafast");
        MediaInfo info = probe(result.outputs().get(0));
        assertThat(result.outputs().get(0).getFileName().toString()).isEqualTo("testMKV-240p.mp4");
        assertThat(video(info).width()).isEqualTo(320);
        assertThat(video(info).height()).isEqualTo(240);
    }

    @Test
    void honoursRotationMetadata() throws Exception {
        // stored 1080x720 with a 90-degree display matrix (and a mirror): shown, and so written, as 720x1080
        LocalInvoker.Result result = runOk(function, corpus("media/androidx/sample_rotate_and_reflect.mp4"), out,
                "renditions", "360", "preset", "ultrafast");
        MediaInfo info = probe(result.outputs().get(0));
        assertThat(video(info).width()).isEqualTo(360);
        assertThat(video(info).height()).isEqualTo(540);
        assertThat(video(info).rotation()).as("pixels turned; no rotation left in the metadata").isZero();
        assertThat(info.durationSeconds()).isCloseTo(1.02, within(0.1));
    }

    @Test
    void audioOnlyInputGivesAnAudioOnlyFile() throws Exception {
        LocalInvoker.Result result = runOk(function, corpus("media/tika/testMP3id3v2.mp3"), out);
        assertThat(result.outputs()).extracting(p -> p.getFileName().toString()).containsExactly("testMP3id3v2-audio.m4a");
        MediaInfo info = probe(result.outputs().get(0));
        assertThat(info.hasVideo()).isFalse();
        assertThat(audio(info).codec()).isEqualTo("aac");
        assertThat(info.durationSeconds()).isCloseTo(2.45, within(0.15));
    }

    @Test
    void videoWithoutSoundStaysSilent() throws Exception {
        Path input = clip(320, 240, 1, true, false, 0);
        LocalInvoker.Result result = runOk(function, input, out, "renditions", "180", "preset", "ultrafast");
        MediaInfo info = probe(result.outputs().get(0));
        assertThat(info.hasAudio()).isFalse();
        assertThat(video(info).height()).isEqualTo(180);
        assertThat(info.durationSeconds()).isCloseTo(1.0, within(0.1));
    }

    @Test
    void webmWithVp9AndOpusAndACapOnTheFrameRate() throws Exception {
        Path input = clip(320, 240, 1, true, true, -20);
        LocalInvoker.Result result = runOk(function, input, out, "renditions", "120", "formats", "mp4,webm",
                "preset", "ultrafast", "max-fps", "15", "rate-control", "bitrate");
        assertThat(result.outputs()).extracting(p -> p.getFileName().toString())
                .containsExactly("clip-320x240-1.0s-va--20dB-120p.mp4", "clip-320x240-1.0s-va--20dB-120p.webm");
        MediaInfo webm = probe(result.outputs().get(1));
        assertThat(webm.container()).isEqualTo("matroska,webm");
        assertThat(video(webm).codec()).isEqualTo("vp9");
        assertThat(audio(webm).codec()).isEqualTo("opus");
        assertThat(video(webm).width()).isEqualTo(160);
        MediaInfo mp4 = probe(result.outputs().get(0));
        assertThat(video(mp4).frameRate()).isCloseTo(15, within(0.01));
        assertThat(mp4.durationSeconds()).isCloseTo(1.0, within(0.15));
    }

    /** MP4 with +faststart has its index (moov) before the media data (mdat), so playback starts at once. */
    static boolean isFastStart(Path mp4) throws Exception {
        String head = new String(Files.readAllBytes(mp4), StandardCharsets.ISO_8859_1);
        return head.indexOf("moov") >= 0 && head.indexOf("moov") < head.indexOf("mdat");
    }
}
