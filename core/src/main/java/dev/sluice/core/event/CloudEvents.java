package dev.sluice.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads S3 notifications that arrive as CloudEvents over HTTP (what a Knative Broker/Trigger delivers): binary
 * mode (the {@code ce-*} attributes in headers, the S3 notification as the body), structured mode
 * ({@code application/cloudevents+json}, the notification in {@code data} or {@code data_base64}) and batches
 * ({@code application/cloudevents-batch+json}). The data may be a whole notification ({@code {"Records":[..]}})
 * or a single record. Anything else is parsed as a plain S3/MinIO notification.
 */
public final class CloudEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudEvents() {
    }

    /**
     * @param contentType       the request's Content-Type, or {@code null}
     * @param ceSpecVersion     the {@code ce-specversion} header (binary mode), or {@code null}
     */
    public static List<ObjectEvent> parseNotification(String contentType, String ceSpecVersion, byte[] body) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("application/cloudevents-batch+json")) {
            List<ObjectEvent> events = new ArrayList<>();
            JsonNode batch = read(body);
            if (!batch.isArray()) {
                throw new EventParseException("A CloudEvents batch must be a JSON array of events.");
            }
            for (JsonNode envelope : batch) {
                events.addAll(fromEnvelope(envelope));
            }
            return events;
        }
        if (type.startsWith("application/cloudevents+json")) {
            return fromEnvelope(read(body));
        }
        if (ceSpecVersion != null) {
            return fromData(read(body));
        }
        return S3EventParser.parse(body);
    }

    private static List<ObjectEvent> fromEnvelope(JsonNode envelope) {
        if (!envelope.isObject() || !envelope.hasNonNull("specversion")) {
            throw new EventParseException("A structured CloudEvent needs 'specversion' (and the S3 notification in "
                    + "'data').");
        }
        if (envelope.hasNonNull("data")) {
            JsonNode data = envelope.get("data");
            return fromData(data.isTextual() ? read(data.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)) : data);
        }
        if (envelope.hasNonNull("data_base64")) {
            try {
                return fromData(read(Base64.getDecoder().decode(envelope.get("data_base64").asText())));
            } catch (IllegalArgumentException e) {
                throw new EventParseException("CloudEvent data_base64 is not valid base64.", e);
            }
        }
        throw new EventParseException("The CloudEvent has no 'data' holding an S3 notification.");
    }

    /** A whole notification, or a single record as some sources send it. */
    private static List<ObjectEvent> fromData(JsonNode data) {
        if (data.isObject() && data.has("s3") && !data.has("Records")) {
            ObjectNode wrapped = JSON.createObjectNode();
            wrapped.putArray("Records").add(data);
            return S3EventParser.parse(wrapped);
        }
        return S3EventParser.parse(data);
    }

    private static JsonNode read(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null) {
                throw new EventParseException("Empty CloudEvent body.");
            }
            return node;
        } catch (IOException e) {
            throw new EventParseException("CloudEvent body is not valid JSON: " + e.getMessage(), e);
        }
    }
}
