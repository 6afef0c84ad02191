package dev.sluice.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectEventTest {

    @Test
    void jsonRoundTripKeepsEveryField() {
        ObjectEvent event = new ObjectEvent("uploads", "trips/Ärger 1.jpg", 42, "\"abc\"", "image/jpeg",
                EventType.CREATED, "ObjectCreated:Put", Instant.parse("2024-05-14T09:21:43.517Z"), "v1", "00AB",
                Map.of("sluice-depth", "1", "camera", "X100V"));

        ObjectNode json = ObjectEventJson.toJson(event);
        assertThat(json.get("eTag").asText()).isEqualTo("abc");
        assertThat(json.get("eventType").asText()).isEqualTo("created");
        assertThat(ObjectEventJson.fromJson(json)).isEqualTo(event);
    }

    @Test
    void jsonRoundTripWithUnknowns() {
        ObjectEvent event = new ObjectEvent("b", "k", -1, null, null, EventType.REMOVED, null,
                Instant.parse("2024-01-01T00:00:00Z"), null, null, null);

        ObjectEvent back = ObjectEventJson.fromJson(ObjectEventJson.toJson(event));
        assertThat(back).isEqualTo(event);
        assertThat(back.eTag()).isNull();
        assertThat(back.contentType()).isNull();
        assertThat(back.eventName()).isEmpty();
        assertThat(back.userMetadata()).isEmpty();
    }

    @Test
    void recordIsImmutableAndChecksRequiredFields() {
        Map<String, String> metadata = new HashMap<>(Map.of("a", "1"));
        ObjectEvent event = new ObjectEvent("b", "k", 1, "e", null, EventType.CREATED, "x", null, null, null, metadata);
        metadata.put("b", "2");

        assertThat(event.userMetadata()).containsOnlyKeys("a");
        assertThat(event.time()).isNotNull();
        assertThatThrownBy(() -> new ObjectEvent(null, "k", 1, null, null, EventType.CREATED, null, null, null, null,
                null)).isInstanceOf(NullPointerException.class).hasMessageContaining("bucket");
        assertThatThrownBy(() -> new ObjectEvent("b", null, 1, null, null, EventType.CREATED, null, null, null, null,
                null)).isInstanceOf(NullPointerException.class).hasMessageContaining("key");
    }

    @Test
    void withObjectInfoReplacesWhatAHeadReturns() {
        ObjectEvent event = ObjectEvent.created("b", "k", -1, null, null)
                .withObjectInfo(10, "\"e2\"", "image/png", Map.of("sluice-step", "p%2Fs"));

        assertThat(event.size()).isEqualTo(10);
        assertThat(event.eTag()).isEqualTo("e2");
        assertThat(event.contentType()).isEqualTo("image/png");
        assertThat(event.userMetadata()).containsEntry("sluice-step", "p%2Fs");
        assertThat(event.eventType()).isEqualTo(EventType.CREATED);
    }

    @Test
    void eventTypesFromConfig() {
        assertThat(EventType.fromConfig(" Created ")).isEqualTo(EventType.CREATED);
        assertThat(EventType.fromConfig("removed")).isEqualTo(EventType.REMOVED);
        assertThatThrownBy(() -> EventType.fromConfig("updated")).isInstanceOf(IllegalArgumentException.class);
        assertThat(EventType.fromEventName(null)).isEqualTo(EventType.OTHER);
    }
}
