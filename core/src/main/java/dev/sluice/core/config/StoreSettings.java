package dev.sluice.core.config;

/**
 * An external S3-compatible store (MinIO, Ceph RGW, AWS S3). Absent from the config means "use the
 * embedded server".
 *
 * @param endpoint  e.g. {@code http://127.0.0.1:9000}; {@code null} for AWS's own endpoints
 * @param pathStyle address buckets as {@code host/bucket} (MinIO and most self-hosted stores need this)
 */
public record StoreSettings(String endpoint, String region, String accessKey, String secretKey, boolean pathStyle) {
    @Override
    public String toString() {
        return "StoreSettings[endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey
                + ", pathStyle=" + pathStyle + "]";
    }
}
