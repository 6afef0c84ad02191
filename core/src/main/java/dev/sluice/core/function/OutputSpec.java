package dev.sluice.core.function;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Describes one result of an invocation. Where it goes is decided by the step's output template, which may
 * use {@code {ext}}, {@code {suffix}} and the variables in {@link #vars()} (e.g. {@code {width}}).
 *
 * @param suffix      appended to the input's base name by the default template, e.g. {@code -256}
 * @param extension   file extension without the dot, e.g. {@code jpg}
 * @param contentType MIME type stored with the output
 * @param vars        extra template variables that tell outputs of one invocation apart
 */
public record OutputSpec(String suffix, String extension, String contentType, Map<String, String> vars) {

    public OutputSpec {
        suffix = suffix == null ? "" : suffix;
        Objects.requireNonNull(extension, "extension");
        Objects.requireNonNull(contentType, "contentType");
        vars = vars == null ? Map.of() : Map.copyOf(vars);
    }

    public static OutputSpec of(String suffix, String extension, String contentType) {
        return new OutputSpec(suffix, extension, contentType, Map.of());
    }

    /** A copy with one more template variable. */
    public OutputSpec with(String name, Object value) {
        Map<String, String> copy = new LinkedHashMap<>(vars);
        copy.put(name, String.valueOf(value));
        return new OutputSpec(suffix, extension, contentType, copy);
    }
}
