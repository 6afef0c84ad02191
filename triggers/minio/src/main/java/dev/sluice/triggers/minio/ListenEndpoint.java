package dev.sluice.triggers.minio;

import dev.sluice.core.event.EventType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Where MinIO listens and how to sign for it: builds the {@code ListenBucketNotification} request, a GET on the
 * bucket with {@code events}, {@code prefix}, {@code suffix} and {@code ping}, signed with AWS Signature V4 (the
 * SDK's signer) like every other S3 request.
 *
 * @param endpoint    MinIO's S3 endpoint, e.g. {@code http://127.0.0.1:9000}
 * @param region      signing region; MinIO accepts {@code us-east-1} unless it was given another
 * @param pathStyle   address the bucket as {@code host/bucket} (MinIO's default) instead of {@code bucket.host}
 * @param credentials asked at every (re)connect, so rotated credentials are picked up
 */
public record ListenEndpoint(URI endpoint, String region, boolean pathStyle,
                             Supplier<? extends AwsCredentialsIdentity> credentials) {
    private static final String DEFAULT_REGION = "us-east-1";
    /** SHA-256 of nothing: the listen request has no body. */
    private static final String EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public ListenEndpoint {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(credentials, "credentials");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
            throw new IllegalArgumentException("MinIO's endpoint must be an http(s) URL such as http://127.0.0.1:9000,"
                    + " not " + endpoint);
        }
        region = region == null || region.isBlank() ? DEFAULT_REGION : region.trim();
    }

    /** An endpoint signed with fixed keys. */
    public static ListenEndpoint of(URI endpoint, String region, boolean pathStyle, String accessKey,
                                    String secretKey) {
        AwsCredentialsIdentity keys = AwsCredentialsIdentity.create(accessKey, secretKey);
        return new ListenEndpoint(endpoint, region, pathStyle, () -> keys);
    }

    /** {@code s3:ObjectCreated:*} and {@code s3:ObjectRemoved:*}, as MinIO names them. */
    static List<String> eventNames(Set<EventType> events) {
        List<String> names = new ArrayList<>();
        if (events.contains(EventType.CREATED)) {
            names.add("s3:ObjectCreated:*");
        }
        if (events.contains(EventType.REMOVED)) {
            names.add("s3:ObjectRemoved:*");
        }
        return names;
    }

    /**
     * The signed listen request for one bucket.
     *
     * @param ping          seconds between MinIO's keep-alive records ({@code {"Records":null}})
     * @param headerTimeout how long to wait for the response headers; MinIO sends them with its first write, at
     *                      the latest with the first keep-alive
     */
    HttpRequest listen(String bucket, String prefix, Set<EventType> events, int ping, Duration headerTimeout) {
        String basePath = endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replaceAll("/+$", "");
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol(endpoint.getScheme().toLowerCase(Locale.ROOT))
                .host(pathStyle ? endpoint.getHost() : bucket + "." + endpoint.getHost())
                .port(endpoint.getPort() < 0 ? null : endpoint.getPort())
                .encodedPath(pathStyle ? basePath + "/" + bucket : basePath + "/")
                .putRawQueryParameter("events", eventNames(events))
                .putRawQueryParameter("prefix", prefix)
                .putRawQueryParameter("suffix", "")
                .putRawQueryParameter("ping", String.valueOf(ping))
                .putHeader("x-amz-content-sha256", EMPTY_BODY_SHA256);
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                        .identity(credentials.get())
                        .request(request.build())
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false))
                .request();
        HttpRequest.Builder http = HttpRequest.newBuilder(signed.getUri()).GET().timeout(headerTimeout);
        for (Map.Entry<String, List<String>> header : signed.headers().entrySet()) {
            // java.net.http sets Host itself, from the same URI the signature covers
            if (!header.getKey().equalsIgnoreCase("Host")) {
                header.getValue().forEach(value -> http.header(header.getKey(), value));
            }
        }
        return http.build();
    }

    @Override
    public String toString() {
        return "ListenEndpoint[" + endpoint + ", region=" + region + ", pathStyle=" + pathStyle + "]";
    }
}
