package dev.sluice.functions.media;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.SluiceFunction;
import java.util.List;

/**
 * {@code media-probe}: a JSON description of an audio or video file, like {@code ffprobe -show_format
 * -show_streams}: container, duration, bit rate, and per stream the codec, size, frame rate, rotation, pixel
 * format, sample rate, channels and language. Reads headers only; nothing is decoded.
 */
public final class MediaProbeFunction implements SluiceFunction {
    /** Made on first use: every command loads every function, and most never write JSON (start-up time). */
    static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    @Override
    public String name() {
        return "media-probe";
    }

    @Override
    public String description() {
        return "Describe an audio or video file as JSON: container, duration, bit rate, streams (codec, size, "
                + "frame rate, rotation, pixel format, sample rate, channels, language).";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        MediaInfo info;
        try (SafeInput input = SafeInput.open(invocation)) {
            info = input.info();
        }
        invocation.outputs().write(OutputSpec.of("-probe", "json", "application/json"),
                Json.MAPPER.writeValueAsBytes(info));
    }
}
