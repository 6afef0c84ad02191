package dev.sluice.functions.media;

import dev.sluice.core.BadInputException;
import dev.sluice.core.ConfigException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code transcode}: a video to web-playable MP4 (H.264 + AAC, {@code +faststart}) and optionally WebM (VP9 +
 * Opus), at one or more renditions of a ladder, all from one decode. Renditions keep the aspect ratio, are never
 * larger than the source, and come out upright whatever the source's rotation metadata says. Audio is encoded
 * once per codec and shared by every rendition. An audio-only input gives one audio-only file per format.
 */
public final class TranscodeFunction implements SluiceFunction {
    static final Set<String> FORMATS = Set.of("mp4", "webm");

    @Override
    public String name() {
        return "transcode";
    }

    @Override
    public String description() {
        return "Transcode video to MP4 (H.264/AAC, faststart) and optionally WebM (VP9/Opus) at one or more "
                + "ladder renditions from one decode; never upscales, keeps aspect, honours rotation.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(ParameterSpec.of("renditions", ParameterType.INT_LIST, "720", "Rendition heights (the shorter "
                + "side), e.g. 1080,720,480,360. Heights above the source are skipped; if none fits, the source "
                + "size is used."));
        specs.add(ParameterSpec.of("formats", ParameterType.STRING, "mp4", "Comma-separated: mp4 (H.264/AAC) "
                + "and/or webm (VP9/Opus)."));
        specs.addAll(VideoEncoding.parameters());
        specs.add(MediaLimits.MAX_DURATION);
        specs.add(MediaLimits.MAX_RESOLUTION);
        return specs;
    }

    @Override
    public void validate(Parameters parameters) {
        formats(parameters);
        VideoEncoding.from(parameters);
        for (int height : parameters.getIntList("renditions")) {
            if (height < 16 || height > 8640) {
                throw new ConfigException("transcode: rendition heights must be between 16 and 8640, e.g. 1080,720,480.");
            }
        }
    }

    static List<String> formats(Parameters parameters) {
        Set<String> formats = new LinkedHashSet<>();
        for (String part : parameters.get("formats").split(",")) {
            String format = part.trim().toLowerCase(Locale.ROOT);
            if (!FORMATS.contains(format)) {
                throw new ConfigException("transcode: unknown format '" + part.trim() + "'; use mp4, webm or mp4,webm.");
            }
            formats.add(format);
        }
        if (formats.isEmpty()) {
            throw new ConfigException("transcode: formats must name mp4 and/or webm.");
        }
        return List.copyOf(formats);
    }

    private record Planned(Path file, String format, Renditions.Rendition rendition, MediaPipeline.VideoBranch video) {
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Parameters parameters = invocation.parameters();
        VideoEncoding encoding = VideoEncoding.from(parameters);
        MediaLimits limits = MediaLimits.from(parameters);
        List<String> formats = formats(parameters);
        String fileName = invocation.input().fileName();
        long started = System.nanoTime();
        try (SafeInput input = SafeInput.open(invocation);
             WorkDir work = new WorkDir();
             MediaPipeline pipeline = new MediaPipeline(input, invocation, name(), limits)) {
            MediaInfo info = input.info();
            limits.check(info, fileName);
            Optional<MediaInfo.StreamInfo> video = info.primaryVideo();
            Optional<MediaInfo.StreamInfo> audio = info.primaryAudio();
            if (video.isEmpty() && audio.isEmpty()) {
                throw new BadInputException("'" + fileName + "' has neither a video nor an audio stream.");
            }
            MediaPipeline.AudioBranch aac = null;
            MediaPipeline.AudioBranch opus = null;
            if (audio.isPresent()) {
                int rate = audio.get().sampleRate();
                int channels = audio.get().channels();
                aac = formats.contains("mp4") ? pipeline.audio(encoding.aac(rate, channels)) : null;
                opus = formats.contains("webm") ? pipeline.audio(encoding.opus(channels)) : null;
            }
            List<Planned> planned = new ArrayList<>();
            if (video.isPresent()) {
                MediaInfo.StreamInfo source = video.get();
                double sourceFps = source.frameRate() == null ? 0 : source.frameRate();
                double fps = encoding.outputFps(sourceFps);
                List<Renditions.Rendition> renditions = Renditions.plan(parameters.getIntList("renditions"),
                        source.displayWidth(), source.displayHeight());
                Renditions.Rendition largest = renditions.get(0);
                for (Renditions.Rendition rendition : renditions) {
                    for (String format : formats) {
                        boolean mp4 = format.equals("mp4");
                        VideoCodec codec = mp4 ? encoding.h264(rendition, largest, fps, false, null)
                                : encoding.vp9(rendition, largest, fps);
                        MediaPipeline.VideoBranch branch = pipeline.video(
                                encoding.chain(rendition, sourceFps, "yuv420p"), codec);
                        Path file = work.resolve(rendition.name() + "." + format);
                        pipeline.output(file, format, mp4 ? Map.of("movflags", "+faststart") : Map.of(), branch,
                                mp4 ? aac : opus);
                        planned.add(new Planned(file, format, rendition, branch));
                    }
                }
            } else {
                for (String format : formats) {
                    Path file = work.resolve("audio." + format);
                    boolean mp4 = format.equals("mp4");
                    pipeline.output(file, format, mp4 ? Map.of("movflags", "+faststart") : Map.of(), null,
                            mp4 ? aac : opus);
                    planned.add(new Planned(file, format, null, null));
                }
            }
            MediaPipeline.Result result = pipeline.run();
            for (Planned output : planned) {
                invocation.outputs().write(spec(output), output.file());
            }
            invocation.logger().info(String.format(Locale.ROOT, "%s: %s from %.1f s of media in %.1f s", fileName,
                    planned.stream().map(p -> p.video() == null ? "audio ." + p.format()
                            : p.video().width() + "x" + p.video().height() + " ." + p.format())
                            .collect(Collectors.joining(", ")),
                    result.seconds(), (System.nanoTime() - started) / 1e9));
        }
    }

    private static OutputSpec spec(Planned output) {
        boolean mp4 = output.format().equals("mp4");
        if (output.video() == null) {
            return OutputSpec.of("-audio", mp4 ? "m4a" : "webm", mp4 ? "audio/mp4" : "audio/webm")
                    .with("rendition", "audio").with("width", 0).with("height", 0).with("format", output.format());
        }
        return OutputSpec.of("-" + output.rendition().name(), output.format(), mp4 ? "video/mp4" : "video/webm")
                .with("rendition", output.rendition().name())
                .with("width", output.video().width())
                .with("height", output.video().height())
                .with("format", output.format());
    }
}
