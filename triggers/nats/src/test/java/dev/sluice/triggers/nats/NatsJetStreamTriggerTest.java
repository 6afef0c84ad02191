package dev.sluice.triggers.nats;

import dev.sluice.core.event.MinioEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.core.ConfigException;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.trigger.Acknowledgement;
import dev.sluice.core.trigger.EventSink;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real NATS server with JetStream on 127.0.0.1:4222; skipped when none is running. */
class NatsJetStreamTriggerTest {
    static final String URL = "nats://127.0.0.1:4222";

    final List<NatsJetStreamTrigger> triggers = new ArrayList<>();
    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    Connection publisher;
    String stream;
    String subject;

    record DeadLetter(String body, String reason) {
    }

    @BeforeAll
    static void requireServer() {
        assumeTrue(reachable(), "NATS is not running on 127.0.0.1:4222; start it with JetStream "
                + "(nats-server -js) to run the NATS trigger tests");
    }

    @BeforeEach
    void connect() throws Exception {
        publisher = Nats.connect(URL);
        String id = UUID.randomUUID().toString().substring(0, 8);
        stream = "SLUICE_TEST_" + id;
        subject = "sluice.test." + id;
    }

    @AfterEach
    void cleanUp() throws Exception {
        triggers.forEach(NatsJetStreamTrigger::close);
        try {
            publisher.jetStreamManagement().deleteStream(stream);
        } catch (JetStreamApiException ignored) {
            // never created
        }
        publisher.close();
    }

    @Test
    void acknowledgedEventsAreDeliveredOnceAndLeaveTheWorkQueue() throws Exception {
        List<ObjectEvent> received = new CopyOnWriteArrayList<>();
        start(settings(), (event, ack) -> {
            received.add(event);
            ack.ack();
        });
        for (int i = 0; i < 5; i++) {
            publish(MinioEvents.created("uploads", "trip/photo " + i + ".jpg", 100 + i));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 5);
        assertThat(received).extracting(ObjectEvent::bucket).containsOnly("uploads");
        assertThat(received).extracting(ObjectEvent::key)
                .containsExactlyInAnyOrder("trip/photo 0.jpg", "trip/photo 1.jpg", "trip/photo 2.jpg",
                        "trip/photo 3.jpg", "trip/photo 4.jpg");
        await().atMost(Duration.ofSeconds(5)).until(() -> messagesInStream() == 0);
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void twoWorkersShareTheWorkAndNoEventGoesToBoth() throws Exception {
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        List<String> byFirst = new CopyOnWriteArrayList<>();
        List<String> bySecond = new CopyOnWriteArrayList<>();
        start(settings(), slowAck(byFirst, deliveries));
        start(settings(), slowAck(bySecond, deliveries));
        for (int i = 0; i < 20; i++) {
            publish(MinioEvents.created("uploads", "shared/" + i + ".bin", 1));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> byFirst.size() + bySecond.size() == 20);
        assertThat(byFirst).isNotEmpty();
        assertThat(bySecond).isNotEmpty();
        assertThat(deliveries).hasSize(20).allSatisfy((key, count) -> assertThat(count.get()).isEqualTo(1));
    }

    @Test
    void longJobKeepsItsMessageThroughInProgressSignals() throws Exception {
        NatsSettings shortAckWait = settings(Duration.ofSeconds(1), 5, Duration.ofMillis(100));
        AtomicInteger deliveries = new AtomicInteger();
        EventSink slow = (event, ack) -> {
            deliveries.incrementAndGet();
            new Thread(() -> {
                sleep(Duration.ofMillis(3_500)); // three and a half ack waits
                ack.ack();
            }).start();
        };
        start(shortAckWait, slow);
        start(shortAckWait, slow); // an idle second worker that would receive a redelivery
        publish(MinioEvents.created("uploads", "video.mp4", 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> messagesInStream() == 0);
        assertThat(deliveries).hasValue(1);
    }

    @Test
    void eventThatKeepsFailingIsRedeliveredThenDeadLettered() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        start(settings(Duration.ofSeconds(30), 3, Duration.ofMillis(100)), (event, ack) -> {
            attempts.incrementAndGet();
            ack.nack("simulated failure");
        });
        publish(MinioEvents.created("uploads", "poison.jpg", 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
        assertThat(attempts).hasValue(3);
        assertThat(deadLetters.get(0).body()).contains("poison.jpg");
        assertThat(deadLetters.get(0).reason()).contains("3 deliveries").contains("simulated failure")
                .contains(stream);
        await().atMost(Duration.ofSeconds(5)).until(() -> messagesInStream() == 0);
        sleep(Duration.ofMillis(500));
        assertThat(attempts).hasValue(3);
    }

    @Test
    void bodyThatIsNotAnEventNotificationIsDeadLetteredAtOnce() throws Exception {
        List<ObjectEvent> received = new CopyOnWriteArrayList<>();
        start(settings(), (event, ack) -> {
            received.add(event);
            ack.ack();
        });
        publish("hello, not JSON".getBytes(StandardCharsets.UTF_8));
        publish(MinioEvents.created("uploads", "fine.jpg", 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1 && received.size() == 1);
        assertThat(deadLetters.get(0).body()).isEqualTo("hello, not JSON");
        assertThat(deadLetters.get(0).reason()).contains("not an S3 event notification");
        await().atMost(Duration.ofSeconds(5)).until(() -> messagesInStream() == 0);
    }

    @Test
    void messageWhoseWorkersDiedEachTimeIsDeadLetteredWithoutRunningAgain() throws Exception {
        NatsSettings settings = settings(Duration.ofSeconds(1), 2, Duration.ofMillis(100));
        AtomicInteger attempts = new AtomicInteger();
        NatsJetStreamTrigger first = start(settings, (event, ack) -> attempts.incrementAndGet());
        first.close(); // creates stream and consumer; the "crashing worker" below pulls without settling
        publish(MinioEvents.created("uploads", "crashes-the-worker.tif", 1));
        ConsumerContext raw = publisher.getStreamContext(stream).getConsumerContext(settings.consumer());
        for (int delivery = 1; delivery <= 2; delivery++) {
            Message message = raw.next(Duration.ofSeconds(5)); // received, never acknowledged: a worker died
            assertThat(message).isNotNull();
            assertThat(message.metaData().deliveredCount()).isEqualTo(delivery);
        }

        start(settings, (event, ack) -> attempts.incrementAndGet());
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
        assertThat(attempts).hasValue(0);
        assertThat(deadLetters.get(0).reason()).contains("delivered 3 times without finishing");
        await().atMost(Duration.ofSeconds(5)).until(() -> messagesInStream() == 0);
    }

    @Test
    void deadLetterThatCannotBeWrittenIsTriedAgainOnRedelivery() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        BiConsumer<byte[], String> flakyStore = (body, reason) -> {
            if (writes.incrementAndGet() == 1) {
                throw new IllegalStateException("store unreachable");
            }
            deadLetters.add(new DeadLetter(new String(body, StandardCharsets.UTF_8), reason));
        };
        NatsJetStreamTrigger trigger = new NatsJetStreamTrigger(
                settings(Duration.ofSeconds(30), 1, Duration.ofMillis(100)), flakyStore);
        triggers.add(trigger);
        trigger.start((event, ack) -> ack.nack("always fails"));
        publish(MinioEvents.created("uploads", "poison.jpg", 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
        assertThat(writes).hasValue(2);
        assertThat(deadLetters.get(0).reason()).contains("delivered 2 times");
        await().atMost(Duration.ofSeconds(5)).until(() -> messagesInStream() == 0);
    }

    @Test
    void closingHandsUnfinishedWorkBackForAnotherWorkerAtOnce() throws Exception {
        NatsSettings settings = new NatsSettings(URL, stream, subject, "workers", 4, Duration.ofSeconds(60), 5,
                Duration.ofMillis(100), Duration.ofMillis(300));
        List<Acknowledgement> held = new CopyOnWriteArrayList<>();
        NatsJetStreamTrigger stopping = start(settings, (event, ack) -> held.add(ack)); // never finishes
        publish(MinioEvents.created("uploads", "in-flight.jpg", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
        assertThat(stopping.unsettled()).isEqualTo(1);

        stopping.close();
        List<ObjectEvent> taken = new CopyOnWriteArrayList<>();
        start(settings, (event, ack) -> {
            taken.add(event);
            ack.ack();
        });
        // Far sooner than the 60 s ack wait: the message was handed back, not left to time out.
        await().atMost(Duration.ofSeconds(10)).until(() -> taken.size() == 1);
        held.get(0).ack(); // the first worker finishing late changes nothing
        await().atMost(Duration.ofSeconds(5)).until(() -> messagesInStream() == 0);
    }

    @Test
    void unreachableServerIsAClearConfigError() {
        NatsSettings nowhere = new NatsSettings("nats://127.0.0.1:1", stream, subject, "workers", 1,
                Duration.ofSeconds(30), 1, Duration.ZERO, Duration.ZERO);
        NatsJetStreamTrigger trigger = new NatsJetStreamTrigger(nowhere, (body, reason) -> { });
        assertThatThrownBy(() -> trigger.start((event, ack) -> ack.ack()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Cannot connect to NATS at nats://127.0.0.1:1")
                .hasMessageContaining("nats-server -js");
    }

    private EventSink slowAck(List<String> seen, Map<String, AtomicInteger> deliveries) {
        return (event, ack) -> {
            seen.add(event.key());
            deliveries.computeIfAbsent(event.key(), k -> new AtomicInteger()).incrementAndGet();
            new Thread(() -> {
                sleep(Duration.ofMillis(50));
                ack.ack();
            }).start();
        };
    }

    private NatsSettings settings() {
        return settings(Duration.ofSeconds(30), 5, Duration.ofMillis(100));
    }

    private NatsSettings settings(Duration ackWait, int maxDeliver, Duration redeliveryDelay) {
        return new NatsSettings(URL, stream, subject, "workers", 4, ackWait, maxDeliver, redeliveryDelay,
                Duration.ofSeconds(5));
    }

    private NatsJetStreamTrigger start(NatsSettings settings, EventSink sink) throws Exception {
        NatsJetStreamTrigger trigger = new NatsJetStreamTrigger(settings,
                (body, reason) -> deadLetters.add(new DeadLetter(new String(body, StandardCharsets.UTF_8), reason)));
        triggers.add(trigger);
        trigger.start(sink);
        assertThat(trigger.isConnected()).isTrue();
        return trigger;
    }

    private void publish(byte[] body) throws IOException, JetStreamApiException {
        publisher.jetStream().publish(subject, body);
    }

    private long messagesInStream() throws IOException, JetStreamApiException {
        return publisher.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
    }

    static boolean reachable() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 4222), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
