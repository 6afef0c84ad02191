package dev.sluice.triggers.amqp;

import dev.sluice.core.event.MinioEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.sluice.core.ConfigException;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.trigger.Acknowledgement;
import dev.sluice.core.trigger.EventSink;
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

/** Against the real RabbitMQ on 127.0.0.1:5672 (guest/guest); skipped when none is running. */
class AmqpTriggerTest {
    static final String URI = "amqp://guest:guest@127.0.0.1:5672";

    final List<AmqpTrigger> triggers = new ArrayList<>();
    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    Connection admin;
    Channel channel;
    String exchange;
    String queue;

    record DeadLetter(String body, String reason) {
    }

    @BeforeAll
    static void requireBroker() {
        assumeTrue(reachable(), "RabbitMQ is not running on 127.0.0.1:5672; start it (rabbitmq-server -detached) "
                + "to run the AMQP trigger tests");
    }

    @BeforeEach
    void connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI);
        admin = factory.newConnection("sluice-test");
        channel = admin.createChannel();
        String id = UUID.randomUUID().toString().substring(0, 8);
        exchange = "sluice-test-" + id;
        queue = "sluice-test-" + id;
    }

    @AfterEach
    void cleanUp() throws Exception {
        triggers.forEach(AmqpTrigger::close);
        Channel ch = admin.createChannel();
        ch.queueDelete(queue);
        ch.queueDelete(queue + ".dlx");
        ch.exchangeDelete(exchange);
        ch.exchangeDelete(queue + ".dlx");
        admin.close();
    }

    @Test
    void acknowledgedEventsAreDeliveredOnceAndLeaveTheQueue() throws Exception {
        List<ObjectEvent> received = new CopyOnWriteArrayList<>();
        AmqpTrigger trigger = start(settings(5, Duration.ofMillis(100)), (event, ack) -> {
            received.add(event);
            ack.ack();
        });
        for (int i = 0; i < 5; i++) {
            publish(MinioEvents.created("uploads", "trip/photo " + i + ".jpg", 100 + i));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 5 && trigger.unsettled() == 0);
        assertThat(received).extracting(ObjectEvent::key)
                .containsExactlyInAnyOrder("trip/photo 0.jpg", "trip/photo 1.jpg", "trip/photo 2.jpg",
                        "trip/photo 3.jpg", "trip/photo 4.jpg");
        assertThat(ready()).isZero();
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void queueIsAQuorumQueueWithADeliveryLimit() throws Exception {
        start(settings(3, Duration.ofMillis(100)), (event, ack) -> ack.ack());
        Channel probe = admin.createChannel();
        // Declaring it as a classic queue is refused: it exists with other arguments.
        assertThatThrownBy(() -> probe.queueDeclare(queue, true, false, false, Map.of()))
                .isInstanceOf(IOException.class);
        Channel again = admin.createChannel();
        again.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum",
                "x-delivery-limit", 3 + AmqpTrigger.DEAD_LETTER_DELIVERIES, "x-dead-letter-exchange", queue + ".dlx"));
    }

    @Test
    void twoWorkersShareTheWorkAndNoEventGoesToBoth() throws Exception {
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        List<String> byFirst = new CopyOnWriteArrayList<>();
        List<String> bySecond = new CopyOnWriteArrayList<>();
        start(settings(5, Duration.ofMillis(100)), slowAck(byFirst, deliveries));
        start(settings(5, Duration.ofMillis(100)), slowAck(bySecond, deliveries));
        for (int i = 0; i < 20; i++) {
            publish(MinioEvents.created("uploads", "shared/" + i + ".bin", 1));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> byFirst.size() + bySecond.size() == 20);
        assertThat(byFirst).isNotEmpty();
        assertThat(bySecond).isNotEmpty();
        assertThat(deliveries).hasSize(20).allSatisfy((key, count) -> assertThat(count.get()).isEqualTo(1));
    }

    @Test
    void eventThatKeepsFailingIsRedeliveredThenDeadLettered() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AmqpTrigger trigger = start(settings(3, Duration.ofMillis(100)), (event, ack) -> {
            attempts.incrementAndGet();
            ack.nack("simulated failure");
        });
        publish(MinioEvents.created("uploads", "poison.jpg", 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1 && trigger.unsettled() == 0);
        assertThat(attempts).hasValue(3);
        assertThat(deadLetters.get(0).body()).contains("poison.jpg");
        assertThat(deadLetters.get(0).reason()).contains("3 deliveries").contains("simulated failure").contains(queue);
        Thread.sleep(500);
        assertThat(attempts).hasValue(3);
        assertThat(ready()).isZero();
    }

    @Test
    void bodyThatIsNotAnEventNotificationIsDeadLetteredAtOnce() throws Exception {
        List<ObjectEvent> received = new CopyOnWriteArrayList<>();
        start(settings(5, Duration.ofMillis(100)), (event, ack) -> {
            received.add(event);
            ack.ack();
        });
        publish("hello, not JSON".getBytes(StandardCharsets.UTF_8));
        publish(MinioEvents.created("uploads", "fine.jpg", 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1 && received.size() == 1);
        assertThat(deadLetters.get(0).body()).isEqualTo("hello, not JSON");
        assertThat(deadLetters.get(0).reason()).contains("not an S3 event notification");
    }

    @Test
    void messageWhoseWorkersDiedEachTimeIsDeadLetteredWithoutRunningAgain() throws Exception {
        AmqpSettings settings = settings(2, Duration.ofMillis(100));
        AtomicInteger attempts = new AtomicInteger();
        start(settings, (event, ack) -> attempts.incrementAndGet()).close(); // declares the queue
        publish(MinioEvents.created("uploads", "crashes-the-worker.tif", 1));
        for (int delivery = 1; delivery <= 2; delivery++) {
            Channel dying = admin.createChannel();
            // received, never acknowledged: a worker died (publishing and returning are asynchronous: poll)
            GetResponse response = await().atMost(Duration.ofSeconds(5)).until(() -> dying.basicGet(queue, false),
                    r -> r != null);
            assertThat(response.getEnvelope().isRedeliver()).isEqualTo(delivery > 1);
            dying.close(); // the broker returns the message
        }

        start(settings, (event, ack) -> attempts.incrementAndGet());
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
        assertThat(attempts).hasValue(0);
        assertThat(deadLetters.get(0).reason()).contains("delivered 3 times without finishing");
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
        AmqpTrigger trigger = new AmqpTrigger(settings(1, Duration.ofMillis(100)), flakyStore);
        triggers.add(trigger);
        trigger.start((event, ack) -> ack.nack("always fails"));
        publish(MinioEvents.created("uploads", "poison.jpg", 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
        assertThat(writes).hasValue(2);
        assertThat(deadLetters.get(0).reason()).contains("delivered 2 times");
    }

    @Test
    void closingReturnsUnfinishedWorkForAnotherWorkerAtOnce() throws Exception {
        AmqpSettings settings = new AmqpSettings(URI, exchange, "direct", "events", queue, queue + ".dlx", 4, 5,
                Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(300));
        List<Acknowledgement> held = new CopyOnWriteArrayList<>();
        AmqpTrigger stopping = start(settings, (event, ack) -> held.add(ack)); // never finishes
        publish(MinioEvents.created("uploads", "in-flight.jpg", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
        assertThat(stopping.unsettled()).isEqualTo(1);

        stopping.close();
        List<ObjectEvent> taken = new CopyOnWriteArrayList<>();
        AmqpTrigger next = start(settings, (event, ack) -> {
            taken.add(event);
            ack.ack();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> taken.size() == 1 && next.unsettled() == 0);
        held.get(0).ack(); // the first worker finishing late changes nothing
        assertThat(ready()).isZero();
    }

    @Test
    void unreachableBrokerIsAClearConfigError() {
        AmqpSettings nowhere = new AmqpSettings("amqp://guest:secret@127.0.0.1:1/", exchange, "direct", "events",
                queue, queue + ".dlx", 1, 1, Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO);
        AmqpTrigger trigger = new AmqpTrigger(nowhere, (body, reason) -> { });
        assertThatThrownBy(() -> trigger.start((event, ack) -> ack.ack()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Cannot connect to the AMQP broker at amqp://127.0.0.1:1 ")
                .hasMessageNotContaining("secret");
    }

    private EventSink slowAck(List<String> seen, Map<String, AtomicInteger> deliveries) {
        return (event, ack) -> {
            seen.add(event.key());
            deliveries.computeIfAbsent(event.key(), k -> new AtomicInteger()).incrementAndGet();
            new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ack.ack();
            }).start();
        };
    }

    private AmqpSettings settings(int maxDeliver, Duration redeliveryDelay) {
        return new AmqpSettings(URI, exchange, "direct", "events", queue, queue + ".dlx", 4, maxDeliver,
                Duration.ofSeconds(30), redeliveryDelay, Duration.ofSeconds(5));
    }

    private AmqpTrigger start(AmqpSettings settings, EventSink sink) throws Exception {
        AmqpTrigger trigger = new AmqpTrigger(settings,
                (body, reason) -> deadLetters.add(new DeadLetter(new String(body, StandardCharsets.UTF_8), reason)));
        triggers.add(trigger);
        trigger.start(sink);
        assertThat(trigger.isConnected()).isTrue();
        return trigger;
    }

    private void publish(byte[] body) throws IOException {
        channel.basicPublish(exchange, "events", new AMQP.BasicProperties.Builder().deliveryMode(2)
                .contentType("application/json").build(), body);
    }

    private long ready() throws IOException {
        Channel ch = admin.createChannel();
        try {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } finally {
            try {
                ch.close();
            } catch (Exception ignored) {
                // closed already
            }
        }
    }

    static boolean reachable() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 5672), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
