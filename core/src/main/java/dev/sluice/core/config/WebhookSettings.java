package dev.sluice.core.config;

/**
 * The HTTP endpoint that takes MinIO/S3 notification POSTs.
 *
 * @param token bearer token the store sends (MinIO's {@code auth_token}); {@code null} accepts any caller,
 *              which is only sensible on a private network
 */
public record WebhookSettings(String host, int port, String path, String token) {
    @Override
    public String toString() {
        return "WebhookSettings[host=" + host + ", port=" + port + ", path=" + path + ", token="
                + (token == null ? "none" : "***") + "]";
    }
}
