package dev.sluice.functions.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Shared test plumbing: the corpora, running a function on a local file, generated clips, probing outputs. */
final class MediaFixtures {
    private MediaFixtures() {
    }

    /** A file in ../shared/corpora (located through the {@code sluice.corpora} property set by the root pom). */
    static Path corpus(String relative) {
        Path root = Path.of(System.getProperty("sluice.corpora", "../../../shared/corpora"));
        Path file = root.resolve(relative);
        assertThat(file).as("corpus file (is -Dsluice.corpora set?)").exists();
        return file;
    }

    /** Runs {@code function} on one local file; {@code params} alternate name and value. */
    static LocalInvoker.Result run(SluiceFunction function, Path input, Path outDir, String... params)
            throws InterruptedException {
        return run(function, input, outDir, Duration.ofMinutes(2), params);
    }

    static LocalInvoker.Result run(SluiceFunction function, Path input, Path outDir, Duration timeout,
                                   String... params) throws InterruptedException {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        Parameters parameters = Parameters.of(function, map);
        function.validate(parameters);
        return LocalInvoker.invoke(function, parameters, List.of(input), outDir, 1, timeout, result -> { }).get(0);
    }

    static LocalInvoker.Result runOk(SluiceFunction function, Path input, Path outDir, String... params)
            throws InterruptedException {
        LocalInvoker.Result result = run(function, input, outDir, params);
        assertThat(result.error()).as("error for %s", input.getFileName()).isNull();
        return result;
    }

    /** What our own prober says about an output. */
    static MediaInfo probe(Path file) throws IOException {
        try (SafeInput input = SafeInput.open(file, file.getFileName().toString(), null)) {
            return input.info();
        }
    }

    /** EBU R128 loudness of a file, measured by FFmpeg's ebur128 filter. */
    static Loudness.Measurement loudness(Path file) throws IOException {
        return Loudness.measure(file, file.getFileName().toString(), null);
    }

    static MediaInfo.StreamInfo video(MediaInfo info) {
        return info.streams().stream().filter(MediaInfo.StreamInfo::isVideo).findFirst().orElseThrow();
    }

    static MediaInfo.StreamInfo audio(MediaInfo info) {
        return info.streams().stream().filter(MediaInfo.StreamInfo::isAudio).findFirst().orElseThrow();
    }

    /**
     * A generated H.264/AAC MP4 made from FFmpeg's test sources, cached per test run:
     * {@code testsrc2} pictures and, if {@code audio}, a 440 Hz tone of about {@code toneDb} LUFS.
     */
    static synchronized Path clip(int width, int height, double seconds, boolean video, boolean audio,
                                  double toneDb) throws Exception {
        String name = String.format(Locale.ROOT, "clip-%dx%d-%.1fs-%s%s-%.0fdB.%s", width, height, seconds,
                video ? "v" : "", audio ? "a" : "", toneDb, video ? "mp4" : "m4a");
        Path file = CLIPS.resolve(name);
        if (Files.exists(file)) {
            return file;
        }
        String videoSource = video ? String.format(Locale.ROOT, "testsrc2=size=%dx%d:rate=30:duration=%s", width,
                height, seconds) : null;
        // volume brings the stereo 440 Hz tone (sine's amplitude is 1/8) to about toneDb LUFS
        String audioSource = audio ? String.format(Locale.ROOT,
                "sine=frequency=440:sample_rate=48000:duration=%s,volume=%sdB", seconds, toneDb + 21.8) : null;
        MediaGenerator.generate(file, "mp4", videoSource,
                VideoCodec.of("libx264", "yuv420p", Map.of("preset", "ultrafast", "crf", "20")), audioSource,
                new AudioCodec("aac", 48000, 2, 128_000, Map.of()), Map.of("movflags", "+faststart"));
        return file;
    }

    private static final Path CLIPS;

    static {
        try {
            CLIPS = Files.createTempDirectory("sluice-media-clips-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> files = Files.list(CLIPS)) {
                    files.forEach(file -> file.toFile().delete());
                } catch (IOException ignored) {
                    // best effort: the folder is in the temp directory
                }
                CLIPS.toFile().delete();
            }));
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
