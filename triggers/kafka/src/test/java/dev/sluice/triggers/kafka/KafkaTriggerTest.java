package dev.sluice.triggers.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.ConfigException;
import dev.sluice.core.event.MinioEvents;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.trigger.Acknowledgement;
import dev.sluice.core.trigger.EventSink;
import dev.sluice.triggers.kafka.testing.EmbeddedKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against a real Kafka broker (KRaft, in the test JVM). */
class KafkaTriggerTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    final List<KafkaTrigger> triggers = new ArrayList<>();
    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    String topic;
    String group;

    record DeadLetter(String body, String reason) {
    }

    /** An event handed over, with the acknowledgement the test settles when it likes. */
    record Handed(ObjectEvent event, Acknowledgement ack) {
    }

    @BeforeEach
    void names() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        topic = "sluice-test-" + id;
        group = "sluice-test-" + id;
    }

    @AfterEach
    void stop() {
        triggers.forEach(KafkaTrigger::close);
    }

    @Test
    void finishedEventsAreCommittedAndUnfinishedOnesAreNot() throws Exception {
        KAFKA.createTopic(topic, 3);
        List<Handed> handed = new CopyOnWriteArrayList<>();
        KafkaTrigger trigger = start(settings(8, 3), (event, ack) -> handed.add(new Handed(event, ack)));
        for (int i = 0; i < 6; i++) {
            KAFKA.send(topic, "photo-" + i, MinioEvents.created("uploads", "trip/photo " + i + ".jpg", 100 + i));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> handed.size() == 6);
        assertThat(handed).extracting(h -> h.event().key()).containsExactlyInAnyOrder("trip/photo 0.jpg",
                "trip/photo 1.jpg", "trip/photo 2.jpg", "trip/photo 3.jpg", "trip/photo 4.jpg", "trip/photo 5.jpg");
        assertThat(trigger.unsettled()).isEqualTo(6);
        assertThat(KAFKA.lag(topic, group)).isEqualTo(6);

        handed.forEach(h -> h.ack().ack());

        await().atMost(Duration.ofSeconds(10)).until(() -> KAFKA.lag(topic, group) == 0);
        assertThat(trigger.unsettled()).isZero();
        assertThat(trigger.isConnected()).isTrue();
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void recordsFinishedOutOfOrderAreCommittedOnlyUpToTheFirstUnfinished() throws Exception {
        KAFKA.createTopic(topic, 1);
        Map<String, Acknowledgement> acks = new ConcurrentHashMap<>();
        start(settings(8, 3), (event, ack) -> acks.put(event.key(), ack));
        for (String key : List.of("a", "b", "c")) {
            KAFKA.send(topic, null, MinioEvents.created("uploads", key, 1));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> acks.size() == 3);
        TopicPartition partition = new TopicPartition(topic, 0);

        acks.get("b").ack();
        acks.get("c").ack();
        await().atMost(Duration.ofSeconds(10)).until(() -> KAFKA.committed(group).containsKey(partition));
        Thread.sleep(500); // commits are asynchronous: give a wrong one the chance to happen
        OffsetAndMetadata held = KAFKA.committed(group).get(partition);
        assertThat(held.offset()).isZero();
        assertThat(DeliveryCounts.decode(held.metadata())).containsEntry(0L, 1);

        acks.get("a").ack();
        await().atMost(Duration.ofSeconds(10)).until(() -> KAFKA.committed(group).get(partition).offset() == 3);
    }

    @Test
    void aNotificationWithSeveralRecordsIsFinishedWhenAllItsEventsAre() throws Exception {
        KAFKA.createTopic(topic, 1);
        List<Handed> handed = new CopyOnWriteArrayList<>();
        start(settings(8, 3), (event, ack) -> handed.add(new Handed(event, ack)));
        KAFKA.send(topic, null, MinioEvents.combined(MinioEvents.created("uploads", "one.jpg", 1),
                MinioEvents.created("uploads", "two.jpg", 2)));

        await().atMost(Duration.ofSeconds(20)).until(() -> handed.size() == 2);
        handed.get(0).ack().ack();
        Thread.sleep(500);
        assertThat(KAFKA.lag(topic, group)).isEqualTo(1);
        handed.get(1).ack().ack();
        await().atMost(Duration.ofSeconds(10)).until(() -> KAFKA.lag(topic, group) == 0);
    }

    @Test
    void aBodyThatIsNotAnEventIsADeadLetterAndTheNextRecordRuns() throws Exception {
        KAFKA.createTopic(topic, 1);
        List<String> keys = new CopyOnWriteArrayList<>();
        start(settings(8, 3), (event, ack) -> {
            keys.add(event.key());
            ack.ack();
        });
        KAFKA.send(topic, null, "{\"this is\": \"not an S3 event\"}".getBytes(StandardCharsets.UTF_8),
                MinioEvents.created("uploads", "after.jpg", 1));

        await().atMost(Duration.ofSeconds(20)).until(() -> keys.size() == 1 && KAFKA.lag(topic, group) == 0);
        assertThat(keys).containsExactly("after.jpg");
        assertThat(deadLetters).singleElement().satisfies(dead -> {
            assertThat(dead.body()).isEqualTo("{\"this is\": \"not an S3 event\"}");
            assertThat(dead.reason()).contains(topic + "-0@0").contains("not an S3 event notification");
        });
    }

    @Test
    void aFailingEventIsTriedMaxDeliverTimesThenDeadLettered() throws Exception {
        KAFKA.createTopic(topic, 1);
        AtomicInteger tries = new AtomicInteger();
        start(settings(8, 3), (event, ack) -> {
            tries.incrementAndGet();
            ack.nack("the store said no");
        });
        KAFKA.send(topic, null, MinioEvents.created("uploads", "doomed.jpg", 1));

        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters.size() == 1 && KAFKA.lag(topic, group) == 0);
        assertThat(tries).hasValue(3);
        assertThat(deadLetters.get(0).reason()).contains("failed on each of 3 deliveries")
                .contains("the store said no");
    }

    @Test
    void aRecordThatKillsEveryWorkerBecomesADeadLetterInsteadOfStallingItsPartition() throws Exception {
        KAFKA.createTopic(topic, 1);
        KAFKA.send(topic, null, MinioEvents.created("uploads", "poison.tif", 1),
                MinioEvents.created("uploads", "fine.jpg", 1));
        // Each worker takes the poison and never finishes it (it "dies" while working: stopped without grace),
        // finishing the record after it.
        for (int worker = 1; worker <= 2; worker++) {
            Set<String> seen = ConcurrentHashMap.newKeySet();
            KafkaTrigger dying = start(settings(8, 2, Duration.ZERO), (event, ack) -> {
                seen.add(event.key());
                if (!event.key().equals("poison.tif")) {
                    ack.ack();
                }
            });
            int deliveries = worker;
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 2);
            // the commit says how often the poison was delivered, before the worker dies
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    DeliveryCounts.decode(committed().metadata()).getOrDefault(0L, 0) == deliveries);
            dying.close();
        }
        assertThat(committed().offset()).isZero(); // the poison holds the partition

        List<String> third = new CopyOnWriteArrayList<>();
        start(settings(8, 2), (event, ack) -> {
            third.add(event.key());
            ack.ack();
        });

        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters.size() == 1 && KAFKA.lag(topic, group) == 0);
        assertThat(deadLetters.get(0).reason()).contains("delivered 3 times without finishing");
        assertThat(third).doesNotContain("poison.tif");
    }

    @Test
    void closingHandsUnfinishedWorkToTheNextWorker() throws Exception {
        KAFKA.createTopic(topic, 2);
        List<Handed> first = new CopyOnWriteArrayList<>();
        KafkaTrigger stopping = start(settings(8, 3, Duration.ofMillis(300)),
                (event, ack) -> first.add(new Handed(event, ack)));
        for (int i = 0; i < 4; i++) {
            KAFKA.send(topic, "k" + i, MinioEvents.created("uploads", "held-" + i, 1));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> first.size() == 4);
        first.get(0).ack().ack();
        String finished = first.get(0).event().key();

        stopping.close();
        List<String> second = new CopyOnWriteArrayList<>();
        start(settings(8, 3), (event, ack) -> {
            second.add(event.key());
            ack.ack();
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> KAFKA.lag(topic, group) == 0);
        assertThat(second).hasSizeBetween(3, 4).doesNotHaveDuplicates()
                .containsAll(first.stream().map(h -> h.event().key()).filter(k -> !k.equals(finished)).toList());
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void closeWaitsForWorkInFlightWithinTheGrace() throws Exception {
        KAFKA.createTopic(topic, 1);
        List<Handed> handed = new CopyOnWriteArrayList<>();
        KafkaTrigger trigger = start(settings(8, 3, Duration.ofSeconds(20)),
                (event, ack) -> handed.add(new Handed(event, ack)));
        KAFKA.send(topic, null, MinioEvents.created("uploads", "slow.mp4", 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> handed.size() == 1);

        Thread finisher = new Thread(() -> {
            await().pollDelay(Duration.ofMillis(500)).until(() -> true);
            handed.get(0).ack().ack();
        });
        finisher.start();
        trigger.close();
        finisher.join();

        assertThat(KAFKA.lag(topic, group)).isZero();
        assertThat(trigger.isConnected()).isFalse();
    }

    @Test
    void aWorkerHoldsAtMostPrefetchUnfinishedRecords() throws Exception {
        KAFKA.createTopic(topic, 2);
        List<Handed> handed = new CopyOnWriteArrayList<>();
        KafkaTrigger trigger = start(settings(2, 3), (event, ack) -> handed.add(new Handed(event, ack)));
        for (int i = 0; i < 10; i++) {
            KAFKA.send(topic, "k" + i, MinioEvents.created("uploads", "queued-" + i, 1));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> handed.size() == 2);
        Thread.sleep(1_000); // polls go on (the group must not lose this worker), records do not
        assertThat(handed).hasSize(2);
        assertThat(trigger.unsettled()).isEqualTo(2);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            handed.forEach(h -> h.ack().ack());
            return handed.size() == 10 && KAFKA.lag(topic, group) == 0;
        });
        assertThat(handed).extracting(h -> h.event().key()).doesNotHaveDuplicates();
    }

    @Test
    void workersInOneGroupShareThePartitions() throws Exception {
        KAFKA.createTopic(topic, 4);
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        List<String> byFirst = new CopyOnWriteArrayList<>();
        List<String> bySecond = new CopyOnWriteArrayList<>();
        start(settings(8, 3), counting(byFirst, deliveries));
        start(settings(8, 3), counting(bySecond, deliveries));
        await().atMost(Duration.ofSeconds(20)).until(() -> assignedPartitions() == 4);
        for (int i = 0; i < 40; i++) {
            KAFKA.send(topic, "key-" + i, MinioEvents.created("uploads", "shared/" + i + ".bin", 1));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.size() == 40 && KAFKA.lag(topic, group) == 0);
        assertThat(byFirst).isNotEmpty();
        assertThat(bySecond).isNotEmpty();
        assertThat(deliveries.values()).allMatch(count -> count.get() == 1);
    }

    @Test
    void aMissingTopicIsCreatedWithTheConfiguredPartitions() throws Exception {
        start(settings(8, 3), (event, ack) -> ack.ack());

        try (Admin admin = KAFKA.admin()) {
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                    .partitions()).hasSize(3);
        }
        KAFKA.send(topic, null, MinioEvents.created("uploads", "first.jpg", 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> KAFKA.lag(topic, group) == 0);
    }

    @Test
    void anUnreachableBrokerIsAClearErrorAtStart() {
        KafkaSettings nowhere = new KafkaSettings("127.0.0.1:1", topic, group, 3, 8, 3, Duration.ofMillis(50),
                Duration.ofSeconds(1), Map.of("default.api.timeout.ms", "1500"));
        KafkaTrigger trigger = new KafkaTrigger(nowhere, (body, reason) -> { });
        triggers.add(trigger);

        assertThatThrownBy(() -> trigger.start((event, ack) -> ack.ack()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("127.0.0.1:1")
                .hasMessageContaining("is Kafka running");
    }

    // ---- helpers

    KafkaSettings settings(int prefetch, int maxDeliver) {
        return settings(prefetch, maxDeliver, Duration.ofSeconds(5));
    }

    KafkaSettings settings(int prefetch, int maxDeliver, Duration grace) {
        return new KafkaSettings(KAFKA.bootstrapServers(), topic, group, 3, prefetch, maxDeliver,
                Duration.ofMillis(50), grace, Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "500"));
    }

    KafkaTrigger start(KafkaSettings settings, EventSink sink) {
        BiConsumer<byte[], String> record = (body, reason) ->
                deadLetters.add(new DeadLetter(new String(body, StandardCharsets.UTF_8), reason));
        KafkaTrigger trigger = new KafkaTrigger(settings, record);
        triggers.add(trigger);
        trigger.start(sink);
        return trigger;
    }

    OffsetAndMetadata committed() throws Exception {
        OffsetAndMetadata offset = KAFKA.committed(group).get(new TopicPartition(topic, 0));
        return offset == null ? new OffsetAndMetadata(0) : offset;
    }

    long assignedPartitions() throws Exception {
        try (Admin admin = KAFKA.admin()) {
            return admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members()
                    .stream().mapToLong(member -> member.assignment().topicPartitions().size()).sum();
        }
    }

    static EventSink counting(List<String> mine, Map<String, AtomicInteger> deliveries) {
        return (event, ack) -> {
            mine.add(event.key());
            deliveries.computeIfAbsent(event.key(), k -> new AtomicInteger()).incrementAndGet();
            ack.ack();
        };
    }
}
