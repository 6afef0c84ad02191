package dev.sluice.core.event;

import java.util.Locale;

/** What happened to an object. Notification event names are mapped onto these. */
public enum EventType {
    CREATED,
    REMOVED,
    OTHER;

    /** Maps an S3/MinIO event name ({@code s3:ObjectCreated:Put}, {@code ObjectRemoved:Delete}, ...). */
    public static EventType fromEventName(String eventName) {
        String name = stripS3Prefix(eventName);
        if (name.startsWith("ObjectCreated")) {
            return CREATED;
        }
        if (name.startsWith("ObjectRemoved")) {
            return REMOVED;
        }
        return OTHER;
    }

    /** Parses a config value such as {@code created} or {@code removed}. */
    public static EventType fromConfig(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    static String stripS3Prefix(String eventName) {
        if (eventName == null) {
            return "";
        }
        return eventName.startsWith("s3:") ? eventName.substring(3) : eventName;
    }
}
