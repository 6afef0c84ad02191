package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.storage.EmbeddedS3Server;
import dev.sluice.storage.S3ObjectStore;
import dev.sluice.triggers.WebhookTrigger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Pointing Sluice at an existing store with a webhook notification target": an S3 server Sluice does not own
 * (here a separate embedded server standing in for MinIO) and MinIO's notification body POSTed to the webhook.
 */
class WebhookEndToEndTest {
    static final Path CORPORA = ThumbnailEndToEndContract.CORPORA;
    static final String TOKEN = "webhook-test-token";

    @TempDir
    static Path dir;
    static EmbeddedS3Server externalStore;
    static S3ObjectStore uploader;
    static SluiceServer sluice;
    static FunctionRegistry functions;
    static URI webhook;

    @BeforeAll
    static void start() throws Exception {
        externalStore = EmbeddedS3Server.builder().dataDir(dir.resolve("minio")).port(0)
                .credentials("minio-user", "minio-password")
                .buckets(java.util.List.of("uploads", "thumbnails", "sluice-dead-letters", "sluice-state")).build();
        externalStore.start();
        uploader = S3ObjectStore.forEmbedded(externalStore);
        SluiceConfig config = new ConfigLoader(k -> null).parse("""
                store: { endpoint: "%s", accessKey: minio-user, secretKey: minio-password, pathStyle: true }
                webhook: { host: 127.0.0.1, port: 0, path: /events, token: %s }
                pipelines:
                  - name: thumbnails
                    match: { bucket: uploads, suffix: [.jpg] }
                    steps:
                      - function: thumbnail
                        params: { width: "256" }
                        output: s3://thumbnails/{dir}/{name}-{width}.{ext}
                """.formatted(externalStore.endpoint(), TOKEN), dir);
        functions = FunctionRegistry.loadDefault();
        sluice = SluiceServer.start(config, functions, new SimpleMeterRegistry(), null, null);
        int port = sluice.triggers().stream().filter(t -> t instanceof WebhookTrigger)
                .map(t -> ((WebhookTrigger) t).port()).findFirst().orElseThrow();
        webhook = URI.create("http://127.0.0.1:" + port + "/events");
    }

    @AfterAll
    static void stop() throws Exception {
        ThumbnailEndToEndContract.closeAll(sluice, functions, uploader, externalStore);
    }

    private static HttpResponse<String> post(String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(webhook).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String minioPutEvent() throws Exception {
        try (InputStream in = WebhookEndToEndTest.class.getResourceAsStream("/events/minio-put.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void minioNotificationLeadsToThumbnailsAndIsAnsweredWhenDone() throws Exception {
        // The event names uploads/trips/2024/my cat+dog.JPG (form-encoded in the body).
        uploader.put("uploads", "trips/2024/my cat+dog.JPG", CORPORA.resolve("exif-orientation/hopper.jpg"),
                "image/jpeg", Map.of());

        HttpResponse<String> response = post(minioPutEvent(), TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        // 200 comes only after the steps settled, so the output is already there.
        assertThat(uploader.head("thumbnails", "trips/2024/my cat+dog-256.jpg")).isPresent();
    }

    @Test
    void wrongTokenIsRejectedAndNothingRuns() throws Exception {
        uploader.put("uploads", "trips/2024/my cat+dog.JPG", Files.readAllBytes(
                CORPORA.resolve("exif-orientation/hopper.jpg")), "image/jpeg", Map.of());
        assertThat(post(minioPutEvent(), "not-the-token").statusCode()).isEqualTo(401);
        assertThat(post(minioPutEvent(), null).statusCode()).isEqualTo(401);
    }

    @Test
    void malformedBodyIsABadRequestAndTheNextEventStillRuns() throws Exception {
        assertThat(post("{\"Records\": [", TOKEN).statusCode()).isEqualTo(400);
        uploader.put("uploads", "trips/2024/my cat+dog.JPG", CORPORA.resolve("exif-orientation/hopper.jpg"),
                "image/jpeg", Map.of());
        assertThat(post(minioPutEvent(), TOKEN).statusCode()).isEqualTo(200);
    }
}
