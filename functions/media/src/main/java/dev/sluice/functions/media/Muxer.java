package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_clone;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_ref;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_NOFILE;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Deque;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * One output file being written by an FFmpeg muxer. Streams are added as their encoders open (a video encoder
 * opens on the first decoded frame); packets that arrive before the header can be written wait in a bounded
 * queue of native packets.
 */
final class Muxer implements AutoCloseable {
    static {
        Av.init();
    }

    /** An encoder's place in a muxer (not the stream index, which is only known once the header is written). */
    record Track(Muxer muxer, int track) {
    }

    private record Pending(AVPacket packet, int num, int den) {
    }

    static final int MAX_PENDING_PACKETS = 20_000;
    private final AVFormatContext context;
    private final Path file;
    private final Map<String, String> options;
    private final int expectedStreams;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private final AVPacket scratch = av_packet_alloc();
    private final AVRational queuedBase = new AVRational();
    private final List<Encoder> encoders = new ArrayList<>();
    private int[] streamOf;
    private boolean started;
    private boolean finished;
    private long packets;

    Muxer(Path file, String format, Map<String, String> options, int expectedStreams) {
        this.file = file;
        this.options = Map.copyOf(options);
        this.expectedStreams = expectedStreams;
        AVFormatContext context = new AVFormatContext(null);
        Av.check(avformat_alloc_output_context2(context, null, format, file.toString()),
                "Creating a " + format + " muxer");
        this.context = context;
        if ((context.oformat().flags() & AVFMT_NOFILE) == 0) {
            AVIOContext io = new AVIOContext(null);
            int ret = avio_open(io, file.toString(), AVIO_FLAG_WRITE);
            if (ret < 0) {
                avformat_free_context(context);
                av_packet_free(scratch);
                Av.check(ret, "Opening " + file + " for writing");
            }
            context.pb(io);
        }
    }

    Path file() {
        return file;
    }

    boolean needsGlobalHeader() {
        return (context.oformat().flags() & AVFMT_GLOBALHEADER) != 0;
    }

    /**
     * Registers an opened encoder as a stream of this file; the header is written once every expected stream is
     * there, video streams first. Returns null when the header was already written without it (it opened too
     * late to be included).
     */
    Track add(Encoder encoder) {
        if (started) {
            return null;
        }
        encoders.add(encoder);
        Track track = new Track(this, encoders.size() - 1);
        if (encoders.size() >= expectedStreams) {
            start();
        }
        return track;
    }

    int streams() {
        return encoders.size();
    }

    /** Writes a copy of {@code packet} (timestamps in {@code timeBase}) to the stream of {@code track}. */
    void write(AVPacket packet, AVRational timeBase, int track) {
        if (!started) {
            if (pending.size() >= MAX_PENDING_PACKETS) {
                // A stream that was expected never produced anything: go on without it.
                start();
            } else {
                AVPacket copy = av_packet_clone(packet);
                copy.stream_index(track);
                pending.add(new Pending(copy, timeBase.num(), timeBase.den()));
                return;
            }
        }
        Av.check(av_packet_ref(scratch, packet), "Referencing a packet");
        scratch.stream_index(streamOf[track]);
        writeScratch(timeBase);
    }

    private void writeScratch(AVRational timeBase) {
        av_packet_rescale_ts(scratch, timeBase, context.streams(scratch.stream_index()).time_base());
        packets++;
        // takes over the packet's reference
        Av.check(av_interleaved_write_frame(context, scratch), "Writing to " + file.getFileName());
    }

    private void start() {
        if (started) {
            return;
        }
        // video first, as players and tools expect
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < encoders.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> encoders.get(i).context().codec_type() == AVMEDIA_TYPE_VIDEO ? 0 : 1));
        streamOf = new int[encoders.size()];
        for (int i : order) {
            Encoder encoder = encoders.get(i);
            AVStream stream = avformat_new_stream(context, null);
            if (stream == null) {
                throw new OutOfMemoryError("avformat_new_stream");
            }
            Av.check(avcodec_parameters_from_context(stream.codecpar(), encoder.context()),
                    "Copying encoder parameters");
            stream.time_base(encoder.context().time_base());
            streamOf[i] = stream.index();
        }
        AVDictionary dictionary = new AVDictionary(null);
        options.forEach((key, value) -> av_dict_set(dictionary, key, value, 0));
        int ret = avformat_write_header(context, dictionary);
        av_dict_free(dictionary);
        Av.check(ret, "Writing the header of " + file.getFileName());
        started = true;
        while (!pending.isEmpty()) {
            Pending next = pending.poll();
            Av.check(av_packet_ref(scratch, next.packet()), "Referencing a packet");
            scratch.stream_index(streamOf[next.packet().stream_index()]);
            av_packet_free(next.packet());
            queuedBase.num(next.num()).den(next.den());
            writeScratch(queuedBase);
        }
    }

    /** Writes the trailer; returns false when no stream ever opened (nothing to write). */
    boolean finish() {
        if (encoders.isEmpty()) {
            return false;
        }
        start();
        Av.check(av_interleaved_write_frame(context, null), "Flushing " + file.getFileName());
        Av.check(av_write_trailer(context), "Finishing " + file.getFileName());
        finished = true;
        return true;
    }

    boolean finished() {
        return finished;
    }

    long packets() {
        return packets;
    }

    @Override
    public void close() {
        while (!pending.isEmpty()) {
            av_packet_free(pending.poll().packet());
        }
        av_packet_free(scratch);
        queuedBase.close();
        if ((context.oformat().flags() & AVFMT_NOFILE) == 0 && context.pb() != null && !context.pb().isNull()) {
            AVIOContext io = context.pb();
            avio_closep(io);
            context.pb(null);
        }
        avformat_free_context(context);
    }
}
