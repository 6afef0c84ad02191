package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_CAP_VARIABLE_FRAME_SIZE;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_ATTACHED_PIC;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_DEFAULT;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_frame_rate;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_time_base;

import dev.sluice.core.BadInputException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.function.Invocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * Decodes an input once and turns it into any number of outputs: demux, decode, one filter graph per media type
 * (the video graph turns the picture upright, then {@code split}s it into one chain per rendition), encode, mux.
 * This is what {@code ffmpeg -i in -filter_complex ... out1 out2} does, run on the invocation's thread with the
 * codecs' own worker threads.
 *
 * <p>The loop checks the invocation's deadline between packets, so a timeout stops FFmpeg within a frame or two;
 * every native object is freed in {@link #close()}.
 */
final class MediaPipeline implements AutoCloseable {
    static {
        Av.init();
    }


    /** One video chain of the graph, e.g. a 720p rendition, and its encoder. */
    static final class VideoBranch {
        final String chain;
        final VideoCodec codec;
        final List<Muxer> muxers = new ArrayList<>();
        Encoder encoder;
        long frames;
        long lastPts = Long.MIN_VALUE;
        int width;
        int height;

        VideoBranch(String chain, VideoCodec codec) {
            this.chain = chain.isBlank() ? "null" : chain;
            this.codec = codec;
        }

        int width() {
            return width;
        }

        int height() {
            return height;
        }

        long frames() {
            return frames;
        }
    }

    /** One audio encoding; a single encode can feed several output files. */
    static final class AudioBranch {
        final AudioCodec codec;
        final List<Muxer> muxers = new ArrayList<>();
        Encoder encoder;
        long nextPts = Long.MIN_VALUE;
        long samples;
        int sinkNum;
        int sinkDen;

        AudioBranch(AudioCodec codec) {
            this.codec = codec;
        }
    }

    /** What was read and written. */
    record Result(long videoFrames, long audioFrames, double seconds, boolean truncated) {
    }

    private record Output(Path file, String format, Map<String, String> options, VideoBranch video,
                          AudioBranch audio) {
    }

    private final SafeInput input;
    private final Invocation invocation;
    private final MediaLimits limits;
    private final Progress progress;
    private final List<VideoBranch> videoBranches = new ArrayList<>();
    private final List<AudioBranch> audioBranches = new ArrayList<>();
    private final List<Output> outputs = new ArrayList<>();
    private final List<Muxer> muxers = new ArrayList<>();
    private String audioFilters = "";
    private double start;
    private double duration = Double.POSITIVE_INFINITY;
    private long maxVideoFrames = Long.MAX_VALUE;
    private boolean attachedPictureAllowed;

    private Decoder videoDecoder;
    private Decoder audioDecoder;
    private FilterGraph videoGraph;
    private FilterGraph audioGraph;
    private final AVPacket packet = av_packet_alloc();
    private final AVFrame decoded = av_frame_alloc();
    private final AVFrame filtered = av_frame_alloc();
    private long videoFramesIn;
    private long audioFramesIn;
    private int decodeErrors;
    private String lastDecodeError;
    private boolean truncated;
    private boolean videoDone;
    private boolean audioDone;
    private double seconds;
    private long offsetMicros;
    private long videoOffset;
    private long audioOffset;

    MediaPipeline(SafeInput input, Invocation invocation, String function, MediaLimits limits) {
        this.input = input;
        this.invocation = invocation;
        this.limits = limits;
        Double total = input.info().durationSeconds();
        this.progress = new Progress(invocation, function, total == null ? 0 : total);
    }

    /** Adds a video chain, e.g. {@code scale=1280:720,format=yuv420p}, applied after the picture is turned upright. */
    VideoBranch video(String chain, VideoCodec codec) {
        VideoBranch branch = new VideoBranch(chain, codec);
        videoBranches.add(branch);
        return branch;
    }

    AudioBranch audio(AudioCodec codec) {
        AudioBranch branch = new AudioBranch(codec);
        audioBranches.add(branch);
        return branch;
    }

    /** Filters applied to the audio before it is resampled for the encoders, e.g. {@code volume=3dB}. */
    void audioFilters(String filters) {
        this.audioFilters = filters == null ? "" : filters;
    }

    /** Processes only {@code duration} seconds from {@code start}; output timestamps start at zero. */
    void trim(double start, double duration) {
        this.start = Math.max(0, start);
        this.duration = duration > 0 ? duration : Double.POSITIVE_INFINITY;
    }

    void maxVideoFrames(long frames) {
        this.maxVideoFrames = frames;
    }

    /** Lets a file whose only picture is embedded cover art (an MP3's) count as video. */
    void allowAttachedPicture() {
        this.attachedPictureAllowed = true;
    }

    void output(Path file, String format, Map<String, String> options, VideoBranch video, AudioBranch audio) {
        outputs.add(new Output(file, format, options, video, audio));
    }

    Result run() {
        AVFormatContext context = input.context();
        int videoStream = videoBranches.isEmpty() ? -1 : selectVideo(context);
        if (!videoBranches.isEmpty() && videoStream < 0) {
            throw new BadInputException("'" + invocation.input().fileName() + "' has no video stream.");
        }
        int audioStream = audioBranches.isEmpty() ? -1 : av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1,
                videoStream, (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
        if (!audioBranches.isEmpty() && audioStream < 0 && videoStream < 0) {
            throw new BadInputException("'" + invocation.input().fileName() + "' has no audio stream.");
        }
        if (videoStream >= 0) {
            videoDecoder = Decoder.open(context.streams(videoStream), limits.maxPixels());
        }
        if (audioStream >= 0) {
            try {
                audioDecoder = Decoder.open(context.streams(audioStream), 0);
            } catch (BadInputException e) {
                if (videoStream < 0) {
                    throw e;
                }
                invocation.logger().warn("{}: {}; writing video without sound.", invocation.input().key(),
                        e.getMessage());
            }
        }
        for (Output output : outputs) {
            boolean withVideo = output.video() != null && videoDecoder != null;
            boolean withAudio = output.audio() != null && audioDecoder != null;
            Muxer muxer = new Muxer(output.file(), output.format(), output.options(),
                    (withVideo ? 1 : 0) + (withAudio ? 1 : 0));
            muxers.add(muxer);
            if (withVideo) {
                output.video().muxers.add(muxer);
            }
            if (withAudio) {
                output.audio().muxers.add(muxer);
            }
        }
        videoDone = videoDecoder == null;
        audioDone = audioDecoder == null;

        long startTime = context.start_time() == AV_NOPTS_VALUE ? 0 : context.start_time();
        offsetMicros = startTime + Math.round(start * 1_000_000);
        videoOffset = videoDecoder == null ? 0 : offset(videoDecoder.stream().time_base());
        audioOffset = audioDecoder == null ? 0 : offset(audioDecoder.stream().time_base());
        if (start > 0) {
            // lands on the key frame before the start; the frames before it are decoded and dropped
            av_seek_frame(context, -1, offsetMicros, AVSEEK_FLAG_BACKWARD);
        }
        SafeInput.deadline(invocation.deadline());
        while (!(videoDone && audioDone)) {
            invocation.checkDeadline();
            int ret = av_read_frame(context, packet);
            if (ret == AVERROR_EOF()) {
                break;
            }
            if (ret < 0) {
                invocation.checkDeadline();
                truncated = true;
                invocation.logger().info("{}: reading stopped early ({}); the file is probably truncated.",
                        invocation.input().key(), Av.error(ret));
                break;
            }
            try {
                if (packet.stream_index() == videoStream && !videoDone) {
                    decode(videoDecoder, packet, true);
                } else if (packet.stream_index() == audioStream && !audioDone) {
                    decode(audioDecoder, packet, false);
                }
            } finally {
                av_packet_unref(packet);
            }
        }
        if (!videoDone) {
            decode(videoDecoder, null, true);
        }
        if (!audioDone) {
            decode(audioDecoder, null, false);
        }
        invocation.checkDeadline();
        finishGraphs();
        if (!videoBranches.isEmpty() && videoGraph == null) {
            throw new BadInputException(noFrames("video"));
        }
        if (videoBranches.isEmpty() && audioGraph == null) {
            throw new BadInputException(noFrames("audio"));
        }
        for (Muxer muxer : muxers) {
            muxer.finish();
        }
        progress.done();
        return new Result(videoFramesIn, audioFramesIn, seconds, truncated);
    }

    private String noFrames(String kind) {
        return "No " + kind + " could be decoded from '" + invocation.input().fileName() + "'"
                + (lastDecodeError != null ? " (" + decodeErrors + " decoding errors, last: " + lastDecodeError + ")"
                : start > 0 ? " after " + start + " s" : "") + ". The file is probably truncated or corrupt.";
    }

    private int selectVideo(AVFormatContext context) {
        int best = -1;
        long bestScore = -1;
        for (int i = 0; i < context.nb_streams(); i++) {
            AVStream stream = context.streams(i);
            AVCodecParameters par = stream.codecpar();
            boolean attached = (stream.disposition() & AV_DISPOSITION_ATTACHED_PIC) != 0;
            if (par.codec_type() != AVMEDIA_TYPE_VIDEO || par.width() <= 0 || (attached && !attachedPictureAllowed)) {
                continue;
            }
            // real video over cover art, default streams first, then the largest picture
            long score = (attached ? 0 : 1L << 62) + ((stream.disposition() & AV_DISPOSITION_DEFAULT) != 0 ? 1L << 61 : 0)
                    + (long) par.width() * par.height();
            if (score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    private void decode(Decoder decoder, AVPacket packet, boolean video) {
        int ret = decoder.send(packet);
        if (ret < 0 && ret != AVERROR_EOF() && ret != AVERROR_EAGAIN()) {
            decodeErrors++;
            lastDecodeError = Av.error(ret);
            if (packet == null) {
                return;
            }
        }
        while (true) {
            ret = decoder.receive(decoded);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF()) {
                return;
            }
            if (ret < 0) {
                decodeErrors++;
                lastDecodeError = Av.error(ret);
                return;
            }
            try {
                if (video) {
                    videoFrame(decoded);
                } else {
                    audioFrame(decoded);
                }
            } finally {
                av_frame_unref(decoded);
            }
        }
    }

    /** The input's start (and trim start) in a stream's time base. */
    private long offset(AVRational timeBase) {
        return Av.rescale(offsetMicros, 1, AV_TIME_BASE, timeBase.num(), timeBase.den());
    }

    /** Input timestamp to output timestamp (relative to the trim start), in the stream's time base. */
    private static long relative(AVFrame frame, long offset) {
        long pts = frame.best_effort_timestamp();
        if (pts == AV_NOPTS_VALUE) {
            pts = frame.pts();
        }
        return pts == AV_NOPTS_VALUE ? AV_NOPTS_VALUE : pts - offset;
    }

    private void videoFrame(AVFrame frame) {
        if (videoDone) {
            return;
        }
        AVStream stream = videoDecoder.stream();
        AVRational timeBase = stream.time_base();
        long pts = relative(frame, videoOffset);
        if (pts == AV_NOPTS_VALUE) {
            pts = videoFramesIn; // no timestamps at all: count frames
        }
        double time = Av.seconds(pts, timeBase);
        if (start > 0 && time < -1e-6) {
            return;
        }
        if (time >= duration) {
            videoDone = true;
            return;
        }
        checkDuration(time);
        frame.pts(pts);
        if (videoGraph == null) {
            openVideo(frame, stream);
        }
        int ret = videoGraph.push(frame);
        if (ret < 0) {
            throw new BadInputException("'" + invocation.input().fileName() + "': a video frame could not be "
                    + "processed (" + Av.error(ret) + "); the picture format probably changes mid-stream.");
        }
        videoFramesIn++;
        advance(time);
        drainVideo();
        if (videoFramesIn >= maxVideoFrames) {
            videoDone = true;
        }
    }

    private void audioFrame(AVFrame frame) {
        if (audioDone) {
            return;
        }
        AVRational timeBase = audioDecoder.stream().time_base();
        long pts = relative(frame, audioOffset);
        double time = pts == AV_NOPTS_VALUE ? seconds : Av.seconds(pts, timeBase);
        if (start > 0 && time < -1e-6) {
            return;
        }
        if (time >= duration) {
            audioDone = true;
            return;
        }
        checkDuration(time);
        frame.pts(pts);
        if (audioGraph == null) {
            openAudio(frame, timeBase);
        }
        int ret = audioGraph.push(frame);
        if (ret < 0) {
            throw new BadInputException("'" + invocation.input().fileName() + "': an audio frame could not be "
                    + "processed (" + Av.error(ret) + "); the audio format probably changes mid-stream.");
        }
        audioFramesIn++;
        if (videoDecoder == null) {
            advance(time);
        }
        drainAudio();
    }

    private void advance(double time) {
        if (time > seconds) {
            seconds = time;
            progress.at(time + start);
        }
    }

    private void checkDuration(double time) {
        if (time + start > limits.maxDurationSeconds() + 1) {
            throw new LimitExceededException("'" + invocation.input().fileName() + "' is longer than the limit of "
                    + limits.maxDurationSeconds() + " s (max-duration); raise the limit or split the file.");
        }
    }

    private void openVideo(AVFrame first, AVStream stream) {
        Orientation orientation = Orientation.of(stream.codecpar());
        String upright = orientation.filters().isEmpty() ? "null" : orientation.filters();
        StringBuilder description = new StringBuilder("[in]").append(upright);
        int n = videoBranches.size();
        if (n == 1) {
            description.append(',').append(videoBranches.get(0).chain).append("[out0]");
        } else {
            description.append(",split=").append(n);
            for (int i = 0; i < n; i++) {
                description.append("[v").append(i).append(']');
            }
            for (int i = 0; i < n; i++) {
                description.append(";[v").append(i).append(']').append(videoBranches.get(i).chain)
                        .append("[out").append(i).append(']');
            }
        }
        AVRational frameRate = av_guess_frame_rate(input.context(), stream, first);
        videoGraph = FilterGraph.create(first, stream.time_base(), frameRate, AVMEDIA_TYPE_VIDEO,
                description.toString(), n);
        for (int i = 0; i < n; i++) {
            VideoBranch branch = videoBranches.get(i);
            branch.encoder = Encoder.video(branch.codec, videoGraph.sink(i), needsGlobalHeader(branch.muxers));
            branch.width = branch.encoder.context().width();
            branch.height = branch.encoder.context().height();
            attach(branch.encoder, branch.muxers);
        }
    }

    private void openAudio(AVFrame first, AVRational timeBase) {
        String prefix = audioFilters.isBlank() ? "anull" : audioFilters;
        StringBuilder description = new StringBuilder("[in]").append(prefix);
        int n = audioBranches.size();
        if (n == 1) {
            description.append(',').append(audioBranches.get(0).codec.filters()).append("[out0]");
        } else {
            description.append(",asplit=").append(n);
            for (int i = 0; i < n; i++) {
                description.append("[a").append(i).append(']');
            }
            for (int i = 0; i < n; i++) {
                description.append(";[a").append(i).append(']').append(audioBranches.get(i).codec.filters())
                        .append("[out").append(i).append(']');
            }
        }
        audioGraph = FilterGraph.create(first, timeBase, null, AVMEDIA_TYPE_AUDIO, description.toString(), n);
        for (int i = 0; i < n; i++) {
            AudioBranch branch = audioBranches.get(i);
            AVRational sinkBase = av_buffersink_get_time_base(audioGraph.sink(i));
            branch.sinkNum = sinkBase.num();
            branch.sinkDen = sinkBase.den();
            branch.encoder = Encoder.audio(branch.codec, audioGraph.sink(i), needsGlobalHeader(branch.muxers));
            if ((branch.encoder.context().codec().capabilities() & AV_CODEC_CAP_VARIABLE_FRAME_SIZE) == 0
                    && branch.encoder.context().frame_size() > 0) {
                audioGraph.frameSize(i, branch.encoder.context().frame_size());
            }
            attach(branch.encoder, branch.muxers);
        }
    }

    private static boolean needsGlobalHeader(List<Muxer> muxers) {
        return muxers.stream().anyMatch(Muxer::needsGlobalHeader);
    }

    private void attach(Encoder encoder, List<Muxer> targets) {
        for (Muxer muxer : targets) {
            Muxer.Track track = muxer.add(encoder);
            if (track != null) {
                encoder.feed(track);
            }
        }
    }

    private void drainVideo() {
        for (int i = 0; i < videoBranches.size(); i++) {
            VideoBranch branch = videoBranches.get(i);
            while (videoGraph.pull(i, filtered) >= 0) {
                try {
                    // a frame with the same time as the one before cannot be muxed (variable frame rate input)
                    if (filtered.pts() != AV_NOPTS_VALUE && filtered.pts() <= branch.lastPts) {
                        continue;
                    }
                    branch.lastPts = filtered.pts();
                    filtered.pict_type(AV_PICTURE_TYPE_NONE); // let the encoder place key frames
                    branch.encoder.encode(filtered);
                    branch.frames++;
                } finally {
                    av_frame_unref(filtered);
                }
            }
        }
    }

    private void drainAudio() {
        for (int i = 0; i < audioBranches.size(); i++) {
            AudioBranch branch = audioBranches.get(i);
            AVRational encoderBase = branch.encoder.context().time_base();
            while (audioGraph.pull(i, filtered) >= 0) {
                try {
                    long pts = filtered.pts() == AV_NOPTS_VALUE ? branch.nextPts : Av.rescale(filtered.pts(),
                            branch.sinkNum, branch.sinkDen, encoderBase.num(), encoderBase.den());
                    if (pts == Long.MIN_VALUE || (branch.nextPts != Long.MIN_VALUE && pts < branch.nextPts)) {
                        pts = branch.nextPts == Long.MIN_VALUE ? 0 : branch.nextPts;
                    }
                    filtered.pts(pts);
                    branch.nextPts = pts + filtered.nb_samples();
                    branch.samples += filtered.nb_samples();
                    branch.encoder.encode(filtered);
                } finally {
                    av_frame_unref(filtered);
                }
            }
        }
    }

    private void finishGraphs() {
        if (videoGraph != null) {
            videoGraph.push(null);
            drainVideo();
            for (VideoBranch branch : videoBranches) {
                branch.encoder.encode(null);
            }
        }
        if (audioGraph != null) {
            audioGraph.push(null);
            drainAudio();
            for (AudioBranch branch : audioBranches) {
                branch.encoder.encode(null);
            }
        }
    }

    /** The filter graph of the audio, once the first audio frame arrived (for reading measurement filters). */
    FilterGraph audioGraph() {
        return audioGraph;
    }

    @Override
    public void close() {
        for (Muxer muxer : muxers) {
            muxer.close();
        }
        for (VideoBranch branch : videoBranches) {
            if (branch.encoder != null) {
                branch.encoder.close();
            }
        }
        for (AudioBranch branch : audioBranches) {
            if (branch.encoder != null) {
                branch.encoder.close();
            }
        }
        if (videoGraph != null) {
            videoGraph.close();
        }
        if (audioGraph != null) {
            audioGraph.close();
        }
        if (videoDecoder != null) {
            videoDecoder.close();
        }
        if (audioDecoder != null) {
            audioDecoder.close();
        }
        av_packet_free(packet);
        av_frame_free(decoded);
        av_frame_free(filtered);
    }
}
