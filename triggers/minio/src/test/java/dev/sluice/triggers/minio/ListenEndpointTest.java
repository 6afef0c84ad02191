package dev.sluice.triggers.minio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.event.EventType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The listen request as it goes on the wire (its signature is checked by FakeMinio, S3Proxy and MinIO). */
class ListenEndpointTest {

    @Test
    void pathStyleAsksTheBucketForEventsPrefixAndPing() {
        HttpRequest request = ListenEndpoint.of(URI.create("http://127.0.0.1:9000"), null, true, "ak", "sk")
                .listen("uploads", "in coming/", Set.of(EventType.CREATED, EventType.REMOVED), 5,
                        Duration.ofSeconds(30));

        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.uri().getRawPath()).isEqualTo("/uploads");
        assertThat(request.uri().getRawQuery()).contains("events=s3%3AObjectCreated%3A%2A")
                .contains("events=s3%3AObjectRemoved%3A%2A").contains("prefix=in%20coming%2F")
                .contains("suffix=").contains("ping=5");
        assertThat(request.headers().firstValue("Authorization")).get().asString()
                .startsWith("AWS4-HMAC-SHA256 Credential=ak/").contains("/us-east-1/s3/aws4_request");
        assertThat(request.headers().firstValue("x-amz-content-sha256")).isPresent();
        assertThat(request.headers().firstValue("Host")).as("java.net.http sets it").isEmpty();
        assertThat(request.timeout()).contains(Duration.ofSeconds(30));
    }

    @Test
    void virtualHostStyleAndABasePath() {
        HttpRequest request = ListenEndpoint.of(URI.create("https://s3.example.com/minio/"), "eu-1", false, "ak", "sk")
                .listen("uploads", "", Set.of(EventType.CREATED), 1, Duration.ofSeconds(3));

        assertThat(request.uri().getHost()).isEqualTo("uploads.s3.example.com");
        assertThat(request.uri().getRawPath()).isEqualTo("/minio/");
        assertThat(request.uri().getRawQuery()).doesNotContain("ObjectRemoved");
        assertThat(request.headers().firstValue("Authorization")).get().asString().contains("/eu-1/s3/");
    }

    @Test
    void anEndpointMustBeAnHttpUrl() {
        for (String endpoint : new String[] {"localhost:9000", "ftp://localhost:9000", "/just/a/path"}) {
            assertThatThrownBy(() -> ListenEndpoint.of(URI.create(endpoint), null, true, "a", "b"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("an http(s) URL such as http://127.0.0.1:9000");
        }
    }

    @Test
    void credentialsDoNotShowInToString() {
        assertThat(ListenEndpoint.of(URI.create("http://h:1"), null, true, "ak", "secret").toString())
                .doesNotContain("secret");
    }
}
