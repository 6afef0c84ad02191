package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Writes a media file from FFmpeg's source filters (test pictures, tones, noise), encoded like any other output.
 * Used by tests and the benchmark to make clips without shipping media files or needing the ffmpeg command line.
 */
final class MediaGenerator {
    private MediaGenerator() {
    }

    /**
     * Generates {@code file}. {@code videoSource} (e.g. {@code testsrc2=size=320x240:rate=30:duration=2}) and
     * {@code audioSource} (e.g. {@code sine=frequency=440:duration=2}) may each be null for none.
     */
    static void generate(Path file, String format, String videoSource, VideoCodec video, String audioSource,
                         AudioCodec audio, Map<String, String> muxerOptions) {
        StringBuilder description = new StringBuilder();
        int n = 0;
        if (videoSource != null) {
            description.append(videoSource).append(",format=").append(video.pixelFormat()).append("[out0]");
            n++;
        }
        if (audioSource != null) {
            description.append(n > 0 ? ";" : "").append(audioSource).append(',').append(audio.filters())
                    .append("[out").append(n).append(']');
            n++;
        }
        boolean[] audioOutputs = new boolean[n];
        if (audioSource != null) {
            audioOutputs[n - 1] = true;
        }
        try (FilterGraph graph = FilterGraph.sources(description.toString(), audioOutputs);
             Muxer muxer = new Muxer(file, format, muxerOptions, n)) {
            Encoder[] encoders = new Encoder[n];
            try {
                for (int i = 0; i < n; i++) {
                    encoders[i] = audioOutputs[i] ? Encoder.audio(audio, graph.sink(i), muxer.needsGlobalHeader())
                            : Encoder.video(video, graph.sink(i), muxer.needsGlobalHeader());
                    if (audioOutputs[i] && encoders[i].context().frame_size() > 0) {
                        graph.frameSize(i, encoders[i].context().frame_size());
                    }
                }
                for (Encoder encoder : encoders) {
                    encoder.feed(muxer.add(encoder));
                }
                AVFrame frame = av_frame_alloc();
                try {
                    boolean[] done = new boolean[n];
                    int open = n;
                    while (open > 0) {
                        for (int i = 0; i < n; i++) {
                            if (done[i]) {
                                continue;
                            }
                            // a few frames at a time from each sink keeps the file interleaved
                            for (int k = 0; k < 4; k++) {
                                int ret = graph.pull(i, frame);
                                if (ret == AVERROR_EAGAIN()) {
                                    break;
                                }
                                if (ret < 0) {
                                    done[i] = true;
                                    open--;
                                    encoders[i].encode(null);
                                    break;
                                }
                                encoders[i].encode(frame);
                                av_frame_unref(frame);
                            }
                        }
                    }
                } finally {
                    av_frame_free(frame);
                }
                muxer.finish();
            } finally {
                for (Encoder encoder : encoders) {
                    if (encoder != null) {
                        encoder.close();
                    }
                }
            }
        }
    }
}
