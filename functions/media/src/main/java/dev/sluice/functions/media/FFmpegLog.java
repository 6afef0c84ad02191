package dev.sluice.functions.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;

/**
 * FFmpeg's log lines in SLF4J. A corrupt file can make a decoder complain for every frame, so at most
 * {@link #LINES_PER_SECOND} lines a second get through; the rest are counted and reported with the next line.
 */
final class FFmpegLog extends LogCallback {
    static final int LINES_PER_SECOND = 20;
    private final Logger logger;
    private final AtomicLong window = new AtomicLong();
    private final AtomicLong linesInWindow = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    FFmpegLog(Logger logger) {
        this.logger = logger;
    }

    @Override
    public void call(int level, BytePointer message) {
        long second = System.currentTimeMillis() / 1000;
        if (window.getAndSet(second) != second) {
            linesInWindow.set(0);
        }
        if (linesInWindow.incrementAndGet() > LINES_PER_SECOND) {
            dropped.incrementAndGet();
            return;
        }
        String text = message.getString().strip();
        if (text.isEmpty()) {
            return;
        }
        long skipped = dropped.getAndSet(0);
        if (skipped > 0) {
            text = text + " (" + skipped + " more FFmpeg log lines were dropped)";
        }
        if (level <= AV_LOG_ERROR) {
            logger.warn(text);
        } else if (level <= AV_LOG_WARNING) {
            logger.info(text);
        } else {
            logger.debug(text);
        }
    }
}
