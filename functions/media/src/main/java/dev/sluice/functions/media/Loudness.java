package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_get;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import dev.sluice.core.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * EBU R128 loudness of a file's audio, measured by FFmpeg's {@code ebur128} filter: integrated loudness (LUFS),
 * loudness range (LU) and true peak (dBTP). The first pass of loudness normalisation, and the check of its result.
 */
final class Loudness {
    /** A measurement; {@code integrated} is {@code -Infinity} for silence. */
    record Measurement(double integrated, double range, double truePeak) {
        boolean silent() {
            return !(integrated > -70);
        }
    }

    private Loudness() {
    }

    static Measurement measure(Path file, String name, Instant deadline) throws IOException {
        try (SafeInput input = SafeInput.open(file, name, deadline)) {
            int stream = av_find_best_stream(input.context(), AVMEDIA_TYPE_AUDIO, -1, -1,
                    (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
            if (stream < 0) {
                throw new BadInputException("'" + name + "' has no audio stream.");
            }
            AVPacket packet = av_packet_alloc();
            AVFrame decoded = av_frame_alloc();
            AVFrame measured = av_frame_alloc();
            Decoder decoder = null;
            FilterGraph graph = null;
            double[] values = {Double.NEGATIVE_INFINITY, 0, Double.NEGATIVE_INFINITY};
            try {
                decoder = Decoder.open(input.context().streams(stream), 0);
                boolean reading = true;
                while (true) {
                    checkDeadline(deadline);
                    int ret;
                    if (reading) {
                        ret = av_read_frame(input.context(), packet);
                        if (ret < 0) {
                            reading = false;
                            decoder.send(null);
                        } else if (packet.stream_index() == stream) {
                            decoder.send(packet);
                        }
                        av_packet_unref(packet);
                    }
                    while ((ret = decoder.receive(decoded)) >= 0) {
                        if (graph == null) {
                            graph = FilterGraph.create(decoded, decoder.stream().time_base(), null,
                                    AVMEDIA_TYPE_AUDIO, "[in]ebur128=peak=true:metadata=1[out0]", 1);
                        }
                        graph.push(decoded);
                        av_frame_unref(decoded);
                        drain(graph, measured, values);
                    }
                    if (!reading && (ret == AVERROR_EOF() || ret != AVERROR_EAGAIN())) {
                        break;
                    }
                }
                if (graph == null) {
                    throw new BadInputException("No audio could be decoded from '" + name
                            + "'. The file is probably truncated or corrupt.");
                }
                graph.push(null);
                drain(graph, measured, values);
            } finally {
                if (graph != null) {
                    graph.close();
                }
                if (decoder != null) {
                    decoder.close();
                }
                av_packet_free(packet);
                av_frame_free(decoded);
                av_frame_free(measured);
            }
            return new Measurement(values[0], values[1], values[2]);
        }
    }

    private static void drain(FilterGraph graph, AVFrame frame, double[] values) {
        while (graph.pull(0, frame) >= 0) {
            AVDictionary metadata = frame.metadata();
            Double integrated = number(metadata, "lavfi.r128.I");
            if (integrated != null) {
                values[0] = integrated;
                Double range = number(metadata, "lavfi.r128.LRA");
                values[1] = range == null ? values[1] : range;
                double peak = 0;
                for (int channel = 0; ; channel++) {
                    Double linear = number(metadata, "lavfi.r128.true_peaks_ch" + channel);
                    if (linear == null) {
                        break;
                    }
                    peak = Math.max(peak, linear);
                }
                if (peak > 0) {
                    values[2] = Math.max(values[2], 20 * Math.log10(peak));
                }
            }
            av_frame_unref(frame);
        }
    }

    private static Double number(AVDictionary metadata, String key) {
        if (metadata == null || metadata.isNull()) {
            return null;
        }
        AVDictionaryEntry entry = av_dict_get(metadata, key, null, 0);
        if (entry == null || entry.isNull()) {
            return null;
        }
        try {
            return Double.parseDouble(entry.value().getString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void checkDeadline(Instant deadline) {
        if (Thread.currentThread().isInterrupted() || (deadline != null && Instant.now().isAfter(deadline))) {
            throw new dev.sluice.core.SluiceException("Loudness measurement stopped: deadline passed or cancelled.");
        }
    }
}
