package dev.sluice.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.ConfigException;
import dev.sluice.core.config.WebhookSettings;
import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookTriggerTest {
    private static final String TOKEN = "s3cr3t-webhook-token";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // what MinIO's Go client speaks to an http:// endpoint
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private WebhookTrigger trigger;
    private RecordingSink sink;

    @AfterEach
    void stop() {
        if (trigger != null) {
            trigger.close();
        }
    }

    private void start(String token, WebhookTrigger.Limits limits, RecordingSink.Mode mode) throws Exception {
        sink = new RecordingSink(mode);
        trigger = new WebhookTrigger(new WebhookSettings("127.0.0.1", 0, "/events", token), limits);
        trigger.start(sink);
    }

    private void start() throws Exception {
        start(TOKEN, WebhookTrigger.Limits.DEFAULT, RecordingSink.Mode.ACK);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + trigger.port() + path);
    }

    private HttpRequest.Builder post(byte[] body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    private HttpResponse<String> send(byte[] body, String authorization) throws Exception {
        return HTTP.send(post(body, authorization).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> sendWithToken(byte[] body) throws Exception {
        return send(body, "Bearer " + TOKEN);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WebhookTriggerTest.class.getResourceAsStream("/events/" + name)) {
            assertThat(in).as("test resource events/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void minioPutWithEncodedKeyReachesTheSinkDecoded() throws Exception {
        start();

        HttpResponse<String> response = sendWithToken(resource("minio-put-encoded-key.json"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(sink.events()).singleElement().satisfies(event -> {
            assertThat(event.bucket()).isEqualTo("uploads");
            assertThat(event.key()).isEqualTo("photos/2024 summer/beach+sunset ü.jpg");
            assertThat(event.eventType()).isEqualTo(EventType.CREATED);
            assertThat(event.eventName()).isEqualTo("ObjectCreated:Put");
            assertThat(event.size()).isEqualTo(2_483_221L);
            assertThat(event.eTag()).isEqualTo("5d41402abc4b2a76b9719d911017c592");
            assertThat(event.contentType()).isEqualTo("image/jpeg");
            assertThat(event.userMetadata()).containsEntry("camera", "X100V");
            assertThat(event.sequencer()).isEqualTo("17DABD32C5F0A1D4");
        });
    }

    @Test
    void cloudEventsInBinaryAndStructuredModeAreAccepted() throws Exception {
        start();
        byte[] notification = resource("minio-put-encoded-key.json");
        HttpResponse<String> binary = HTTP.send(HttpRequest.newBuilder(uri("/events"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .header("ce-specversion", "1.0").header("ce-type", "com.amazonaws.s3.ObjectCreated")
                .header("ce-source", "minio").header("ce-id", "42")
                .POST(HttpRequest.BodyPublishers.ofByteArray(notification)).build(), HttpResponse.BodyHandlers.ofString());
        String structuredBody = "{\"specversion\":\"1.0\",\"type\":\"com.amazonaws.s3.ObjectCreated\","
                + "\"source\":\"minio\",\"id\":\"43\",\"data\":" + new String(notification, java.nio.charset.StandardCharsets.UTF_8) + "}";
        HttpResponse<String> structured = HTTP.send(HttpRequest.newBuilder(uri("/events"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(structuredBody)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(binary.statusCode()).as(binary.body()).isEqualTo(200);
        assertThat(structured.statusCode()).as(structured.body()).isEqualTo(200);
        assertThat(sink.events()).hasSize(2).allSatisfy(event ->
                assertThat(event.key()).isEqualTo("photos/2024 summer/beach+sunset ü.jpg"));
    }

    @Test
    void minioMultipartDeleteAndEmptyObjectNotifications() throws Exception {
        start();

        assertThat(sendWithToken(resource("minio-complete-multipart.json")).statusCode()).isEqualTo(200);
        assertThat(sendWithToken(resource("minio-delete.json")).statusCode()).isEqualTo(200);
        assertThat(sendWithToken(resource("minio-put-empty-object.json")).statusCode()).isEqualTo(200);

        assertThat(sink.events()).hasSize(3);
        ObjectEvent multipart = sink.events().get(0);
        assertThat(multipart.key()).isEqualTo("videos/keynote.mp4");
        assertThat(multipart.eventName()).isEqualTo("ObjectCreated:CompleteMultipartUpload");
        assertThat(multipart.eTag()).isEqualTo("a3b6c2f1e8d94b7f0c1d2e3f4a5b6c7d-3");
        assertThat(multipart.versionId()).isEqualTo("0c8a2f5e-6b1d-4e7a-9c3b-1f2e3d4c5b6a");

        ObjectEvent delete = sink.events().get(1);
        assertThat(delete.key()).isEqualTo("photos/old draft.png");
        assertThat(delete.eventType()).isEqualTo(EventType.REMOVED);
        assertThat(delete.hasSize()).isFalse();
        assertThat(delete.eTag()).isNull();

        ObjectEvent empty = sink.events().get(2); // MinIO omits "size" when it is 0
        assertThat(empty.key()).isEqualTo("markers/_SUCCESS");
        assertThat(empty.hasSize()).isFalse();
        assertThat(empty.eTag()).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
    }

    @Test
    void awsNotificationWithTwoRecordsAndUnprefixedNames() throws Exception {
        start();

        HttpResponse<String> response = sendWithToken(resource("aws-put-two-records.json"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(sink.keys()).containsExactly("reports/Q1 2024/summary+draft €.pdf", "images/IMG_0042.HEIC");
        assertThat(sink.events()).extracting(ObjectEvent::eventName)
                .containsExactly("ObjectCreated:Put", "ObjectCreated:Copy");
        assertThat(sink.events()).extracting(ObjectEvent::contentType).containsOnlyNulls();
        assertThat(sink.events().get(1).versionId()).isEqualTo("096fKKXTRTtl3on89fVO.nfljtsv6qko");

        assertThat(sendWithToken(resource("aws-delete.json")).statusCode()).isEqualTo(200);
        assertThat(sink.events().get(2).key()).isEqualTo("tmp/scan 001.tiff");
        assertThat(sink.events().get(2).eventType()).isEqualTo(EventType.REMOVED);
    }

    @Test
    void testEventIsAnsweredWithoutEvents() throws Exception {
        start();

        HttpResponse<String> response = sendWithToken(resource("aws-test-event.json"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(sink.deliveries()).isEmpty();
    }

    @Test
    void wrongOrMissingTokenIsRejectedAndNothingReachesTheSink() throws Exception {
        start();
        byte[] body = resource("minio-put-encoded-key.json");

        HttpResponse<String> wrong = send(body, "Bearer not-the-token");
        HttpResponse<String> missing = send(body, null);
        HttpResponse<String> otherScheme = send(body, "Basic " + TOKEN);
        HttpResponse<String> prefixOfToken = send(body, "Bearer " + TOKEN.substring(0, 5));

        for (HttpResponse<String> response : new HttpResponse[] {wrong, missing, otherScheme, prefixOfToken}) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Bearer"));
        }
        assertThat(wrong.body()).contains("auth_token");
        assertThat(sink.deliveries()).isEmpty();
    }

    @Test
    void tokenSchemeIsCaseInsensitive() throws Exception {
        start();

        HttpResponse<String> response = send(resource("minio-delete.json"), "bearer " + TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(sink.deliveries()).hasSize(1);
    }

    @Test
    void withoutConfiguredTokenAnyCallerIsAccepted() throws Exception {
        start(null, WebhookTrigger.Limits.DEFAULT, RecordingSink.Mode.ACK);

        assertThat(send(resource("minio-delete.json"), null).statusCode()).isEqualTo(200);
        assertThat(sink.deliveries()).hasSize(1);
    }

    @Test
    void blankTokenIsAConfigurationError() {
        assertThatThrownBy(() -> new WebhookTrigger(new WebhookSettings("127.0.0.1", 0, "/events", " ")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("webhook.token");
    }

    @Test
    void malformedJsonIs400AndTheNextValidPostStillWorks() throws Exception {
        start();

        HttpResponse<String> malformed = sendWithToken("{\"Records\": [ {\"s3\": ".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> notJson = sendWithToken("EventName=s3:ObjectCreated:Put".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> empty = sendWithToken(new byte[0]);
        HttpResponse<String> notAnEvent = sendWithToken(resource("not-an-event.json"));
        HttpResponse<String> valid = sendWithToken(resource("minio-put-encoded-key.json"));

        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("not valid JSON");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(notAnEvent.statusCode()).isEqualTo(400);
        assertThat(notAnEvent.body()).contains("Records");
        assertThat(valid.statusCode()).isEqualTo(200);
        assertThat(sink.keys()).containsExactly("photos/2024 summer/beach+sunset ü.jpg");
    }

    @Test
    void nackIs503SoThatTheStoreRetries() throws Exception {
        start(TOKEN, WebhookTrigger.Limits.DEFAULT, RecordingSink.Mode.NACK);

        HttpResponse<String> response = sendWithToken(resource("aws-put-two-records.json"));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("the test said no");
    }

    @Test
    void answersOnlyOnceEveryEventIsAcknowledged() throws Exception {
        start(TOKEN, WebhookTrigger.Limits.DEFAULT, RecordingSink.Mode.HOLD);

        CompletableFuture<HttpResponse<String>> response = HTTP.sendAsync(
                post(resource("aws-put-two-records.json"), "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.deliveries().size() == 2);
        sink.deliveries().get(0).ack().ack();
        assertThat(response).isNotDone();
        sink.deliveries().get(1).ack().ack();

        assertThat(response.get().statusCode()).isEqualTo(200);
    }

    @Test
    void oneNackAmongAcksIs503() throws Exception {
        start(TOKEN, WebhookTrigger.Limits.DEFAULT, RecordingSink.Mode.HOLD);

        CompletableFuture<HttpResponse<String>> response = HTTP.sendAsync(
                post(resource("aws-put-two-records.json"), "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.deliveries().size() == 2);
        sink.deliveries().get(0).ack().ack();
        sink.deliveries().get(1).ack().nack("thumbnail failed and the dead letter could not be written");

        assertThat(response.get().statusCode()).isEqualTo(503);
    }

    @Test
    void stillProcessingAfterTheMaximumWaitIs202() throws Exception {
        start(TOKEN, new WebhookTrigger.Limits(Duration.ofMillis(200), 1024 * 1024), RecordingSink.Mode.HOLD);

        HttpResponse<String> response = sendWithToken(resource("minio-put-encoded-key.json"));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(sink.deliveries()).hasSize(1);
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        start(TOKEN, new WebhookTrigger.Limits(Duration.ofMinutes(1), 16 * 1024), RecordingSink.Mode.ACK);
        byte[] big = new byte[100 * 1024];
        Arrays.fill(big, (byte) ' ');

        HttpResponse<String> response = sendWithToken(big);
        HttpResponse<String> next = sendWithToken(resource("minio-delete.json"));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(sink.deliveries()).hasSize(1);
    }

    @Test
    void defaultLimitRejectsTwoMebibytes() throws Exception {
        start();
        byte[] big = new byte[2 * 1024 * 1024];
        Arrays.fill(big, (byte) ' ');

        assertThat(sendWithToken(big).statusCode()).isEqualTo(413);
        assertThat(sink.deliveries()).isEmpty();
    }

    @Test
    void healthOtherMethodsAndOtherPaths() throws Exception {
        start();

        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(uri("/healthz")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> getEvents = HTTP.send(HttpRequest.newBuilder(uri("/events")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> putEvents = HTTP.send(HttpRequest.newBuilder(uri("/events"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> elsewhere = HTTP.send(HttpRequest.newBuilder(uri("/other"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(resource("minio-delete.json"))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<Void> probe = HTTP.send(HttpRequest.newBuilder(uri("/events"))
                .header("Authorization", "Bearer " + TOKEN)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> trailingSlash = HTTP.send(post(resource("minio-delete.json"), "Bearer " + TOKEN)
                .uri(uri("/events/")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("ok");
        assertThat(getEvents.statusCode()).isEqualTo(405);
        assertThat(getEvents.headers().firstValue("Allow")).hasValue("POST, HEAD");
        assertThat(putEvents.statusCode()).isEqualTo(405);
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        assertThat(probe.statusCode()).isEqualTo(200); // MinIO's liveness probe of the endpoint
        assertThat(trailingSlash.statusCode()).isEqualTo(200);
        assertThat(sink.deliveries()).hasSize(1);
    }

    @Test
    void closeAnswersWaitingRequestsWith503() throws Exception {
        start(TOKEN, WebhookTrigger.Limits.DEFAULT, RecordingSink.Mode.HOLD);
        CompletableFuture<HttpResponse<String>> response = HTTP.sendAsync(
                post(resource("minio-put-encoded-key.json"), "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.deliveries().size() == 1);

        trigger.close();

        assertThat(response.get().statusCode()).isEqualTo(503);
    }

    @Test
    void tokenComparison() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8));

        assertThat(WebhookTrigger.authorized("Bearer " + TOKEN, digest)).isTrue();
        assertThat(WebhookTrigger.authorized("  BEARER   " + TOKEN + " ", digest)).isTrue();
        assertThat(WebhookTrigger.authorized("Bearer " + TOKEN + "x", digest)).isFalse();
        assertThat(WebhookTrigger.authorized("Bearer", digest)).isFalse();
        assertThat(WebhookTrigger.authorized(TOKEN, digest)).isFalse();
        assertThat(WebhookTrigger.authorized(null, digest)).isFalse();
        assertThat(WebhookTrigger.authorized(null, null)).isTrue();
    }

    @Test
    void portInUseIsAClearError() throws Exception {
        start();
        WebhookTrigger second = new WebhookTrigger(new WebhookSettings("127.0.0.1", trigger.port(), "/events", TOKEN));

        assertThatThrownBy(() -> second.start(new RecordingSink(RecordingSink.Mode.ACK)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(String.valueOf(trigger.port()))
                .hasMessageContaining("webhook.port");
        second.close();
    }

    /**
     * A refused request whose body the server did not read leaves the connection in an unknown state, so the answer
     * must say {@code Connection: close}. Without it a keep-alive client sent its next request down a connection
     * the server was closing, and got no answer at all.
     */
    @Test
    void refusalsOfUnreadBodiesCloseTheConnection() throws Exception {
        start();
        String auth = "Authorization: Bearer " + TOKEN + "\r\n";

        assertThat(answer("PUT /events", auth, false)).startsWith("HTTP/1.1 405").contains(CLOSES).doesNotEndWith(STAYS_OPEN);
        assertThat(answer("POST /other", auth, false)).startsWith("HTTP/1.1 404").contains(CLOSES).doesNotEndWith(STAYS_OPEN);
        assertThat(answer("POST /events", "", false)).startsWith("HTTP/1.1 401").contains(CLOSES).doesNotEndWith(STAYS_OPEN);
        // bodies the server read leave the connection open for the next request
        assertThat(answer("POST /events", auth, true)).startsWith("HTTP/1.1 400").doesNotContain(CLOSES)
                .endsWith(STAYS_OPEN);
        assertThat(answer("GET /healthz", "", null)).startsWith("HTTP/1.1 200").doesNotContain(CLOSES)
                .endsWith(STAYS_OPEN);
    }

    private static final String CLOSES = "Connection: close\r\n";
    private static final String STAYS_OPEN = "[still open]";

    /**
     * Sends a request with a 10-byte body that is not JSON, and returns the whole answer, ending in
     * {@value #STAYS_OPEN} when the server kept the connection open. The body is sent with the head, only announced
     * (sendBody false: a slow client whose bytes have not come yet), or absent (null).
     */
    private String answer(String requestLine, String headers, Boolean sendBody) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", trigger.port())) {
            socket.setSoTimeout(10_000);
            String body = "not json!!";
            String request = requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                    + (sendBody == null ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n"
                    + (Boolean.TRUE.equals(sendBody) ? body : "");
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            int b;
            while (answer.indexOf("\r\n\r\n") < 0 && (b = in.read()) >= 0) {
                answer.append((char) b);
            }
            String head = answer.toString();
            int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            answer.append(new String(in.readNBytes(length), StandardCharsets.UTF_8));
            socket.setSoTimeout(500); // a closed connection ends at once; an open one just waits
            try {
                if (in.read() >= 0) {
                    answer.append("[more bytes]");
                }
            } catch (SocketTimeoutException open) {
                answer.append(STAYS_OPEN);
            }
            return answer.toString();
        }
    }

    @Test
    void nameAndPort() throws Exception {
        start();

        assertThat(trigger.port()).isPositive();
        assertThat(trigger.name()).isEqualTo("webhook http://127.0.0.1:" + trigger.port() + "/events");
        assertThat(trigger.path()).isEqualTo("/events");
    }
}
