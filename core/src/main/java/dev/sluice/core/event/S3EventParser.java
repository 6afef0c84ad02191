package dev.sluice.core.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses S3 event notification documents into {@link ObjectEvent}s.
 *
 * <p>Accepts the AWS body ({@code {"Records":[...]}}), MinIO's webhook wrapper
 * ({@code {"EventName":..,"Key":..,"Records":[...]}}), and AWS's {@code s3:TestEvent} (which yields no
 * events). Event names may carry the {@code s3:} prefix or not; keys are URL-decoded (both S3 and MinIO
 * form-encode them, {@code +} for a space) unless the source sends them as they are ({@link KeyEncoding#PLAIN});
 * size and eTag may be missing.
 */
public final class S3EventParser {

    /** How a notification writes object keys. */
    public enum KeyEncoding {
        /** Form-encoded ({@code +} for a space, {@code %2B} for a plus): S3 and MinIO's notification targets. */
        FORM_ENCODED,
        /**
         * As they are: MinIO's listen API ({@code ListenBucketNotification}) publishes the object name unescaped,
         * so decoding it would turn a key {@code a+b%41} into {@code a bA}.
         */
        PLAIN
    }

    // A body with anything after the document ({...} garbage) is malformed, not a valid event.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String META_PREFIX = "x-amz-meta-";

    private S3EventParser() {
    }

    public static List<ObjectEvent> parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new EventParseException("Empty notification body: expected an S3 event JSON document with \"Records\".");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new EventParseException("Notification body is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new EventParseException("Notification body could not be read: " + e.getMessage(), e);
        }
        return parse(root);
    }

    public static List<ObjectEvent> parse(String body) {
        return parse(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    public static List<ObjectEvent> parse(JsonNode root) {
        return parse(root, KeyEncoding.FORM_ENCODED);
    }

    /** Parses a notification whose keys are written as {@code keys} says. */
    public static List<ObjectEvent> parse(JsonNode root, KeyEncoding keys) {
        if (root == null || !root.isObject()) {
            throw new EventParseException("Notification must be a JSON object with a \"Records\" array.");
        }
        if (root.has("Event") && root.path("Event").asText().endsWith("TestEvent")) {
            return List.of();
        }
        JsonNode records = root.get("Records");
        if (records == null || !records.isArray()) {
            throw new EventParseException(
                    "Notification has no \"Records\" array; is this an S3 or MinIO event notification?");
        }
        List<ObjectEvent> events = new ArrayList<>(records.size());
        int index = 0;
        for (JsonNode record : records) {
            events.add(parseRecord(record, index++, keys));
        }
        return events;
    }

    private static ObjectEvent parseRecord(JsonNode record, int index, KeyEncoding keys) {
        JsonNode s3 = record.path("s3");
        String bucket = text(s3.path("bucket").path("name"));
        String rawKey = text(s3.path("object").path("key"));
        if (bucket == null || rawKey == null) {
            throw new EventParseException("Record " + index + " lacks s3.bucket.name or s3.object.key.");
        }
        JsonNode object = s3.path("object");
        String eventName = EventType.stripS3Prefix(text(record.path("eventName")));
        long size = object.path("size").isNumber() ? object.path("size").asLong() : -1L;
        Map<String, String> metadata = userMetadata(object.path("userMetadata"));
        String contentType = text(object.path("contentType"));
        if (contentType == null) {
            contentType = metadata.remove("content-type");
        } else {
            metadata.remove("content-type");
        }
        return new ObjectEvent(
                bucket,
                keys == KeyEncoding.PLAIN ? rawKey : decodeKey(rawKey),
                size,
                text(object.path("eTag")),
                contentType,
                EventType.fromEventName(eventName),
                eventName,
                time(text(record.path("eventTime"))),
                text(object.path("versionId")),
                text(object.path("sequencer")),
                metadata);
    }

    /** S3 and MinIO send keys form-encoded: {@code +} is a space, {@code %2B} a plus. */
    static String decodeKey(String rawKey) {
        try {
            return URLDecoder.decode(rawKey, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new EventParseException("Object key is not valid URL encoding: " + rawKey, e);
        }
    }

    private static Map<String, String> userMetadata(JsonNode node) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String name = field.getKey().toLowerCase(Locale.ROOT);
                if (name.startsWith(META_PREFIX)) {
                    name = name.substring(META_PREFIX.length());
                }
                metadata.put(name, field.getValue().asText());
            }
        }
        return metadata;
    }

    private static Instant time(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null; // tolerated: the event still names an object worth processing
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() || node.asText().isEmpty() ? null : node.asText();
    }
}
