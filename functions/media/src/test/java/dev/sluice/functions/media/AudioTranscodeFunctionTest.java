package dev.sluice.functions.media;

import static dev.sluice.functions.media.MediaFixtures.audio;
import static dev.sluice.functions.media.MediaFixtures.clip;
import static dev.sluice.functions.media.MediaFixtures.corpus;
import static dev.sluice.functions.media.MediaFixtures.loudness;
import static dev.sluice.functions.media.MediaFixtures.probe;
import static dev.sluice.functions.media.MediaFixtures.run;
import static dev.sluice.functions.media.MediaFixtures.runOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioTranscodeFunctionTest {
    @TempDir
    Path out;

    private final AudioTranscodeFunction function = new AudioTranscodeFunction();

    @Test
    void convertsToEachFormat() throws Exception {
        Path input = corpus("media/tika/testFLAC.flac");
        MediaInfo mp3 = probe(runOk(function, input, out, "format", "mp3").outputs().get(0));
        assertThat(audio(mp3).codec()).isEqualTo("mp3");
        MediaInfo aac = probe(runOk(function, input, out, "format", "aac", "channels", "1").outputs().get(0));
        assertThat(aac.container()).startsWith("mov,mp4");
        assertThat(audio(aac).codec()).isEqualTo("aac");
        assertThat(audio(aac).channels()).isEqualTo(1);
        MediaInfo opus = probe(runOk(function, input, out, "format", "opus").outputs().get(0));
        assertThat(opus.container()).isEqualTo("ogg");
        assertThat(audio(opus).codec()).isEqualTo("opus");
        assertThat(audio(opus).sampleRate()).isEqualTo(48000);
    }

    @Test
    void takesTheSoundOfAVideo() throws Exception {
        Path output = runOk(function, corpus("media/androidx/sample.mp4"), out, "format", "aac").outputs().get(0);
        assertThat(output.getFileName().toString()).isEqualTo("sample.m4a");
        MediaInfo info = probe(output);
        assertThat(info.hasVideo()).isFalse();
        assertThat(info.durationSeconds()).isCloseTo(1.02, within(0.1));
    }

    @Test
    void normalisesAQuietToneToTheTargetLoudness() throws Exception {
        Path input = clip(0, 0, 5, false, true, -32);
        Loudness.Measurement before = loudness(input);
        assertThat(before.integrated()).isCloseTo(-32, within(1.5));
        Path output = runOk(function, input, out, "format", "mp3", "loudness", "-16").outputs().get(0);
        Loudness.Measurement after = loudness(output);
        assertThat(after.integrated()).isCloseTo(-16, within(1.0));
    }

    @Test
    void normalisesSpeechWithPeaksUnderTheCeiling() throws Exception {
        // speech has peaks far above its loudness (this one: -31 LUFS, -16.7 dBTP): reaching -14 LUFS under a
        // -1.5 dBTP ceiling needs the limiter
        Path input = corpus("media/tika/testMP3id3v2.mp3");
        Loudness.Measurement before = loudness(input);
        assertThat(before.truePeak() + (-14 - before.integrated())).as("peaks after a plain gain").isGreaterThan(-1.5);
        Path output = runOk(function, input, out, "format", "aac", "loudness", "-14").outputs().get(0);
        Loudness.Measurement after = loudness(output);
        assertThat(after.integrated()).as("from %s", before).isCloseTo(-14, within(1.0));
        assertThat(after.truePeak()).isLessThan(0);
    }

    @Test
    void aVideoWithoutSoundIsBadInput() throws Exception {
        assertThat(run(function, clip(320, 240, 1, true, false, 0), out).error())
                .startsWith("BadInputException").contains("no audio stream");
    }
}
