package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avfilter.AV_BUFFERSRC_FLAG_KEEP_REF;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_frame;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_set_frame_size;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersrc_add_frame_flags;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersrc_parameters_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersrc_parameters_set;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_get_by_name;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_alloc_filter;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_config;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_create_filter;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_free;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_parse_ptr;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_init_str;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_inout_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_inout_free;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_strdup;
import static org.bytedeco.ffmpeg.global.avutil.AV_CHANNEL_ORDER_UNSPEC;

import org.bytedeco.ffmpeg.avfilter.AVBufferSrcParameters;
import org.bytedeco.ffmpeg.avfilter.AVFilterContext;
import org.bytedeco.ffmpeg.avfilter.AVFilterGraph;
import org.bytedeco.ffmpeg.avfilter.AVFilterInOut;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/**
 * An FFmpeg filter graph with one source ({@code [in]}) and one or more sinks ({@code [out0]}, {@code [out1]}...),
 * configured from the first decoded frame so that its format is exactly what the decoder produces.
 */
final class FilterGraph implements AutoCloseable {
    static {
        Av.init();
    }

    private final AVFilterGraph graph;
    private final AVFilterContext source;
    private final AVFilterContext[] sinks;

    private FilterGraph(AVFilterGraph graph, AVFilterContext source, AVFilterContext[] sinks) {
        this.graph = graph;
        this.source = source;
        this.sinks = sinks;
    }

    /**
     * Builds {@code description}, e.g. {@code [in]split=2[a][b];[a]scale=640:360[out0];[b]null[out1]}, for frames
     * like {@code first} with timestamps in {@code timeBase}.
     */
    static FilterGraph create(AVFrame first, AVRational timeBase, AVRational frameRate, int mediaType,
                              String description, int outputs) {
        AVFilterGraph graph = avfilter_graph_alloc();
        if (graph == null) {
            throw new OutOfMemoryError("avfilter_graph_alloc");
        }
        try {
            graph.nb_threads(0);
            // The scalers FFmpeg inserts for format conversions use the CLI's default quality.
            graph.scale_sws_opts(av_strdup(new BytePointer("flags=bicubic")));
            boolean audio = mediaType == AVMEDIA_TYPE_AUDIO;
            AVFilterContext source = avfilter_graph_alloc_filter(graph,
                    avfilter_get_by_name(audio ? "abuffer" : "buffer"), "in");
            AVBufferSrcParameters parameters = av_buffersrc_parameters_alloc();
            parameters.format(first.format());
            parameters.time_base(timeBase);
            if (audio) {
                parameters.sample_rate(first.sample_rate());
                if (first.ch_layout().order() == AV_CHANNEL_ORDER_UNSPEC) {
                    av_channel_layout_default(parameters.ch_layout(), first.ch_layout().nb_channels());
                } else {
                    av_channel_layout_copy(parameters.ch_layout(), first.ch_layout());
                }
            } else {
                parameters.width(first.width());
                parameters.height(first.height());
                parameters.sample_aspect_ratio(first.sample_aspect_ratio());
                if (frameRate != null && frameRate.num() > 0) {
                    parameters.frame_rate(frameRate);
                }
                parameters.color_space(first.colorspace());
                parameters.color_range(first.color_range());
            }
            int ret = av_buffersrc_parameters_set(source, parameters);
            av_free(parameters);
            Av.check(ret, "Configuring the filter source");
            Av.check(avfilter_init_str(source, (String) null), "Initialising the filter source");

            AVFilterContext[] sinks = new AVFilterContext[outputs];
            AVFilterInOut sinkPads = null;
            for (int i = outputs - 1; i >= 0; i--) {
                sinks[i] = new AVFilterContext();
                Av.check(avfilter_graph_create_filter(sinks[i], avfilter_get_by_name(audio ? "abuffersink" : "buffersink"),
                        "out" + i, (String) null, null, graph), "Creating filter sink");
                AVFilterInOut pad = avfilter_inout_alloc();
                pad.name(av_strdup(new BytePointer("out" + i)));
                pad.filter_ctx(sinks[i]);
                pad.pad_idx(0);
                pad.next(sinkPads);
                sinkPads = pad;
            }
            AVFilterInOut sourcePad = avfilter_inout_alloc();
            sourcePad.name(av_strdup(new BytePointer("in")));
            sourcePad.filter_ctx(source);
            sourcePad.pad_idx(0);
            sourcePad.next(null);
            try {
                ret = avfilter_graph_parse_ptr(graph, description, sinkPads, sourcePad, null);
            } finally {
                avfilter_inout_free(sinkPads);
                avfilter_inout_free(sourcePad);
            }
            Av.check(ret, "Parsing filters '" + description + "'");
            Av.check(avfilter_graph_config(graph, null), "Configuring filters '" + description + "'");
            return new FilterGraph(graph, source, sinks);
        } catch (RuntimeException e) {
            avfilter_graph_free(graph);
            throw e;
        }
    }

    /**
     * A graph of source filters only, e.g. {@code testsrc2=size=320x240:duration=2[out0];sine[out1]}: FFmpeg's
     * generated test pictures and tones. {@code audioOutputs[i]} says whether sink {@code i} takes audio.
     */
    static FilterGraph sources(String description, boolean... audioOutputs) {
        AVFilterGraph graph = avfilter_graph_alloc();
        try {
            AVFilterContext[] sinks = new AVFilterContext[audioOutputs.length];
            AVFilterInOut sinkPads = null;
            for (int i = audioOutputs.length - 1; i >= 0; i--) {
                sinks[i] = new AVFilterContext();
                Av.check(avfilter_graph_create_filter(sinks[i],
                        avfilter_get_by_name(audioOutputs[i] ? "abuffersink" : "buffersink"), "out" + i,
                        (String) null, null, graph), "Creating filter sink");
                AVFilterInOut pad = avfilter_inout_alloc();
                pad.name(av_strdup(new BytePointer("out" + i)));
                pad.filter_ctx(sinks[i]);
                pad.pad_idx(0);
                pad.next(sinkPads);
                sinkPads = pad;
            }
            int ret;
            try {
                ret = avfilter_graph_parse_ptr(graph, description, sinkPads, (AVFilterInOut) null, null);
            } finally {
                avfilter_inout_free(sinkPads);
            }
            Av.check(ret, "Parsing filters '" + description + "'");
            Av.check(avfilter_graph_config(graph, null), "Configuring filters '" + description + "'");
            return new FilterGraph(graph, null, sinks);
        } catch (RuntimeException e) {
            avfilter_graph_free(graph);
            throw e;
        }
    }

    /** Feeds a frame (kept by the caller), or {@code null} at the end of the stream. */
    int push(AVFrame frame) {
        return av_buffersrc_add_frame_flags(source, frame, frame == null ? 0 : AV_BUFFERSRC_FLAG_KEEP_REF);
    }

    /** 0 with a filtered frame in {@code into}, or {@code AVERROR(EAGAIN)} / {@code AVERROR_EOF}. */
    int pull(int output, AVFrame into) {
        return av_buffersink_get_frame(sinks[output], into);
    }

    AVFilterContext sink(int output) {
        return sinks[output];
    }

    int outputs() {
        return sinks.length;
    }

    /** Audio encoders with a fixed frame size (AAC, MP3, Opus) need exactly that many samples a frame. */
    void frameSize(int output, int samples) {
        av_buffersink_set_frame_size(sinks[output], samples);
    }

    /** The filter instances of the graph, for reading their state (e.g. a loudness measurement). */
    AVFilterGraph graph() {
        return graph;
    }

    @Override
    public void close() {
        avfilter_graph_free(graph);
    }
}
