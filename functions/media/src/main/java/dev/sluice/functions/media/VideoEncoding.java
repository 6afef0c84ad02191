package dev.sluice.functions.media;

import dev.sluice.core.ConfigException;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The encoding parameters shared by {@code transcode} and {@code hls}: rate control, preset, frame rate cap, key
 * frame interval and audio bit rate, and how they become H.264 (libx264), VP9 (libvpx) and AAC/Opus settings.
 */
record VideoEncoding(String rateControl, int crf, Integer videoBitrateKbps, String preset, double maxFps,
                     double keyframeInterval, int audioBitrateKbps) {
    static final String[] PRESETS = {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
        "slower", "veryslow"};

    static List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.oneOf("rate-control", "crf", "crf: constant quality (crf); bitrate: average bit rate "
                        + "from the ladder or video-bitrate; capped: constant quality capped at 1.5x the ladder bit "
                        + "rate (good for streaming).", "crf", "bitrate", "capped"),
                ParameterSpec.of("crf", ParameterType.INT, "23",
                        "H.264 constant rate factor, 0-51: lower is better and larger; 18-28 is sensible."),
                ParameterSpec.of("video-bitrate", ParameterType.INT, null, "Video bit rate of the largest "
                        + "rendition in kbit/s for rate-control=bitrate or capped; smaller renditions get "
                        + "proportionally less. Default: the ladder's (2800 for 720p, 5100 for 1080p)."),
                ParameterSpec.oneOf("preset", "medium", "x264 speed preset: faster presets give larger files.",
                        PRESETS),
                ParameterSpec.of("max-fps", ParameterType.DOUBLE, "60",
                        "Frame rate cap; faster sources are reduced to it (0 keeps the source rate)."),
                ParameterSpec.of("keyframe-interval", ParameterType.DOUBLE, "2",
                        "Seconds between key frames (seek points)."),
                ParameterSpec.of("audio-bitrate", ParameterType.INT, "128", "Audio bit rate in kbit/s."));
    }

    static VideoEncoding from(Parameters parameters) {
        VideoEncoding encoding = new VideoEncoding(parameters.getChoice("rate-control"), parameters.getInt("crf"),
                parameters.has("video-bitrate") ? parameters.getInt("video-bitrate") : null,
                parameters.getChoice("preset"), parameters.getDouble("max-fps"),
                parameters.getDouble("keyframe-interval"), parameters.getInt("audio-bitrate"));
        encoding.validate();
        return encoding;
    }

    void validate() {
        if (crf < 0 || crf > 51) {
            throw new ConfigException("crf must be between 0 and 51 (23 is the default; lower is better quality).");
        }
        if (videoBitrateKbps != null && (videoBitrateKbps < 50 || videoBitrateKbps > 200_000)) {
            throw new ConfigException("video-bitrate is in kbit/s and must be between 50 and 200000, e.g. 2800.");
        }
        if (maxFps < 0 || maxFps > 240) {
            throw new ConfigException("max-fps must be between 0 (keep the source's) and 240.");
        }
        if (keyframeInterval <= 0 || keyframeInterval > 60) {
            throw new ConfigException("keyframe-interval is in seconds and must be between 0 and 60, e.g. 2.");
        }
        if (audioBitrateKbps < 16 || audioBitrateKbps > 512) {
            throw new ConfigException("audio-bitrate is in kbit/s and must be between 16 and 512, e.g. 128.");
        }
    }

    /** The output frame rate for a source of {@code sourceFps} (0 when unknown). */
    double outputFps(double sourceFps) {
        double fps = sourceFps > 0 ? sourceFps : 30;
        return maxFps > 0 && fps > maxFps + 0.01 ? maxFps : fps;
    }

    /** Video filters after the picture is upright: frame rate cap, scaling, square pixels, encoder's format. */
    String chain(Renditions.Rendition rendition, double sourceFps, String pixelFormat) {
        StringBuilder chain = new StringBuilder();
        if (maxFps > 0 && sourceFps > maxFps + 0.01) {
            chain.append(String.format(Locale.ROOT, "fps=%s,", fpsValue(maxFps)));
        }
        chain.append("scale=").append(rendition.width()).append(':').append(rendition.height())
                .append(":flags=bicubic,setsar=1,format=").append(pixelFormat);
        return chain.toString();
    }

    private static String fpsValue(double fps) {
        return fps == Math.rint(fps) ? String.valueOf((long) fps) : String.format(Locale.ROOT, "%.3f", fps);
    }

    /** The bit rate for a rendition: the ladder's, or video-bitrate scaled from the largest rendition. */
    long bitRate(Renditions.Rendition rendition, Renditions.Rendition largest) {
        if (videoBitrateKbps == null) {
            return rendition.bitRate();
        }
        return Math.round(videoBitrateKbps * 1000.0 * rendition.bitRate() / largest.bitRate());
    }

    /**
     * H.264 with libx264. {@code alignedKeyframes} puts key frames at exactly every interval and nowhere else, so
     * that HLS renditions can be switched at segment boundaries.
     */
    VideoCodec h264(Renditions.Rendition rendition, Renditions.Rendition largest, double fps,
                    boolean alignedKeyframes, String level) {
        int gop = Math.max(1, (int) Math.round(fps * keyframeInterval));
        if (!Encoder.available("libx264")) {
            return openH264(bitRate(rendition, largest), gop);
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("preset", preset);
        long bitRate = bitRate(rendition, largest);
        long targetRate = 0;
        long maxRate = 0;
        if (rateControl.equals("bitrate")) {
            targetRate = bitRate;
            maxRate = bitRate * 3 / 2;
        } else {
            options.put("crf", String.valueOf(crf));
            if (rateControl.equals("capped")) {
                maxRate = bitRate * 3 / 2;
            }
        }
        if (alignedKeyframes) {
            options.put("sc_threshold", "0");
            options.put("profile", "high");
            if (level != null) {
                options.put("level", level);
            }
        }
        return new VideoCodec("libx264", "yuv420p", targetRate, maxRate, maxRate * 4 / 3, gop,
                alignedKeyframes ? gop : 0, 0, options);
    }

    /**
     * H.264 with Cisco's OpenH264, for builds with LGPL-only FFmpeg natives (no libx264): bit rate control only,
     * at the ladder's bit rate.
     */
    static VideoCodec openH264(long bitRate, int gop) {
        return new VideoCodec("libopenh264", "yuv420p", bitRate, 0, 0, gop, 0, 0,
                Map.of("rc_mode", "bitrate", "allow_skip_frames", "0"));
    }

    /** VP9 with libvpx for WebM; CRF is mapped onto VP9's 0-63 scale. */
    VideoCodec vp9(Renditions.Rendition rendition, Renditions.Rendition largest, double fps) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("deadline", "good");
        options.put("cpu-used", switch (preset) {
            case "ultrafast", "superfast", "veryfast" -> "5";
            case "faster", "fast" -> "4";
            case "medium" -> "3";
            default -> "2";
        });
        options.put("row-mt", "1");
        long bitRate = bitRate(rendition, largest);
        long targetRate = 0;
        long maxRate = 0;
        if (rateControl.equals("bitrate")) {
            targetRate = bitRate * 2 / 3; // VP9 needs about a third less than H.264 for the same quality
        } else {
            options.put("crf", String.valueOf(Math.min(63, crf + 10)));
            if (rateControl.equals("capped")) {
                targetRate = bitRate; // libvpx's constrained quality mode: crf with this as the cap
            }
        }
        int gop = Math.max(1, (int) Math.round(fps * keyframeInterval));
        return new VideoCodec("libvpx-vp9", "yuv420p", targetRate, maxRate, 0, gop, 0, 0, options);
    }

    AudioCodec aac(int sourceRate, int sourceChannels) {
        return new AudioCodec("aac", AudioCodec.supportedRate("aac", sourceRate), sourceChannels == 1 ? 1 : 2,
                audioBitrateKbps * 1000L, Map.of());
    }

    AudioCodec opus(int sourceChannels) {
        return new AudioCodec("libopus", 48000, sourceChannels == 1 ? 1 : 2, audioBitrateKbps * 1000L, Map.of());
    }
}
