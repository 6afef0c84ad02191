package dev.sluice.core.exec;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * User-metadata names that Sluice writes on every output. They make reprocessing safe (the source eTag) and
 * stop loops (the step that wrote the object and the chain depth). Values are URL-encoded because S3
 * metadata travels in HTTP headers, which only carry ASCII safely.
 */
public final class SluiceMetadata {
    /** {@code bucket/key} of the input the output was made from. */
    public static final String SOURCE = "sluice-source";
    /** eTag of that input when the output was made. */
    public static final String SOURCE_ETAG = "sluice-source-etag";
    /** {@code pipeline/step} that wrote the output. */
    public static final String STEP = "sluice-step";
    /** How many Sluice steps lie between the original upload and this object. */
    public static final String DEPTH = "sluice-depth";

    private SluiceMetadata() {
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    public static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

    /** The full id of a step as written in {@link #STEP}. */
    public static String stepId(String pipeline, String step) {
        return pipeline + "/" + step;
    }

    /** The step that wrote an object, or {@code null} when Sluice did not write it. */
    public static String writtenBy(Map<String, String> userMetadata) {
        String value = userMetadata.get(STEP);
        return value == null ? null : decode(value);
    }

    /** The chain depth of an object; 0 for an upload. Uploaders can set metadata: never below 0. */
    public static int depth(Map<String, String> userMetadata) {
        try {
            return Math.max(0, Integer.parseInt(userMetadata.getOrDefault(DEPTH, "0").trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
