package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_descriptor_get;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_profile_name;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_ATTACHED_PIC;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_DEFAULT;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_frame_rate;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_ATTACHMENT;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_DATA;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_SUBTITLE;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_describe;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_get;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_iterate;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_get_sample_fmt_name;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.ffmpeg.avcodec.AVCodecDescriptor;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/**
 * What {@code media-probe} reports about a file, read from FFmpeg's demuxer without decoding (like
 * {@code ffprobe -show_format -show_streams}).
 *
 * @param container       demuxer name(s), e.g. {@code mov,mp4,m4a,3gp,3g2,mj2}
 * @param durationSeconds container duration, or null when the file does not say
 * @param bitRate         overall bit rate in bit/s, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MediaInfo(String container, String containerName, Double durationSeconds, Long bitRate, long size,
                 List<StreamInfo> streams, Map<String, String> tags) {

    /**
     * One stream. Video fields are null for audio and the other way round. {@code width}/{@code height} are as
     * stored; {@code displayWidth}/{@code displayHeight} are as shown, after rotation and pixel aspect ratio.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StreamInfo(int index, String type, String codec, String codecName, String profile, Long bitRate,
                      Double durationSeconds, String language, Boolean isDefault, Boolean attachedPicture,
                      Integer width, Integer height, Integer displayWidth, Integer displayHeight, Double frameRate,
                      Integer rotation, Boolean mirrored, String pixelFormat, Integer sampleRate, Integer channels,
                      String channelLayout, String sampleFormat) {

        boolean isVideo() {
            return "video".equals(type) && !Boolean.TRUE.equals(attachedPicture);
        }

        boolean isAudio() {
            return "audio".equals(type);
        }
    }

    static {
        Av.init();
    }

    Optional<StreamInfo> stream(int index) {
        return streams.stream().filter(s -> s.index() == index).findFirst();
    }

    /** The video stream a job works on: real video before cover art, default streams first, then the largest. */
    Optional<StreamInfo> primaryVideo() {
        return streams.stream().filter(StreamInfo::isVideo).filter(s -> s.width() != null && s.width() > 0)
                .max(java.util.Comparator.comparingLong((StreamInfo s) -> Boolean.TRUE.equals(s.isDefault()) ? 1 : 0)
                        .thenComparingLong(s -> (long) s.width() * s.height())
                        .thenComparingInt(s -> -s.index()));
    }

    Optional<StreamInfo> primaryAudio() {
        return streams.stream().filter(StreamInfo::isAudio)
                .filter(s -> s.sampleRate() != null && s.channels() != null).findFirst();
    }

    boolean hasVideo() {
        return streams.stream().anyMatch(StreamInfo::isVideo);
    }

    boolean hasAudio() {
        return streams.stream().anyMatch(StreamInfo::isAudio);
    }

    static MediaInfo read(AVFormatContext context, long size) {
        List<StreamInfo> streams = new ArrayList<>();
        for (int i = 0; i < context.nb_streams(); i++) {
            streams.add(stream(context, context.streams(i)));
        }
        long duration = context.duration();
        return new MediaInfo(context.iformat().name().getString(), string(context.iformat().long_name()),
                duration == AV_NOPTS_VALUE || duration <= 0 ? null : duration / (double) AV_TIME_BASE,
                context.bit_rate() > 0 ? context.bit_rate() : null, size, List.copyOf(streams),
                tags(context.metadata()));
    }

    private static StreamInfo stream(AVFormatContext context, AVStream stream) {
        AVCodecParameters par = stream.codecpar();
        int type = par.codec_type();
        AVCodecDescriptor descriptor = avcodec_descriptor_get(par.codec_id());
        String profile = par.profile() >= 0 ? string(avcodec_profile_name(par.codec_id(), par.profile())) : null;
        AVRational timeBase = stream.time_base();
        Double duration = stream.duration() == AV_NOPTS_VALUE || stream.duration() <= 0 ? null
                : Av.seconds(stream.duration(), timeBase);
        String language = tag(stream.metadata(), "language");
        boolean attached = (stream.disposition() & AV_DISPOSITION_ATTACHED_PIC) != 0;
        Boolean isDefault = (stream.disposition() & AV_DISPOSITION_DEFAULT) != 0 ? Boolean.TRUE : null;
        Long bitRate = par.bit_rate() > 0 ? par.bit_rate() : null;
        String codec = string(avcodec_get_name(par.codec_id()));
        String codecName = descriptor == null ? null : string(descriptor.long_name());
        if (type == AVMEDIA_TYPE_VIDEO) {
            Orientation orientation = Orientation.of(par);
            AVRational rate = av_guess_frame_rate(context, stream, null);
            Double frameRate = rate.num() > 0 && rate.den() > 0 ? round(rate.num() / (double) rate.den(), 3) : null;
            int width = par.width();
            int height = par.height();
            int[] shown = displaySize(width, height, par.sample_aspect_ratio(), orientation);
            return new StreamInfo(stream.index(), "video", codec, codecName, profile, bitRate, duration, language,
                    isDefault, attached ? Boolean.TRUE : null, width, height, shown[0], shown[1], frameRate,
                    orientation.rotation(), orientation.mirrored() ? Boolean.TRUE : null,
                    par.format() >= 0 ? string(av_get_pix_fmt_name(par.format())) : null,
                    null, null, null, null);
        }
        if (type == AVMEDIA_TYPE_AUDIO) {
            String layout = null;
            if (par.ch_layout().nb_channels() > 0) {
                byte[] buffer = new byte[128];
                if (av_channel_layout_describe(par.ch_layout(), buffer, buffer.length) > 0) {
                    layout = Av.cString(buffer);
                }
            }
            return new StreamInfo(stream.index(), "audio", codec, codecName, profile, bitRate, duration, language,
                    isDefault, null, null, null, null, null, null, null, null, null,
                    par.sample_rate() > 0 ? par.sample_rate() : null,
                    par.ch_layout().nb_channels() > 0 ? par.ch_layout().nb_channels() : null, layout,
                    par.format() >= 0 ? string(av_get_sample_fmt_name(par.format())) : null);
        }
        String kind = type == AVMEDIA_TYPE_SUBTITLE ? "subtitle" : type == AVMEDIA_TYPE_DATA ? "data"
                : type == AVMEDIA_TYPE_ATTACHMENT ? "attachment" : "unknown";
        return new StreamInfo(stream.index(), kind, codec, codecName, profile, bitRate, duration, language,
                isDefault, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Width and height as shown: pixel aspect ratio applied to the width, then sides swapped for 90/270. */
    static int[] displaySize(int width, int height, AVRational sampleAspect, Orientation orientation) {
        int shownWidth = width;
        if (sampleAspect != null && sampleAspect.num() > 0 && sampleAspect.den() > 0
                && sampleAspect.num() != sampleAspect.den()) {
            shownWidth = (int) Math.round(width * (double) sampleAspect.num() / sampleAspect.den());
        }
        return orientation.swapsSides() ? new int[] {height, shownWidth} : new int[] {shownWidth, height};
    }

    private static Map<String, String> tags(AVDictionary dictionary) {
        Map<String, String> tags = new LinkedHashMap<>();
        AVDictionaryEntry entry = null;
        while (dictionary != null && (entry = av_dict_iterate(dictionary, entry)) != null) {
            tags.put(entry.key().getString(), entry.value().getString());
        }
        return tags.isEmpty() ? null : tags;
    }

    private static String tag(AVDictionary dictionary, String key) {
        if (dictionary == null) {
            return null;
        }
        AVDictionaryEntry entry = av_dict_get(dictionary, key, null, 0);
        return entry == null ? null : entry.value().getString();
    }

    private static String string(BytePointer pointer) {
        return pointer == null || pointer.isNull() ? null : pointer.getString();
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
