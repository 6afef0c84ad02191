package dev.sluice.functions.media;

import static dev.sluice.functions.media.MediaFixtures.audio;
import static dev.sluice.functions.media.MediaFixtures.corpus;
import static dev.sluice.functions.media.MediaFixtures.run;
import static dev.sluice.functions.media.MediaFixtures.runOk;
import static dev.sluice.functions.media.MediaFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.exec.LocalInvoker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MediaProbeFunctionTest {
    @TempDir
    Path out;

    private final MediaProbeFunction function = new MediaProbeFunction();

    /** Every readable file of media_probe.tsv (ffprobe's facts): container, duration, codecs and sizes agree. */
    static Stream<Arguments> groundTruth() throws Exception {
        Stream.Builder<Arguments> rows = Stream.builder();
        for (String folder : List.of("media/androidx", "media/tika", "media/smallest")) {
            List<String> lines = Files.readAllLines(corpus(folder + "/media_probe.tsv"));
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split("\t", -1);
                if (cells[4].startsWith("rc=0") && !cells[3].contains("d:?")) {
                    rows.add(Arguments.of(folder + "/" + cells[0], cells[1], cells[2], cells[3]));
                }
            }
        }
        return rows.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groundTruth")
    void agreesWithFfprobe(String file, String container, String duration, String streams) throws Exception {
        LocalInvoker.Result result = runOk(function, corpus(file), out);
        assertThat(result.outputs()).singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString()).endsWith("-probe.json"));
        JsonNode json = MediaProbeFunction.Json.MAPPER.readTree(result.outputs().get(0).toFile());
        assertThat(json.get("container").asText()).isEqualTo(container);
        if (!duration.equals("?") && Double.parseDouble(duration) > 0) {
            // FFmpeg releases differ by an audio frame or two on MP4s with edit lists (1.024 vs 1.067 s)
            assertThat(json.get("durationSeconds").asDouble()).isCloseTo(Double.parseDouble(duration), within(0.05));
        }
        // "v:h264:1080x720;a:aac:44100Hz/1ch" (type:codec:size) or, in older rows, "a:mp3:22050Hz/1ch"
        for (String stream : streams.split(";")) {
            if (stream.isBlank()) {
                continue;
            }
            String[] parts = stream.split(":");
            String type = parts[0].equals("v") ? "video" : "audio";
            JsonNode match = null;
            for (JsonNode node : json.get("streams")) {
                if (node.get("type").asText().equals(type) && node.get("codec").asText().equals(parts[1])) {
                    match = node;
                }
            }
            assertThat(match).as("%s stream %s in %s", type, stream, json).isNotNull();
            if (type.equals("video")) {
                String[] size = parts[2].split("x");
                assertThat(match.get("width").asInt()).isEqualTo(Integer.parseInt(size[0]));
                assertThat(match.get("height").asInt()).isEqualTo(Integer.parseInt(size[1]));
            } else {
                String[] rate = parts[2].split("Hz/");
                assertThat(match.get("sampleRate").asInt()).isEqualTo(Integer.parseInt(rate[0]));
                assertThat(match.get("channels").asInt()).isEqualTo(Integer.parseInt(rate[1].replace("ch", "")));
            }
        }
    }

    @Test
    void reportsRotationAndTheUprightSize() throws Exception {
        // Media3's dump: rotationDegrees=90 for this file; stored 1080x720, shown 720x1080.
        MediaInfo rotated = MediaFixtures.probe(corpus("media/androidx/sample_rotate_and_reflect.mp4"));
        assertThat(video(rotated).rotation()).isEqualTo(90);
        assertThat(video(rotated).mirrored()).isTrue();
        assertThat(video(rotated).displayWidth()).isEqualTo(720);
        assertThat(video(rotated).displayHeight()).isEqualTo(1080);
        MediaInfo upright = MediaFixtures.probe(corpus("media/androidx/sample.mp4"));
        assertThat(video(upright).rotation()).isZero();
        assertThat(video(upright).frameRate()).isCloseTo(29.97, within(0.1));
        assertThat(audio(upright).channelLayout()).isEqualTo("mono");
        assertThat(audio(upright).language()).isNotBlank();
    }

    @Test
    void unreadableFilesAreBadInput() throws Exception {
        // ffprobe fails on these too (media_probe.tsv)
        for (String file : List.of("media/smallest/FlashVideo.flv", "media/smallest/mp3.mp3",
                "malformed/media/invalid_ogg_header", "malformed/media/testMP3truncated.mp3")) {
            LocalInvoker.Result result = run(function, corpus(file), out);
            assertThat(result.error()).as(file).startsWith("BadInputException");
            assertThat(result.outputs()).isEmpty();
        }
    }
}
