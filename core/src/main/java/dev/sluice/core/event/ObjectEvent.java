package dev.sluice.core.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Something happened to one object in a bucket. The same record whatever the trigger: S3 and MinIO
 * notifications, CloudEvents, polling and the embedded server all produce it.
 *
 * @param bucket       bucket name
 * @param key          object key, already URL-decoded
 * @param size         size in bytes, or {@code -1} when the notification did not say
 * @param eTag         entity tag without quotes, or {@code null} when unknown
 * @param contentType  MIME type, or {@code null} when unknown
 * @param eventType    created, removed or other
 * @param eventName    the notification's own name without the {@code s3:} prefix, e.g. {@code ObjectCreated:Put}
 * @param time         when it happened (the notification's time, or when Sluice saw it)
 * @param versionId    object version, or {@code null}
 * @param sequencer    ordering token from the store, or {@code null}
 * @param userMetadata user metadata with lower-case names and without the {@code x-amz-meta-} prefix
 */
public record ObjectEvent(
        String bucket,
        String key,
        long size,
        String eTag,
        String contentType,
        EventType eventType,
        String eventName,
        Instant time,
        String versionId,
        String sequencer,
        Map<String, String> userMetadata) {

    public ObjectEvent {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(eventType, "eventType");
        eventName = eventName == null ? "" : eventName;
        time = time == null ? Instant.now() : time;
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
        eTag = normalizeETag(eTag);
    }

    /** A created event with only what a caller usually knows. */
    public static ObjectEvent created(String bucket, String key, long size, String eTag, String contentType) {
        return new ObjectEvent(bucket, key, size, eTag, contentType, EventType.CREATED, "ObjectCreated:Put",
                Instant.now(), null, null, Map.of());
    }

    public boolean hasSize() {
        return size >= 0;
    }

    /** {@code s3://bucket/key}, for logs and messages. */
    public String location() {
        return "s3://" + bucket + "/" + key;
    }

    /** The same event with what a HEAD of the object returned. */
    public ObjectEvent withObjectInfo(long size, String eTag, String contentType, Map<String, String> userMetadata) {
        return new ObjectEvent(bucket, key, size, eTag, contentType, eventType, eventName, time, versionId,
                sequencer, userMetadata);
    }

    static String normalizeETag(String eTag) {
        if (eTag == null || eTag.isBlank()) {
            return null;
        }
        String trimmed = eTag.trim();
        if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        return trimmed;
    }
}
