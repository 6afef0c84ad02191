package dev.sluice.triggers.amqp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** S3 event notifications as MinIO publishes them to its NATS and AMQP targets (one record per message). */
final class MinioEvents {
    private MinioEvents() {
    }

    static byte[] created(String bucket, String key, long size) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        String json = """
                {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",\
                "eventSource":"minio:s3","awsRegion":"","eventTime":"%4$s","eventName":"s3:ObjectCreated:Put",\
                "userIdentity":{"principalId":"minioadmin"},"requestParameters":{"principalId":"minioadmin",\
                "region":"","sourceIPAddress":"127.0.0.1"},"responseElements":{"x-amz-id-2":"dd9025bab4ad464b",\
                "x-amz-request-id":"17A9C1D2E3F40000","x-minio-deployment-id":"d1f7","x-minio-origin-endpoint":\
                "http://127.0.0.1:9000"},"s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":\
                {"name":"%1$s","ownerIdentity":{"principalId":"minioadmin"},"arn":"arn:aws:s3:::%1$s"},"object":\
                {"key":"%3$s","size":%5$d,"eTag":"0123456789abcdef0123456789abcdef","contentType":\
                "application/octet-stream","userMetadata":{"content-type":"application/octet-stream"},\
                "sequencer":"17A9C1D2E3F40000"}},"source":{"host":"127.0.0.1","port":"","userAgent":"MinIO"}}]}
                """.formatted(bucket, key, encoded, Instant.now(), size);
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
