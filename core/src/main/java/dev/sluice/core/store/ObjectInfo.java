package dev.sluice.core.store;

import java.time.Instant;
import java.util.Map;

/**
 * What the store says about one object.
 *
 * @param eTag         entity tag without quotes
 * @param userMetadata user metadata, lower-case names without {@code x-amz-meta-}
 */
public record ObjectInfo(String bucket, String key, long size, String eTag, String contentType,
                         Instant lastModified, Map<String, String> userMetadata) {

    public ObjectInfo {
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
        if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
            eTag = eTag.substring(1, eTag.length() - 1);
        }
    }

    public String location() {
        return "s3://" + bucket + "/" + key;
    }
}
