package dev.sluice.functions.media;

import static dev.sluice.functions.media.MediaFixtures.clip;
import static dev.sluice.functions.media.MediaFixtures.corpus;
import static dev.sluice.functions.media.MediaFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.SluiceFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Hostile, broken and oversized inputs: a clear BadInputException and no output, never a crash or a leak. */
class UntrustedInputTest {
    @TempDir
    Path out;

    @TempDir
    Path in;

    static Stream<SluiceFunction> functions() {
        return Stream.of(new MediaProbeFunction(), new TranscodeFunction(), new HlsFunction(),
                new VideoPosterFunction(), new VideoPreviewFunction(), new AudioTranscodeFunction());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void hlsPlaylistThatPointsAtLocalFilesIsRefused(SluiceFunction function) throws Exception {
        // the classic: a "video" that is a playlist whose segment is /etc/passwd, copied into the output
        Path playlist = Files.writeString(in.resolve("movie.m3u8"), """
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:10
                #EXT-X-MEDIA-SEQUENCE:0
                #EXTINF:10.0,
                file:///etc/passwd
                #EXTINF:10.0,
                /etc/passwd
                #EXT-X-ENDLIST
                """);
        assertRefused(function, playlist, "playlist");
        // the same playlist saved under an innocent name is still recognised by its content
        assertRefused(function, Files.copy(playlist, in.resolve("movie.mp4")), "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void concatListIsRefused(SluiceFunction function) throws Exception {
        Path list = Files.writeString(in.resolve("list.mp4"), "ffconcat version 1.0\nfile '/etc/passwd'\n"
                + "file 'file:/etc/hostname'\n");
        assertRefused(function, list, "playlist");
    }

    private void assertRefused(SluiceFunction function, Path input, String mentions) throws Exception {
        LocalInvoker.Result result = run(function, input, out, params(function));
        assertThat(result.error()).as(function.name()).startsWith("BadInputException").contains(mentions)
                .contains("'" + input.getFileName() + "'").doesNotContain("\u0000");
        assertThat(result.outputs()).isEmpty();
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
    }

    static Stream<Path> malformed() throws Exception {
        List<Path> files;
        try (Stream<Path> listing = Files.list(corpus("malformed/media"))) {
            files = listing.filter(p -> !p.toString().endsWith(".dump") && !p.toString().endsWith(".tsv")
                    && !p.toString().endsWith(".txt")).sorted().toList();
        }
        return Stream.concat(files.stream(), Stream.of(corpus("media/smallest/Mpeg4.mp4"),
                corpus("media/smallest/webm.webm"), corpus("media/smallest/wav.wav"),
                corpus("malformed/misc/png-truncated.png"), corpus("malformed/images-briar/lottapixel.jpg"),
                corpus("pdf-text/tika/testPDF.pdf")));
    }

    /** Truncated and corrupt media: each function either copes or says clearly that the input is bad. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void brokenFilesFailCleanlyOrWork(Path file) throws Exception {
        for (SluiceFunction function : functions().toList()) {
            LocalInvoker.Result result = run(function, file, out, params(function));
            if (result.error() != null) {
                assertThat(result.error()).as("%s on %s", function.name(), file.getFileName())
                        .startsWith("BadInputException").doesNotContain("\u0000");
                assertThat(result.outputs()).isEmpty();
            }
        }
    }

    @Test
    void emptyAndGarbageFiles() throws Exception {
        Path empty = Files.createFile(in.resolve("empty.mp4"));
        assertThat(run(new TranscodeFunction(), empty, out).error()).startsWith("BadInputException").contains("empty");
        Path garbage = Files.write(in.resolve("noise.mov"), new java.util.Random(7).ints(50_000).collect(
                java.io.ByteArrayOutputStream::new, (o, i) -> o.write(i), (a, b) -> { }).toByteArray());
        assertThat(run(new TranscodeFunction(), garbage, out).error()).startsWith("BadInputException");
    }

    @Test
    void limitsAreCheckedBeforeAnyWork() throws Exception {
        Path input = clip(320, 240, 2, true, true, -20);
        LocalInvoker.Result tooLong = run(new TranscodeFunction(), input, out, "max-duration", "1");
        assertThat(tooLong.error()).startsWith("LimitExceededException").contains("max-duration");
        LocalInvoker.Result tooLarge = run(new VideoPosterFunction(), input, out, "max-resolution", "240x160");
        assertThat(tooLarge.error()).startsWith("LimitExceededException").contains("max-resolution");
        // orientation does not matter: 320x240 fits 240x320
        assertThat(run(new VideoPosterFunction(), input, out, "max-resolution", "240x320").error()).isNull();
    }

    @Test
    void aTimeoutStopsFfmpegMidway() throws Exception {
        // A function that ignored the deadline would finish this slow encode and succeed (the runner only turns
        // exceptions into timeouts): the timeout error shows the frame loop stopped FFmpeg.
        Path input = clip(640, 360, 12, true, true, -20);
        LocalInvoker.Result result = run(new TranscodeFunction(), input, out, Duration.ofMillis(700),
                "preset", "veryslow", "renditions", "360,240");
        assertThat(result.error()).startsWith("InvocationTimeoutException");
        assertThat(result.outputs()).isEmpty();
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
    }

    private static String[] params(SluiceFunction function) {
        return function.name().equals("transcode") || function.name().equals("hls")
                ? new String[] {"preset", "ultrafast"} : new String[0];
    }
}
