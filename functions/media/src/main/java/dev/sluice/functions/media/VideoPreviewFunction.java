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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code video-preview}: a short, small, muted excerpt of a video for hover previews and feeds: an MP4 (H.264),
 * or an animated GIF or WebP that loops. Starts at a time or a fraction of the duration.
 */
public final class VideoPreviewFunction implements SluiceFunction {

    @Override
    public String name() {
        return "video-preview";
    }

    @Override
    public String description() {
        return "A short muted preview of a video: MP4 (H.264) or looping animated GIF/WebP.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.oneOf("format", "mp4", "Preview format.", "mp4", "gif", "webp"),
                ParameterSpec.of("start", ParameterType.DOUBLE, null,
                        "Start in seconds; default: position of the duration (or 0 for short videos)."),
                ParameterSpec.of("position", ParameterType.DOUBLE, "0.1",
                        "Start as a fraction of the duration, 0-1, when start is not given."),
                ParameterSpec.of("duration", ParameterType.DOUBLE, "3", "Length of the preview in seconds."),
                ParameterSpec.of("width", ParameterType.INT, "320",
                        "Width in pixels (never larger than the video; the height keeps the aspect ratio)."),
                ParameterSpec.of("fps", ParameterType.DOUBLE, "15",
                        "Frame rate of GIF/WebP previews (MP4 keeps the source's, up to 30)."),
                MediaLimits.MAX_DURATION,
                MediaLimits.MAX_RESOLUTION);
    }

    @Override
    public void validate(Parameters parameters) {
        double duration = parameters.getDouble("duration");
        if (duration <= 0 || duration > 60) {
            throw new ConfigException("video-preview: duration must be between 0 and 60 seconds.");
        }
        double position = parameters.getDouble("position");
        if (position < 0 || position > 1) {
            throw new ConfigException("video-preview: position is a fraction of the duration between 0 and 1.");
        }
        if (parameters.has("start") && parameters.getDouble("start") < 0) {
            throw new ConfigException("video-preview: start is in seconds and must not be negative.");
        }
        int width = parameters.getInt("width");
        if (width < 16 || width > 3840) {
            throw new ConfigException("video-preview: width must be between 16 and 3840 pixels.");
        }
        double fps = parameters.getDouble("fps");
        if (fps < 1 || fps > 60) {
            throw new ConfigException("video-preview: fps must be between 1 and 60.");
        }
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Parameters parameters = invocation.parameters();
        validate(parameters);
        MediaLimits limits = MediaLimits.from(parameters);
        String format = parameters.getChoice("format");
        String fileName = invocation.input().fileName();
        double length = parameters.getDouble("duration");
        try (SafeInput input = SafeInput.open(invocation);
             WorkDir work = new WorkDir();
             MediaPipeline pipeline = new MediaPipeline(input, invocation, name(), limits)) {
            MediaInfo info = input.info();
            limits.check(info, fileName);
            MediaInfo.StreamInfo video = info.primaryVideo().orElseThrow(() -> new BadInputException(
                    "'" + fileName + "' has no video stream to make a preview from."));
            double duration = info.durationSeconds() == null ? 0 : info.durationSeconds();
            double start = parameters.has("start") ? parameters.getDouble("start")
                    : parameters.getDouble("position") * duration;
            if (duration > 0 && start + length > duration) {
                start = Math.max(0, duration - length); // keep the preview as long as asked when possible
            }
            int width = Math.min(parameters.getInt("width"), video.displayWidth());
            int height = Renditions.even((double) width * video.displayHeight() / video.displayWidth());
            width = Renditions.even(width);
            double sourceFps = video.frameRate() == null ? 0 : video.frameRate();
            double fps = format.equals("mp4") ? (sourceFps > 30 || sourceFps <= 0 ? 30 : 0) : parameters.getDouble("fps");
            String chain = (fps > 0 ? String.format(Locale.ROOT, "fps=%s,", fps) : "")
                    + "scale=" + width + ":" + height + ":flags=bicubic,setsar=1";

            Path file = work.resolve("preview." + format);
            VideoCodec codec;
            String muxer;
            Map<String, String> muxerOptions;
            switch (format) {
                case "gif" -> {
                    // a palette made for these frames, then dithered: far better than GIF's default palette
                    chain += ",split[p0][p1];[p0]palettegen=stats_mode=diff[pal];[p1][pal]paletteuse=dither=bayer:bayer_scale=4";
                    codec = VideoCodec.of("gif", "pal8", Map.of());
                    muxer = "gif";
                    muxerOptions = Map.of("loop", "0");
                }
                case "webp" -> {
                    chain += ",format=yuv420p";
                    codec = VideoCodec.of("libwebp_anim", "yuv420p", Map.of("quality", "70"));
                    muxer = "webp";
                    muxerOptions = Map.of("loop", "0");
                }
                default -> {
                    chain += ",format=yuv420p";
                    codec = Encoder.available("libx264")
                            ? VideoCodec.of("libx264", "yuv420p", Map.of("preset", "veryfast", "crf", "28"))
                            : VideoEncoding.openH264(Renditions.bitRate(width, height) / 2, 0);
                    muxer = "mp4";
                    muxerOptions = Map.of("movflags", "+faststart");
                }
            }
            pipeline.trim(start, length);
            MediaPipeline.VideoBranch branch = pipeline.video(chain, codec);
            pipeline.output(file, muxer, muxerOptions, branch, null);
            pipeline.run();
            invocation.outputs().write(OutputSpec.of("-preview", format, format.equals("mp4") ? "video/mp4"
                            : "image/" + format).with("width", branch.width()).with("height", branch.height()),
                    file);
        }
    }
}
