package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;

import dev.sluice.core.BadInputException;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/** One stream's decoder, multi-threaded like the ffmpeg command line's. */
final class Decoder implements AutoCloseable {
    static {
        Av.init();
    }

    private final AVStream stream;
    private final AVCodecContext context;

    private Decoder(AVStream stream, AVCodecContext context) {
        this.stream = stream;
        this.context = context;
    }

    /** Opens a decoder for {@code stream}; {@code maxPixels} caps the frame size the decoder will allocate. */
    static Decoder open(AVStream stream, long maxPixels) {
        int codecId = stream.codecpar().codec_id();
        AVCodec codec = avcodec_find_decoder(codecId);
        if (codec == null) {
            throw new BadInputException("Stream " + stream.index() + " uses the codec '"
                    + avcodec_get_name(codecId).getString() + "', which this FFmpeg build cannot decode.");
        }
        AVCodecContext context = avcodec_alloc_context3(codec);
        try {
            Av.check(avcodec_parameters_to_context(context, stream.codecpar()), "Copying stream parameters");
            context.pkt_timebase(stream.time_base());
            context.thread_count(0); // as many threads as cores, like the ffmpeg CLI
            if (maxPixels > 0) {
                context.max_pixels(maxPixels);
            }
            AVDictionary options = new AVDictionary(null);
            int ret = avcodec_open2(context, codec, options);
            org.bytedeco.ffmpeg.global.avutil.av_dict_free(options);
            if (ret < 0) {
                throw new BadInputException("Stream " + stream.index() + " (" + codec.name().getString()
                        + ") cannot be decoded: " + Av.error(ret) + ". The stream header is probably corrupt.");
            }
            return new Decoder(stream, context);
        } catch (RuntimeException e) {
            avcodec_free_context(context);
            throw e;
        }
    }

    AVStream stream() {
        return stream;
    }

    AVCodecContext context() {
        return context;
    }

    /** Sends a packet, or {@code null} to flush; returns FFmpeg's code (negative for a corrupt packet). */
    int send(AVPacket packet) {
        return avcodec_send_packet(context, packet);
    }

    /** 0 with a frame, or {@code AVERROR(EAGAIN)} / {@code AVERROR_EOF} / another error. */
    int receive(AVFrame frame) {
        return avcodec_receive_frame(context, frame);
    }

    @Override
    public void close() {
        avcodec_free_context(context);
    }
}
