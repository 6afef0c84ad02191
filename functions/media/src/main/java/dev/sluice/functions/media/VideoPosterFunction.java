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
 * {@code video-poster}: one still frame of a video as JPEG, PNG or WebP, at a time in seconds or a fraction of the
 * duration, upright and with square pixels, optionally scaled down to a width. An audio file with embedded cover
 * art gives the cover.
 */
public final class VideoPosterFunction implements SluiceFunction {

    @Override
    public String name() {
        return "video-poster";
    }

    @Override
    public String description() {
        return "A still frame of a video (JPEG, PNG or WebP) at a time or a fraction of its duration.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.of("time", ParameterType.DOUBLE, null,
                        "Seconds from the start; overrides position. Past the end, the last part is used."),
                ParameterSpec.of("position", ParameterType.DOUBLE, "0.1",
                        "Fraction of the duration, 0-1 (0.1 skips fade-ins and black openings)."),
                ParameterSpec.oneOf("format", "jpeg", "Image format.", "jpeg", "png", "webp"),
                ParameterSpec.of("width", ParameterType.INT, null,
                        "Width in pixels (the height keeps the aspect ratio); never larger than the video."),
                ParameterSpec.of("quality", ParameterType.INT, "85", "JPEG/WebP quality 1-100."),
                MediaLimits.MAX_DURATION,
                MediaLimits.MAX_RESOLUTION);
    }

    @Override
    public void validate(Parameters parameters) {
        if (parameters.has("time") && parameters.getDouble("time") < 0) {
            throw new ConfigException("video-poster: time is in seconds and must not be negative.");
        }
        double position = parameters.getDouble("position");
        if (position < 0 || position > 1) {
            throw new ConfigException("video-poster: position is a fraction of the duration between 0 and 1.");
        }
        if (parameters.has("width") && (parameters.getInt("width") < 16 || parameters.getInt("width") > 8192)) {
            throw new ConfigException("video-poster: width must be between 16 and 8192 pixels.");
        }
        int quality = parameters.getInt("quality");
        if (quality < 1 || quality > 100) {
            throw new ConfigException("video-poster: quality must be between 1 and 100.");
        }
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Parameters parameters = invocation.parameters();
        validate(parameters);
        MediaLimits limits = MediaLimits.from(parameters);
        String format = parameters.getChoice("format");
        int quality = parameters.getInt("quality");
        String fileName = invocation.input().fileName();
        try (SafeInput input = SafeInput.open(invocation);
             WorkDir work = new WorkDir();
             MediaPipeline pipeline = new MediaPipeline(input, invocation, name(), limits)) {
            MediaInfo info = input.info();
            limits.check(info, fileName);
            MediaInfo.StreamInfo video = info.primaryVideo().orElseGet(() -> info.streams().stream()
                    .filter(s -> "video".equals(s.type()) && s.width() != null && s.width() > 0).findFirst()
                    .orElseThrow(() -> new BadInputException("'" + fileName + "' has no video stream (and no "
                            + "cover art) to take a poster from.")));
            boolean cover = !video.isVideo();
            double duration = info.durationSeconds() == null ? 0 : info.durationSeconds();
            double time = cover ? 0 : parameters.has("time") ? parameters.getDouble("time")
                    : parameters.getDouble("position") * duration;
            if (duration > 0 && time > duration - 0.1) {
                time = Math.max(0, duration * 0.95 - 0.1); // past the end: the last part of the video
            }
            int width = video.displayWidth();
            if (parameters.has("width")) {
                width = Math.min(width, parameters.getInt("width"));
            }
            int height = Math.max(1, (int) Math.round((double) width * video.displayHeight() / video.displayWidth()));
            String scale = "scale=" + width + ":" + height + ":flags=bicubic,setsar=1";

            Path file = work.resolve("poster." + extension(format));
            VideoCodec codec = switch (format) {
                case "png" -> VideoCodec.of("png", "rgb24", Map.of());
                case "webp" -> VideoCodec.of("libwebp", "yuv420p", Map.of("quality", String.valueOf(quality)));
                default -> new VideoCodec("mjpeg", "yuvj420p", 0, 0, 0, 0, 0,
                        2 + (int) Math.round((100 - quality) * 29 / 99.0), Map.of());
            };
            if (cover) {
                pipeline.allowAttachedPicture();
            }
            pipeline.trim(time, 0);
            pipeline.maxVideoFrames(1);
            MediaPipeline.VideoBranch branch = pipeline.video(scale + ",format=" + codec.pixelFormat(), codec);
            pipeline.output(file, format.equals("webp") ? "webp" : "image2", Map.of("update", "1"), branch, null);
            pipeline.run();
            invocation.outputs().write(OutputSpec.of("-poster", extension(format), "image/" + format)
                            .with("width", branch.width()).with("height", branch.height())
                            .with("time", String.format(Locale.ROOT, "%.3f", time)),
                    file);
        }
    }

    private static String extension(String format) {
        return format.equals("jpeg") ? "jpg" : format;
    }
}
