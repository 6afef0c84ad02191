package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avformat.AVPROBE_PADDING_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.AVPROBE_SCORE_RETRY;
import static org.bytedeco.ffmpeg.global.avformat.av_probe_input_format2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import dev.sluice.core.BadInputException;
import dev.sluice.core.function.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVProbeData;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * A local media file opened for demuxing, with untrusted input in mind.
 *
 * <ul>
 *   <li>The container format is probed from the file's content (not its name) before FFmpeg opens it, and
 *       demuxers that read other files or URLs named inside the input (HLS and DASH playlists, concat lists,
 *       SDP, IMF, image sequences, scripts) are refused: crafted playlists have been used to copy local files
 *       such as {@code /etc/passwd} into transcoded outputs.</li>
 *   <li>FFmpeg then opens the file with exactly the probed demuxer ({@code format_whitelist}) and may use only
 *       the {@code file} and {@code pipe} protocols ({@code protocol_whitelist}): no network, no nested
 *       protocols.</li>
 *   <li>Blocking reads inside FFmpeg give up when the invocation is interrupted or past its deadline.</li>
 * </ul>
 */
final class SafeInput implements AutoCloseable {
    /** Demuxers that open further files or URLs named in the input, or run code: never used on untrusted input. */
    static final Set<String> REFUSED_DEMUXERS = Set.of("hls", "applehttp", "concat", "dash", "imf", "sdp", "rtsp",
            "rtp", "srtp", "image2", "avisynth", "vapoursynth", "lavfi", "webm_dash_manifest", "ffmetadata", "tee",
            "bluray", "libcdio", "dvdvideo");
    static final String PROTOCOL_WHITELIST = "file,pipe";
    private static final int PROBE_MIN = 2048;
    private static final int PROBE_MAX = 1 << 20;
    private static final ThreadLocal<Instant> DEADLINE = new ThreadLocal<>();
    private static final AVIOInterruptCB.Callback_Pointer INTERRUPT;

    static {
        Av.init();
        // One callback for every input: FFmpeg calls it on the thread that reads, which is the invocation's.
        INTERRUPT = new AVIOInterruptCB.Callback_Pointer() {
            @Override
            public int call(Pointer opaque) {
                Instant deadline = DEADLINE.get();
                return Thread.currentThread().isInterrupted()
                        || (deadline != null && Instant.now().isAfter(deadline)) ? 1 : 0;
            }
        };
        INTERRUPT.retainReference();
    }

    private final AVFormatContext context;
    private final String formatName;
    private final MediaInfo info;

    private SafeInput(AVFormatContext context, String formatName, MediaInfo info) {
        this.context = context;
        this.formatName = formatName;
        this.info = info;
    }

    /**
     * Opens {@code file}, called {@code displayName} in error messages (the object's name, not the temp file's);
     * reads in FFmpeg stop at {@code deadline} (may be null). Throws {@link BadInputException} for files that are
     * not media FFmpeg can read, or that use a refused demuxer.
     */
    static SafeInput open(Path file, String displayName, Instant deadline) throws IOException {
        DEADLINE.set(deadline);
        String shown = "'" + displayName + "'";
        String name = probe(file, shown);
        AVFormatContext context = avformat_alloc_context();
        if (context == null) {
            throw new OutOfMemoryError("avformat_alloc_context");
        }
        context.interrupt_callback().callback(INTERRUPT);
        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "protocol_whitelist", PROTOCOL_WHITELIST, 0);
        av_dict_set(options, "format_whitelist", name, 0);
        if (name.startsWith("mov,")) {
            av_dict_set(options, "enable_drefs", "0", 0); // QuickTime data references point to other files
            av_dict_set(options, "use_absolute_path", "0", 0);
        }
        AVInputFormat format = org.bytedeco.ffmpeg.global.avformat.av_find_input_format(name.split(",")[0]);
        int ret;
        try {
            ret = avformat_open_input(context, "file:" + file.toAbsolutePath(), format, options);
        } finally {
            av_dict_free(options);
        }
        if (ret < 0) {
            // avformat_open_input frees the context on failure
            throw new BadInputException(shown + " could not be opened as " + name + ": " + Av.error(ret)
                    + ". The file is probably truncated or corrupt.");
        }
        try {
            ret = avformat_find_stream_info(context, (PointerPointer<?>) null);
            if (ret < 0) {
                throw new BadInputException(shown + ": FFmpeg found no readable streams (" + Av.error(ret)
                        + "). The file is probably truncated or corrupt.");
            }
            String opened = context.iformat().name().getString();
            if (!opened.equals(name)) {
                throw new BadInputException(shown + " was probed as " + name + " but opened as " + opened
                        + "; refused.");
            }
            return new SafeInput(context, name, MediaInfo.read(context, Files.size(file)));
        } catch (RuntimeException | Error e) {
            avformat_close_input(context);
            throw e;
        }
    }

    /** Opens an invocation's input under its deadline. */
    static SafeInput open(Invocation invocation) throws IOException {
        return open(invocation.input().file(), invocation.input().fileName(), invocation.deadline());
    }

    /** The demuxer FFmpeg picks for the content of {@code file}, refusing the ones that reach outside it. */
    static String probe(Path file, String shown) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(PROBE_MAX);
        }
        if (head.length == 0) {
            throw new BadInputException(shown + " is empty.");
        }
        AVInputFormat format = probe(head, "");
        if (format == null) {
            // A few formats are only told apart by their extension; the name is used for scoring only.
            format = probe(head, "input." + extension(file));
        }
        if (format == null) {
            throw new BadInputException(shown + " is not an audio or video file FFmpeg recognises "
                    + "(unknown container format). Upload a common format such as MP4, MOV, MKV, WebM, MP3 or WAV.");
        }
        String name = format.name().getString();
        for (String alias : name.split(",")) {
            if (REFUSED_DEMUXERS.contains(alias)) {
                throw new BadInputException(shown + " is a " + name + " file (a playlist, list or "
                        + "script that refers to other files or URLs). Sluice reads only self-contained media "
                        + "files; upload the media itself.");
            }
        }
        return name;
    }

    private static AVInputFormat probe(byte[] head, String fileName) {
        try (BytePointer buffer = new BytePointer((long) head.length + AVPROBE_PADDING_SIZE);
             BytePointer name = new BytePointer(fileName);
             AVProbeData data = new AVProbeData()) {
            buffer.put(head).position(0);
            buffer.position(head.length).put(new byte[AVPROBE_PADDING_SIZE]).position(0);
            data.buf(buffer).filename(name).mime_type(null);
            // Like av_probe_input_buffer: grow the window until a format is sure enough.
            for (int size = Math.min(PROBE_MIN, head.length); ; size = Math.min(size * 2, head.length)) {
                data.buf_size(size);
                int[] score = {size < head.length && size < PROBE_MAX ? AVPROBE_SCORE_RETRY : 0};
                AVInputFormat format = av_probe_input_format2(data, 1, score);
                if (format != null || size >= head.length) {
                    return format;
                }
            }
        }
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return ext.chars().allMatch(Character::isLetterOrDigit) ? ext : "";
    }

    AVFormatContext context() {
        return context;
    }

    String formatName() {
        return formatName;
    }

    MediaInfo info() {
        return info;
    }

    /** Resets the deadline that FFmpeg's blocking reads observe on this thread. */
    static void deadline(Instant deadline) {
        DEADLINE.set(deadline);
    }

    @Override
    public void close() {
        avformat_close_input(context);
        DEADLINE.remove();
    }
}
