package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.avutil.setLogCallback;

import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads FFmpeg's native libraries once, routes FFmpeg's log to SLF4J, and turns error codes into text. */
final class Av {
    private static final Logger FFMPEG_LOG = LoggerFactory.getLogger("sluice.ffmpeg");
    private static final FFmpegLog LOG_BRIDGE;

    static {
        // JavaCPP refuses its own (tiny) allocations once the whole process's resident memory passes a multiple of
        // the heap limit; with FFmpeg's frame buffers and x264's lookahead that happens in a small-heap worker JVM
        // in the middle of a 4K encode. Native memory here is bounded by the limits instead, so turn the check off
        // unless the user configured it.
        if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
        }
        try {
            Loader.load(org.bytedeco.ffmpeg.global.avutil.class);
            Loader.load(org.bytedeco.ffmpeg.global.swresample.class);
            Loader.load(org.bytedeco.ffmpeg.global.avcodec.class);
            Loader.load(org.bytedeco.ffmpeg.global.avformat.class);
            Loader.load(org.bytedeco.ffmpeg.global.swscale.class);
            Loader.load(org.bytedeco.ffmpeg.global.avfilter.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new IllegalStateException("Could not load FFmpeg's native libraries for " + Loader.getPlatform()
                    + ". sluice-functions-media bundles them for linux-x86_64, linux-arm64, macosx-x86_64 and "
                    + "macosx-arm64; on another platform add org.bytedeco:ffmpeg with that platform's classifier.", e);
        }
        LOG_BRIDGE = new FFmpegLog(FFMPEG_LOG);
        LOG_BRIDGE.retainReference();
        setLogCallback(LOG_BRIDGE);
        // Below warnings FFmpeg is chatty (x264 statistics, stream dumps); keep them only when asked for.
        av_log_set_level(FFMPEG_LOG.isDebugEnabled() ? AV_LOG_INFO : AV_LOG_WARNING);
    }

    private Av() {
    }

    /** Makes sure the natives are loaded; call before the first FFmpeg call of a class. */
    static void init() {
        // the static initialiser does the work
    }

    /** FFmpeg's description of an error code, e.g. {@code Invalid data found when processing input}. */
    static String error(int code) {
        byte[] buffer = new byte[256];
        if (av_strerror(code, buffer, buffer.length) < 0) {
            return "error " + code;
        }
        return cString(buffer);
    }

    /** The text of a NUL-terminated buffer that FFmpeg filled (never what lies after the terminator). */
    static String cString(byte[] buffer) {
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Throws a {@link MediaException} naming {@code what} when {@code ret} is an FFmpeg error code. */
    static int check(int ret, String what) {
        if (ret < 0) {
            throw new MediaException(what + " failed: " + error(ret));
        }
        return ret;
    }

    /** A new rational; allocates native memory, so keep it out of per-frame code. */
    static AVRational q(int num, int den) {
        return av_make_q(num, den);
    }

    /** {@code value * from / to}, rounded to nearest like av_rescale_q, without native calls or allocations. */
    static long rescale(long value, int fromNum, int fromDen, int toNum, int toDen) {
        return Math.round((double) value * fromNum * toDen / ((double) fromDen * toNum));
    }

    static double seconds(long timestamp, AVRational timeBase) {
        return timestamp == AV_NOPTS_VALUE ? Double.NaN : timestamp * (double) timeBase.num() / timeBase.den();
    }
}
