package dev.sluice.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Notification bodies exactly as MinIO sends them (the recorded {@code /events/minio-put.json}), naming another
 * object: for tests that publish events to webhooks and brokers. Shared through the core test-jar.
 */
public final class MinioEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MinioEvents() {
    }

    /** A put of {@code bucket/key} with {@code size} bytes; no eTag, since receivers look the object up. */
    public static byte[] created(String bucket, String key, long size) {
        try (InputStream in = MinioEvents.class.getResourceAsStream("/events/minio-put.json")) {
            JsonNode event = JSON.readTree(in);
            ((ObjectNode) event).put("Key", bucket + "/" + key);
            ObjectNode s3 = (ObjectNode) event.path("Records").get(0).path("s3");
            ((ObjectNode) s3.path("bucket")).put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
            ObjectNode object = (ObjectNode) s3.path("object");
            object.put("key", URLEncoder.encode(key, StandardCharsets.UTF_8)).put("size", size)
                    .put("contentType", "application/octet-stream");
            object.remove("eTag");
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException("The recorded MinIO event /events/minio-put.json is unreadable", e);
        }
    }

    /** One notification whose Records hold those of all the given ones, as S3 batches several events. */
    public static byte[] combined(byte[]... notifications) {
        try {
            ObjectNode combined = JSON.createObjectNode();
            ArrayNode records = combined.putArray("Records");
            for (byte[] notification : notifications) {
                JSON.readTree(notification).path("Records").forEach(records::add);
            }
            return JSON.writeValueAsBytes(combined);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
