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
 * {@code audio-transcode}: the audio of any media file to MP3, AAC (M4A) or Opus, optionally normalised to a
 * target integrated loudness (EBU R128). Normalisation is two-pass: the first measures the input with FFmpeg's
 * {@code ebur128} filter, the second applies the gain that reaches the target (with a true-peak limiter when the
 * gain would push peaks over the ceiling); the result is measured again and corrected if a limiter or the encoder
 * moved it more than half a unit, so it lands within 1 LU of the target.
 */
public final class AudioTranscodeFunction implements SluiceFunction {
    /** Corrections after the second pass, if the limiter or encoder moved the loudness. */
    static final int MAX_CORRECTIONS = 3;
    static final double TOLERANCE_LU = 0.5;

    private enum Format {
        MP3("libmp3lame", "mp3", "mp3", "audio/mpeg", Map.of()),
        AAC("aac", "ipod", "m4a", "audio/mp4", Map.of("movflags", "+faststart")),
        OPUS("libopus", "ogg", "opus", "audio/ogg", Map.of());

        final String encoder;
        final String muxer;
        final String extension;
        final String contentType;
        final Map<String, String> muxerOptions;

        Format(String encoder, String muxer, String extension, String contentType, Map<String, String> muxerOptions) {
            this.encoder = encoder;
            this.muxer = muxer;
            this.extension = extension;
            this.contentType = contentType;
            this.muxerOptions = muxerOptions;
        }
    }

    @Override
    public String name() {
        return "audio-transcode";
    }

    @Override
    public String description() {
        return "Convert audio (or a video's sound) to MP3, AAC or Opus, optionally normalised to a target "
                + "loudness (EBU R128, two-pass, within 1 LU).";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.oneOf("format", "mp3", "Output format: mp3, aac (.m4a) or opus (.opus).",
                        "mp3", "aac", "opus"),
                ParameterSpec.of("bitrate", ParameterType.INT, "128", "Bit rate in kbit/s."),
                ParameterSpec.of("channels", ParameterType.INT, null, "1 (mono) or 2 (stereo); default: the "
                        + "source's, mixed down to stereo if it has more."),
                ParameterSpec.of("sample-rate", ParameterType.INT, null, "Sample rate in Hz; default: the "
                        + "source's, or the nearest the format supports (Opus always uses 48000)."),
                ParameterSpec.of("loudness", ParameterType.DOUBLE, null, "Target integrated loudness in LUFS, "
                        + "e.g. -16 (podcasts, streaming) or -23 (EBU broadcast); empty: keep the level."),
                ParameterSpec.of("true-peak", ParameterType.DOUBLE, "-1.5",
                        "Ceiling for true peaks in dBTP when normalising."),
                MediaLimits.MAX_DURATION);
    }

    @Override
    public void validate(Parameters parameters) {
        int bitrate = parameters.getInt("bitrate");
        if (bitrate < 8 || bitrate > 512) {
            throw new ConfigException("audio-transcode: bitrate is in kbit/s and must be between 8 and 512, e.g. 128.");
        }
        if (parameters.has("channels") && parameters.getInt("channels") != 1 && parameters.getInt("channels") != 2) {
            throw new ConfigException("audio-transcode: channels must be 1 or 2.");
        }
        if (parameters.has("sample-rate")
                && (parameters.getInt("sample-rate") < 8000 || parameters.getInt("sample-rate") > 192000)) {
            throw new ConfigException("audio-transcode: sample-rate must be between 8000 and 192000 Hz.");
        }
        if (parameters.has("loudness")
                && (parameters.getDouble("loudness") < -70 || parameters.getDouble("loudness") > -5)) {
            throw new ConfigException("audio-transcode: loudness is in LUFS and must be between -70 and -5, e.g. -16.");
        }
        double truePeak = parameters.getDouble("true-peak");
        if (truePeak < -9 || truePeak > 0) {
            throw new ConfigException("audio-transcode: true-peak is in dBTP and must be between -9 and 0, e.g. -1.5.");
        }
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Parameters parameters = invocation.parameters();
        validate(parameters);
        Format format = Format.valueOf(parameters.getChoice("format").toUpperCase(Locale.ROOT));
        MediaLimits limits = new MediaLimits(parameters.getDouble("max-duration"), Integer.MAX_VALUE,
                Integer.MAX_VALUE);
        Path source = invocation.input().file();
        String fileName = invocation.input().fileName();
        MediaInfo.StreamInfo audio;
        try (SafeInput input = SafeInput.open(source, invocation.input().fileName(), invocation.deadline())) {
            limits.check(input.info(), fileName);
            audio = input.info().primaryAudio().orElseThrow(() -> new BadInputException(
                    "'" + fileName + "' has no audio stream to convert."));
        }
        int channels = parameters.has("channels") ? parameters.getInt("channels") : Math.min(2, audio.channels());
        int rate = format == Format.OPUS ? 48000 : AudioCodec.supportedRate(format.encoder,
                parameters.has("sample-rate") ? parameters.getInt("sample-rate") : audio.sampleRate());
        AudioCodec codec = new AudioCodec(format.encoder, rate, channels, parameters.getInt("bitrate") * 1000L,
                format == Format.OPUS ? Map.of("application", "audio") : Map.of());

        try (WorkDir work = new WorkDir()) {
            Path output = work.resolve("audio." + format.extension);
            if (!parameters.has("loudness")) {
                encode(invocation, source, output, format, codec, limits, "");
            } else {
                normalise(invocation, source, output, format, codec, limits, parameters.getDouble("loudness"),
                        parameters.getDouble("true-peak"));
            }
            invocation.outputs().write(OutputSpec.of("", format.extension, format.contentType)
                    .with("format", parameters.getChoice("format")), output);
        }
    }

    private void normalise(Invocation invocation, Path source, Path output, Format format, AudioCodec codec,
                           MediaLimits limits, double target, double truePeak) throws Exception {
        Loudness.Measurement in = Loudness.measure(source, invocation.input().fileName(), invocation.deadline());
        if (in.silent()) {
            invocation.logger().warn("{}: the audio is silent (below -70 LUFS); converted without normalising.",
                    invocation.input().key());
            encode(invocation, source, output, format, codec, limits, "");
            return;
        }
        double gain = target - in.integrated();
        Loudness.Measurement out = null;
        double previousGain = Double.NaN;
        double previousLoudness = Double.NaN;
        for (int attempt = 0; attempt <= MAX_CORRECTIONS; attempt++) {
            invocation.checkDeadline();
            encode(invocation, source, output, format, codec, limits, gainFilters(gain, in.truePeak(), truePeak));
            out = Loudness.measure(output, "the normalised output", invocation.deadline());
            double error = target - out.integrated();
            if (Math.abs(error) <= TOLERANCE_LU || out.silent()) {
                break;
            }
            // The limiter makes loudness grow slower than the gain: step along the measured slope (secant).
            double slope = 1;
            if (!Double.isNaN(previousGain) && Math.abs(gain - previousGain) > 0.01) {
                slope = Math.max(0.25, Math.min(1, (out.integrated() - previousLoudness) / (gain - previousGain)));
            }
            previousGain = gain;
            previousLoudness = out.integrated();
            gain += Math.max(-20, Math.min(20, error / slope));
        }
        invocation.logger().info(String.format(Locale.ROOT,
                "%s: loudness %.1f LUFS (true peak %.1f dBTP) -> %.1f LUFS (true peak %.1f dBTP), target %.1f",
                invocation.input().key(), in.integrated(), in.truePeak(), out.integrated(), out.truePeak(), target));
    }

    /** A plain gain when the peaks stay under the ceiling; otherwise the gain followed by a peak limiter. */
    static String gainFilters(double gainDb, double inputTruePeak, double ceiling) {
        String volume = String.format(Locale.ROOT, "volume=%.3fdB", gainDb);
        if (inputTruePeak + gainDb <= ceiling) {
            return volume;
        }
        // alimiter works on sample peaks; half a dB of headroom covers the peaks between samples
        double limit = Math.pow(10, (ceiling - 0.5) / 20);
        return volume + String.format(Locale.ROOT, ",alimiter=limit=%.5f:attack=5:release=50:level=false:latency=true",
                Math.max(0.0625, limit));
    }

    private void encode(Invocation invocation, Path source, Path output, Format format, AudioCodec codec,
                        MediaLimits limits, String filters) throws Exception {
        try (SafeInput input = SafeInput.open(source, invocation.input().fileName(), invocation.deadline());
             MediaPipeline pipeline = new MediaPipeline(input, invocation, name(), limits)) {
            pipeline.audioFilters(filters);
            MediaPipeline.AudioBranch branch = pipeline.audio(codec);
            pipeline.output(output, format.muxer, format.muxerOptions, null, branch);
            pipeline.run();
        }
    }
}
