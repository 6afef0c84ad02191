package dev.sluice.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.storage.EmbeddedS3Server;
import dev.sluice.storage.S3ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process trigger wired to the embedded S3 server the way {@code sluice serve} wires them. */
class InProcessTriggerWithEmbeddedServerTest {
    @TempDir
    Path dir;

    @Test
    void uploadsReachTheSinkAndAFullQueueHoldsTheUploaderBack() throws Exception {
        InProcessTrigger trigger = new InProcessTrigger(1, Duration.ofSeconds(10));
        RecordingSink recorded = new RecordingSink(RecordingSink.Mode.ACK);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger listenerCalls = new AtomicInteger();
        AtomicBoolean thirdUploaded = new AtomicBoolean();
        trigger.start((event, ack) -> {
            entered.incrementAndGet();
            gate.await();
            recorded.accept(event, ack);
        });
        try (EmbeddedS3Server server = EmbeddedS3Server.builder()
                .dataDir(dir.resolve("data"))
                .credentials("sluice-test", "sluice-test-secret")
                .buckets(List.of("uploads"))
                .listener(event -> {
                    listenerCalls.incrementAndGet();
                    trigger.accept(event);
                })
                .build()
                .start();
             S3ObjectStore store = S3ObjectStore.forEmbedded(server)) {

            ObjectInfo first = put(store, "photos/my trip+ü.jpg");
            await().atMost(Duration.ofSeconds(20)).until(() -> entered.get() == 1); // in the (blocked) sink
            put(store, "photos/second.jpg"); // fills the queue of one
            Thread uploader = new Thread(() -> {
                put(store, "photos/third.jpg");
                thirdUploaded.set(true);
            }, "uploader");
            uploader.start();
            // The server's listener holds the third upload's request while the queue is full.
            await().atMost(Duration.ofSeconds(20)).until(() -> listenerCalls.get() == 3 && trigger.queued() == 1);
            assertThat(thirdUploaded).isFalse();

            gate.countDown();
            uploader.join(TimeUnit.SECONDS.toMillis(20));

            assertThat(uploader.isAlive()).isFalse();
            assertThat(thirdUploaded).isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> recorded.deliveries().size() == 3);
            assertThat(recorded.keys()).containsExactly("photos/my trip+ü.jpg", "photos/second.jpg",
                    "photos/third.jpg");
            ObjectEvent event = recorded.events().get(0);
            assertThat(event.bucket()).isEqualTo("uploads");
            assertThat(event.eventType()).isEqualTo(EventType.CREATED);
            assertThat(event.eTag()).isEqualTo(first.eTag());
        } finally {
            trigger.close();
        }
    }

    private static ObjectInfo put(S3ObjectStore store, String key) {
        return store.put("uploads", key, ("content of " + key).getBytes(StandardCharsets.UTF_8), "image/jpeg",
                Map.of());
    }
}
