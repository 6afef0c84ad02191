package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.core.config.EmbeddedSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping and configuring the embedded server. */
class EmbeddedS3ServerTest {

    @Test
    void randomPortsAndEndpoints(@TempDir Path dir) {
        try (EmbeddedS3Server first = EmbeddedS3Server.builder().dataDir(dir.resolve("one")).build().start();
             EmbeddedS3Server second = EmbeddedS3Server.builder().dataDir(dir.resolve("two")).build().start()) {
            assertThat(first.port()).isPositive().isNotEqualTo(second.port());
            assertThat(first.endpoint()).hasToString("http://127.0.0.1:" + first.port());
            assertThat(first.accessKey()).isEqualTo("sluice");
            assertThat(first.secretKey()).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(second.secretKey());
            assertThat(first.isRunning()).isTrue();
        }
    }

    @Test
    void aTakenPortIsAClearError(@TempDir Path dir) {
        try (EmbeddedS3Server first = EmbeddedS3Server.builder().dataDir(dir.resolve("one")).build().start()) {
            EmbeddedS3Server second = EmbeddedS3Server.builder().dataDir(dir.resolve("two")).port(first.port()).build();
            assertThatThrownBy(second::start)
                    .isInstanceOf(SluiceException.class)
                    .hasMessageContaining(String.valueOf(first.port()))
                    .hasMessageContaining("Choose a free port");
            assertThat(second.isRunning()).isFalse();
        }
    }

    @Test
    void objectsSurviveARestartOnTheSameFolder(@TempDir Path dir) {
        EmbeddedSettings settings = new EmbeddedSettings("127.0.0.1", 0, dir.resolve("data"), List.of("kept"));
        try (EmbeddedS3Server server = EmbeddedS3Server.builder().settings(settings).credentials("k", "s3cr3t-s3cr3t")
                .build().start();
             S3ObjectStore store = S3ObjectStore.forEmbedded(server)) {
            store.put("kept", "a/b.txt", "kept".getBytes(), "text/plain", Map.of("colour", "blue"));
        }
        try (EmbeddedS3Server server = EmbeddedS3Server.builder().settings(settings).credentials("k", "s3cr3t-s3cr3t")
                .build().start();
             S3ObjectStore store = S3ObjectStore.forEmbedded(server)) {
            var head = store.head("kept", "a/b.txt").orElseThrow();
            assertThat(head.contentType()).isEqualTo("text/plain");
            assertThat(head.userMetadata()).containsEntry("colour", "blue");
        }
    }

    @Test
    void bucketsFromTheSettingsExistAtStart(@TempDir Path dir) {
        try (EmbeddedS3Server server = EmbeddedS3Server.builder().dataDir(dir)
                .buckets(List.of("incoming", "thumbnails")).build().start();
             S3ObjectStore store = S3ObjectStore.forEmbedded(server)) {
            assertThat(store.bucketExists("incoming")).isTrue();
            assertThat(store.bucketExists("thumbnails")).isTrue();
            assertThat(store.bucketExists("other")).isFalse();
        }
    }

    @Test
    void misconfigurationIsRefusedEarly() {
        assertThatThrownBy(() -> EmbeddedS3Server.builder().build()).hasMessageContaining("dataDir");
        assertThatThrownBy(() -> EmbeddedS3Server.builder().credentials("key", " "))
                .hasMessageContaining("SLUICE_SECRET_KEY");
        assertThatThrownBy(() -> EmbeddedS3Server.builder().buckets(List.of("Not_Valid")))
                .hasMessageContaining("Invalid bucket name");
        assertThatThrownBy(() -> EmbeddedS3Server.builder().dataDir(Path.of("x")).build().endpoint())
                .hasMessageContaining("not started");
    }

    @Test
    void closeIsIdempotentAndFreesThePort(@TempDir Path dir) {
        EmbeddedS3Server server = EmbeddedS3Server.builder().dataDir(dir).build().start();
        int port = server.port();
        server.close();
        server.close();
        try (EmbeddedS3Server again = EmbeddedS3Server.builder().dataDir(dir).port(port).build().start()) {
            assertThat(again.port()).isEqualTo(port);
        }
    }
}
