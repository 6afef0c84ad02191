package dev.sluice.functions.media;

import java.util.Map;

/**
 * How to encode one video output.
 *
 * @param encoder     FFmpeg encoder name, e.g. {@code libx264}
 * @param pixelFormat pixel format the encoder gets, e.g. {@code yuv420p}
 * @param bitRate     target bit/s, or 0 for quality-based rate control
 * @param maxRate     VBV maximum bit/s (with {@code bufferSize}), or 0
 * @param gopSize     frames between key frames, or 0 for the encoder's default
 * @param minKeyint   minimum frames between key frames, or 0
 * @param quantiser   fixed quantiser for image encoders (mjpeg: 2 best - 31 worst), or 0
 * @param options     encoder private options, e.g. {@code preset=medium}, {@code crf=23}
 */
record VideoCodec(String encoder, String pixelFormat, long bitRate, long maxRate, long bufferSize, int gopSize,
                  int minKeyint, int quantiser, Map<String, String> options) {
    VideoCodec {
        options = Map.copyOf(options);
    }

    static VideoCodec of(String encoder, String pixelFormat, Map<String, String> options) {
        return new VideoCodec(encoder, pixelFormat, 0, 0, 0, 0, 0, 0, options);
    }
}
