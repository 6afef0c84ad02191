package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_ch_layout;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_color_range;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_colorspace;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_format;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_frame_rate;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_h;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_sample_aspect_ratio;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_sample_rate;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_time_base;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_w;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avfilter.AVFilterContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/** An opened encoder whose packets go to one or more muxer tracks (one audio encode can feed several files). */
final class Encoder implements AutoCloseable {
    static {
        Av.init();
    }

    /** FFmpeg's FF_QP2LAMBDA: quantiser to lambda scale for {@code global_quality}. */
    static final int QP2LAMBDA = 118;
    private final AVCodecContext context;
    private final List<Muxer.Track> tracks = new ArrayList<>();
    private final AVPacket packet = av_packet_alloc();
    private final long frameDuration;
    private long bytes;
    private long packets;

    private Encoder(AVCodecContext context) {
        this.context = context;
        // one frame in the encoder's time base, for packets that come out without a duration
        AVRational rate = context.framerate();
        AVRational base = context.time_base();
        this.frameDuration = context.codec_type() == AVMEDIA_TYPE_VIDEO && rate.num() > 0 && rate.den() > 0
                ? Math.max(1, Av.rescale(1, rate.den(), rate.num(), base.num(), base.den())) : 0;
    }

    /** Opens a video encoder for the frames of filter sink {@code sink}. */
    static Encoder video(VideoCodec codec, AVFilterContext sink, boolean globalHeader) {
        AVCodec encoder = find(codec.encoder());
        AVCodecContext context = avcodec_alloc_context3(encoder);
        try {
            context.width(av_buffersink_get_w(sink));
            context.height(av_buffersink_get_h(sink));
            context.pix_fmt(av_buffersink_get_format(sink));
            context.sample_aspect_ratio(av_buffersink_get_sample_aspect_ratio(sink));
            context.time_base(av_buffersink_get_time_base(sink));
            if (av_buffersink_get_frame_rate(sink).num() > 0) {
                context.framerate(av_buffersink_get_frame_rate(sink));
            }
            context.colorspace(av_buffersink_get_colorspace(sink));
            context.color_range(av_buffersink_get_color_range(sink));
            context.thread_count(0);
            if (codec.gopSize() > 0) {
                context.gop_size(codec.gopSize());
            }
            if (codec.minKeyint() > 0) {
                context.keyint_min(codec.minKeyint());
            }
            if (codec.bitRate() > 0) {
                context.bit_rate(codec.bitRate());
            }
            if (codec.maxRate() > 0) {
                context.rc_max_rate(codec.maxRate());
                context.rc_buffer_size((int) Math.min(Integer.MAX_VALUE, codec.bufferSize()));
            }
            if (codec.quantiser() > 0) {
                context.flags(context.flags() | AV_CODEC_FLAG_QSCALE);
                context.global_quality(codec.quantiser() * QP2LAMBDA);
            }
            return open(context, encoder, codec.options(), globalHeader);
        } catch (RuntimeException e) {
            avcodec_free_context(context);
            throw e;
        }
    }

    /** Opens an audio encoder for the frames of filter sink {@code sink}. */
    static Encoder audio(AudioCodec codec, AVFilterContext sink, boolean globalHeader) {
        AVCodec encoder = find(codec.encoder());
        AVCodecContext context = avcodec_alloc_context3(encoder);
        try {
            context.sample_fmt(av_buffersink_get_format(sink));
            context.sample_rate(av_buffersink_get_sample_rate(sink));
            Av.check(av_buffersink_get_ch_layout(sink, context.ch_layout()), "Reading the channel layout");
            context.time_base(Av.q(1, context.sample_rate()));
            context.thread_count(0);
            if (codec.bitRate() > 0) {
                context.bit_rate(codec.bitRate());
            }
            return open(context, encoder, codec.options(), globalHeader);
        } catch (RuntimeException e) {
            avcodec_free_context(context);
            throw e;
        }
    }

    static boolean available(String name) {
        return avcodec_find_encoder_by_name(name) != null;
    }

    static AVCodec find(String name) {
        AVCodec encoder = avcodec_find_encoder_by_name(name);
        if (encoder == null) {
            throw new MediaException("This FFmpeg build has no '" + name + "' encoder.");
        }
        return encoder;
    }

    private static Encoder open(AVCodecContext context, AVCodec encoder, Map<String, String> options,
                                boolean globalHeader) {
        if (globalHeader) {
            context.flags(context.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        AVDictionary dictionary = new AVDictionary(null);
        options.forEach((key, value) -> av_dict_set(dictionary, key, value, 0));
        int ret = avcodec_open2(context, encoder, dictionary);
        av_dict_free(dictionary);
        Av.check(ret, "Opening the " + encoder.name().getString() + " encoder");
        return new Encoder(context);
    }

    AVCodecContext context() {
        return context;
    }

    void feed(Muxer.Track track) {
        tracks.add(track);
    }

    /** Encodes a frame, or flushes with {@code null}, and writes what comes out to every track. */
    void encode(AVFrame frame) {
        int ret = avcodec_send_frame(context, frame);
        if (ret < 0 && ret != AVERROR_EOF()) {
            Av.check(ret, "Encoding with " + context.codec().name().getString());
        }
        while (true) {
            ret = avcodec_receive_packet(context, packet);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF()) {
                return;
            }
            Av.check(ret, "Encoding with " + context.codec().name().getString());
            bytes += packet.size();
            packets++;
            if (packet.duration() <= 0 && frameDuration > 0) {
                packet.duration(frameDuration); // the HLS muxer cuts segments by packet durations
            }
            for (Muxer.Track track : tracks) {
                track.muxer().write(packet, context.time_base(), track.track());
            }
            av_packet_unref(packet);
        }
    }

    long bytes() {
        return bytes;
    }

    long packets() {
        return packets;
    }

    @Override
    public void close() {
        av_packet_free(packet);
        avcodec_free_context(context);
    }
}
