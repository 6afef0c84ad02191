package dev.sluice.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Sluice's own JSON form of an {@link ObjectEvent}, used in dead letters and run records. */
public final class ObjectEventJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ObjectEventJson() {
    }

    public static ObjectNode toJson(ObjectEvent event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("bucket", event.bucket());
        node.put("key", event.key());
        node.put("size", event.size());
        node.put("eTag", event.eTag());
        node.put("contentType", event.contentType());
        node.put("eventType", event.eventType().name().toLowerCase(java.util.Locale.ROOT));
        node.put("eventName", event.eventName());
        node.put("time", event.time().toString());
        node.put("versionId", event.versionId());
        node.put("sequencer", event.sequencer());
        ObjectNode metadata = node.putObject("userMetadata");
        event.userMetadata().forEach(metadata::put);
        return node;
    }

    public static ObjectEvent fromJson(JsonNode node) {
        Map<String, String> metadata = new LinkedHashMap<>();
        node.path("userMetadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        return new ObjectEvent(
                node.path("bucket").asText(),
                node.path("key").asText(),
                node.path("size").asLong(-1),
                text(node, "eTag"),
                text(node, "contentType"),
                EventType.fromConfig(node.path("eventType").asText("created")),
                text(node, "eventName"),
                node.hasNonNull("time") ? Instant.parse(node.get("time").asText()) : null,
                text(node, "versionId"),
                text(node, "sequencer"),
                metadata);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
