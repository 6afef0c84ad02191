package dev.sluice.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * An S3 request whose path goes on the wire exactly as written (no client-side encoding or
 * normalisation), correctly signed, so tests can send what a hostile client would.
 */
final class SignedRawRequest {
    /** {@code status} is -1 when the server closed the connection without answering (Jetty does, for some bad URIs). */
    record Response(int status, String body) {
    }

    private SignedRawRequest() {
    }

    static Response send(EmbeddedS3Server server, String method, String rawPath, Map<String, String> query,
                         Map<String, String> headers, byte[] body) throws IOException {
        URI endpoint = server.endpoint();
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .protocol(endpoint.getScheme())
                .host(endpoint.getHost())
                .port(endpoint.getPort())
                .encodedPath(rawPath);
        query.forEach(request::putRawQueryParameter);
        headers.forEach(request::putHeader);
        byte[] payload = body == null ? new byte[0] : body;
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                        .identity(AwsCredentialsIdentity.create(server.accessKey(), server.secretKey()))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArray(payload))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true))
                .request();

        HttpURLConnection connection = (HttpURLConnection) signed.getUri().toURL().openConnection();
        try {
            return exchange(connection, method, signed, body, payload);
        } catch (IOException e) {
            return new Response(-1, e.toString());
        } finally {
            connection.disconnect();
        }
    }

    private static Response exchange(HttpURLConnection connection, String method, SdkHttpRequest signed, byte[] body,
                                     byte[] payload) throws IOException {
        connection.setRequestMethod(method);
        for (Map.Entry<String, List<String>> header : signed.headers().entrySet()) {
            if (!header.getKey().equalsIgnoreCase("Host")) {
                connection.setRequestProperty(header.getKey(), String.join(",", header.getValue()));
            }
        }
        if (body != null) {
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(payload.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(payload);
            }
        }
        int status = connection.getResponseCode();
        InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Response(status, text);
    }
}
