package dev.sluice.triggers.minio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.SluiceException;
import dev.sluice.core.config.ListenSettings;
import dev.sluice.core.config.StoreSettings;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.storage.testing.MinioExtension;
import dev.sluice.triggers.minio.RecordingSink.Mode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listen trigger against a real MinIO (Testcontainers; skipped, with the reason, where no Docker engine is
 * reachable): MinIO's own listen API, wire format, key encoding and signature check.
 */
class MinioListenTriggerOnMinioTest {
    static final Duration PATIENCE = Duration.ofSeconds(60);
    static final AtomicInteger BUCKETS = new AtomicInteger();

    @RegisterExtension
    static final MinioExtension MINIO = new MinioExtension();

    @TempDir
    Path dir;
    String bucket;
    final List<MinioListenTrigger> triggers = new ArrayList<>();

    @BeforeEach
    void bucket() {
        bucket = MINIO.createBucket("listen-real-" + BUCKETS.incrementAndGet());
    }

    @AfterEach
    void close() {
        triggers.forEach(MinioListenTrigger::close);
    }

    ListenSettings settings() {
        return ListenSettings.of(List.of(bucket), dir.resolve("state.json"))
                .withReconnectDelays(Duration.ofMillis(200), Duration.ofSeconds(2))
                .withIdleTimeout(Duration.ofSeconds(6))
                .withReconcileEvery(Duration.ZERO);
    }

    MinioListenTrigger trigger(String secretKey) {
        StoreSettings store = MINIO.settings();
        MinioListenTrigger trigger = new MinioListenTrigger(MINIO.store(),
                ListenEndpoint.of(URI.create(store.endpoint()), store.region(), true, store.accessKey(), secretKey),
                settings());
        triggers.add(trigger);
        return trigger;
    }

    MinioListenTrigger listening(RecordingSink sink) throws Exception {
        MinioListenTrigger trigger = trigger(MINIO.settings().secretKey());
        trigger.start(sink);
        await().atMost(PATIENCE).until(() -> !trigger.listening().isEmpty() && trigger.reconciles() >= 1);
        return trigger;
    }

    ObjectInfo put(String key) {
        return MINIO.store().put(bucket, key, ("content of " + key).getBytes(StandardCharsets.UTF_8), "text/plain",
                Map.of());
    }

    @Test
    void minioSendsKeysAsTheyAre() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        listening(sink);
        Map<String, ObjectInfo> uploaded = new LinkedHashMap<>();
        for (String key : List.of("plain.txt", "my cat+dog.JPG", "100% real/a%2Fb c.txt",
                "caf\u00e9/\u65e5\u672c 1+1=2.png")) {
            uploaded.put(key, put(key));
        }

        await().atMost(PATIENCE).until(() -> sink.created().size() >= uploaded.size());
        assertThat(sink.created()).containsExactlyInAnyOrderElementsOf(uploaded.keySet());
        for (ObjectEvent event : sink.events()) {
            assertThat(event.eTag()).isEqualTo(uploaded.get(event.key()).eTag());
        }

        MINIO.store().delete(bucket, "my cat+dog.JPG");
        await().atMost(PATIENCE).until(() -> sink.removed().contains("my cat+dog.JPG"));
    }

    @Test
    void whatChangedWhileNobodyListenedIsEmittedOnTheNextStart() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger first = listening(sink);
        put("seen.txt");
        await().atMost(PATIENCE).until(() -> first.remembered() == 1);
        first.close();

        put("missed.txt");
        MINIO.store().delete(bucket, "seen.txt");

        RecordingSink again = new RecordingSink(Mode.ACK);
        listening(again);
        await().atMost(PATIENCE).until(() -> again.created().contains("missed.txt") && again.removed().size() == 1);
        assertThat(again.created()).containsExactly("missed.txt");
        assertThat(again.removed()).containsExactly("seen.txt");
    }

    @Test
    void minioRefusesAWrongSecretAndTheStartSaysSo() {
        MinioListenTrigger trigger = trigger("not-the-secret");

        assertThatThrownBy(() -> trigger.start(new RecordingSink(Mode.ACK)))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("403")
                .hasMessageContaining("store.secretKey");
    }

    @Test
    void aMissingBucketIsNamed() {
        StoreSettings store = MINIO.settings();
        MinioListenTrigger trigger = new MinioListenTrigger(MINIO.store(),
                ListenEndpoint.of(URI.create(store.endpoint()), store.region(), true, store.accessKey(),
                        store.secretKey()),
                ListenSettings.of(List.of("no-such-bucket-here"), dir.resolve("state.json")));
        triggers.add(trigger);

        assertThatThrownBy(() -> trigger.start(new RecordingSink(Mode.ACK)))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("Bucket 'no-such-bucket-here' does not exist");
    }
}
