package dev.sluice.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.event.ObjectEvent;
import java.util.List;
import java.util.function.Supplier;

/**
 * When a step runs at all ({@code when:} in the config). Every given criterion must hold. The JSON criterion
 * reads a field of the input, which in a chain is the previous step's JSON result — e.g. run OCR only when
 * {@code pdf-text}'s {@code /pagesWithoutText} is not empty.
 *
 * @param contentTypes input MIME types ({@code image/*} style), empty for any
 * @param minSize      smallest input size in bytes, or {@code null}
 * @param maxSize      largest input size in bytes, or {@code null}
 * @param keyGlob      input key glob, or {@code null}
 * @param jsonPointer  JSON Pointer into the input document (e.g. {@code /pagesWithoutText}), or {@code null}
 * @param jsonEquals   the field's text must equal this, or {@code null}
 * @param jsonNotEmpty the field must be present and not empty/false/zero
 */
public record Condition(List<String> contentTypes, Long minSize, Long maxSize, String keyGlob, String jsonPointer,
                        String jsonEquals, boolean jsonNotEmpty) {

    public Condition {
        contentTypes = contentTypes == null ? List.of() : List.copyOf(contentTypes);
    }

    /** @param json the input parsed as JSON; only asked for when the condition has a JSON criterion */
    public boolean test(ObjectEvent input, Supplier<JsonNode> json) {
        Match location = new Match(null, "", List.of(), keyGlob, contentTypes,
                java.util.Set.of(dev.sluice.core.event.EventType.values()));
        if (!location.matches(input)) {
            return false;
        }
        if ((minSize != null && input.size() < minSize) || (maxSize != null && input.size() > maxSize)) {
            return false;
        }
        if (jsonPointer == null) {
            return true;
        }
        JsonNode field = json.get().at(jsonPointer);
        if (jsonEquals != null && !(field.isValueNode() && field.asText().equals(jsonEquals))) {
            return false;
        }
        return !jsonNotEmpty || notEmpty(field);
    }

    private static boolean notEmpty(JsonNode field) {
        if (field.isMissingNode() || field.isNull()) {
            return false;
        }
        if (field.isContainerNode()) {
            return !field.isEmpty();
        }
        if (field.isBoolean()) {
            return field.asBoolean();
        }
        if (field.isNumber()) {
            return field.asDouble() != 0;
        }
        return !field.asText().isEmpty();
    }
}
