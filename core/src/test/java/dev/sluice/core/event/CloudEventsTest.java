package dev.sluice.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** S3 notifications delivered as CloudEvents (Knative): binary, structured, base64 data, single records, batches. */
class CloudEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] minioPut() throws Exception {
        try (InputStream in = CloudEventsTest.class.getResourceAsStream("/events/minio-put.json")) {
            return in.readAllBytes();
        }
    }

    private static ObjectNode envelope() {
        return JSON.createObjectNode().put("specversion", "1.0").put("type", "com.amazonaws.s3.ObjectCreated")
                .put("source", "minio:s3").put("id", "1");
    }

    private static void assertTheMinioPut(List<ObjectEvent> events) {
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.bucket()).isEqualTo("uploads");
            assertThat(e.key()).isEqualTo("trips/2024/my cat+dog.JPG");
        });
    }

    @Test
    void binaryModeHasTheNotificationAsBody() throws Exception {
        assertTheMinioPut(CloudEvents.parseNotification("application/json", "1.0", minioPut()));
    }

    @Test
    void structuredModeCarriesItInDataOrDataBase64() throws Exception {
        ObjectNode structured = envelope();
        structured.set("data", JSON.readTree(minioPut()));
        assertTheMinioPut(CloudEvents.parseNotification("application/cloudevents+json; charset=utf-8", null,
                JSON.writeValueAsBytes(structured)));

        ObjectNode base64 = envelope().put("data_base64", Base64.getEncoder().encodeToString(minioPut()));
        assertTheMinioPut(CloudEvents.parseNotification("application/cloudevents+json", null,
                JSON.writeValueAsBytes(base64)));
    }

    @Test
    void aSingleRecordAndBatchesAreAccepted() throws Exception {
        ObjectNode record = (ObjectNode) JSON.readTree(minioPut()).path("Records").get(0);
        assertTheMinioPut(CloudEvents.parseNotification("application/json", "1.0", JSON.writeValueAsBytes(record)));

        ArrayNode batch = JSON.createArrayNode();
        batch.add(envelope().set("data", record));
        batch.add(envelope().set("data", record));
        assertThat(CloudEvents.parseNotification("application/cloudevents-batch+json", null,
                JSON.writeValueAsBytes(batch))).hasSize(2);
    }

    @Test
    void plainNotificationsStillWorkAndBrokenEnvelopesAreClearErrors() throws Exception {
        assertTheMinioPut(CloudEvents.parseNotification("application/json", null, minioPut()));
        assertThatThrownBy(() -> CloudEvents.parseNotification("application/cloudevents+json", null,
                "{\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventParseException.class).hasMessageContaining("specversion");
        assertThatThrownBy(() -> CloudEvents.parseNotification("application/cloudevents+json", null,
                JSON.writeValueAsBytes(envelope())))
                .isInstanceOf(EventParseException.class).hasMessageContaining("data");
    }
}
