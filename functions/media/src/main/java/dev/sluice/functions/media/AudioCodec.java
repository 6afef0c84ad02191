package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_NONE;
import static org.bytedeco.ffmpeg.global.avutil.av_get_sample_fmt_name;

import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.javacpp.IntPointer;

/**
 * How to encode one audio output.
 *
 * @param encoder    FFmpeg encoder name, e.g. {@code aac}, {@code libmp3lame}, {@code libopus}
 * @param sampleRate output sample rate in Hz
 * @param channels   1 or 2 (more are mixed down: web players and phones play stereo)
 * @param bitRate    bit/s
 */
record AudioCodec(String encoder, int sampleRate, int channels, long bitRate, Map<String, String> options) {
    AudioCodec {
        options = Map.copyOf(options);
    }

    /** The filters that turn any decoded audio into what this encoder takes. */
    String filters() {
        return "aresample=" + sampleRate + ",aformat=sample_fmts=" + sampleFormat() + ":channel_layouts="
                + (channels == 1 ? "mono" : "stereo");
    }

    private String sampleFormat() {
        AVCodec codec = Encoder.find(encoder);
        IntPointer formats = codec.sample_fmts();
        int format = formats == null || formats.isNull() ? AV_SAMPLE_FMT_NONE : formats.get(0);
        if (format == AV_SAMPLE_FMT_NONE) {
            return "fltp";
        }
        return av_get_sample_fmt_name(format).getString();
    }

    /** A sample rate the encoder supports, as close to {@code wanted} as possible without going over 48 kHz. */
    static int supportedRate(String encoder, int wanted) {
        AVCodec codec = Encoder.find(encoder);
        IntPointer rates = codec.supported_samplerates();
        int target = wanted <= 0 ? 48000 : Math.min(wanted, 48000);
        if (rates == null || rates.isNull()) {
            return target;
        }
        int best = -1;
        for (int i = 0; rates.get(i) != 0; i++) {
            int rate = rates.get(i);
            if (best < 0 || Math.abs(rate - target) < Math.abs(best - target)
                    || (Math.abs(rate - target) == Math.abs(best - target) && rate > best)) {
                best = rate;
            }
        }
        return best < 0 ? target : best;
    }
}
