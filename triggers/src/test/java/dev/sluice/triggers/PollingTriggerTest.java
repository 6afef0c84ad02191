package dev.sluice.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.config.PollSettings;
import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.storage.S3StoreOptions;
import dev.sluice.storage.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The polling trigger against a real S3 server (the embedded one). */
class PollingTriggerTest {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

    @TempDir
    Path dir;

    private final List<PollingTrigger> triggers = new ArrayList<>();
    private ObjectStore store;
    private String bucket;
    private Path stateFile;

    @BeforeEach
    void bucket() {
        store = S3.store();
        bucket = "poll-" + BUCKETS.incrementAndGet();
        S3.createBucket(bucket);
        stateFile = dir.resolve("poll-state.json");
    }

    @AfterEach
    void closeTriggers() {
        triggers.forEach(PollingTrigger::close);
    }

    private PollSettings manual(String prefix) {
        return new PollSettings(List.of(bucket), prefix, Duration.ZERO, stateFile);
    }

    private PollingTrigger started(PollSettings settings, RecordingSink sink) {
        return started(store, settings, sink, PollingTrigger.DEFAULT_REDELIVER_AFTER);
    }

    private PollingTrigger started(ObjectStore store, PollSettings settings, RecordingSink sink,
                                   Duration redeliverAfter) {
        PollingTrigger trigger = new PollingTrigger(store, settings, redeliverAfter);
        triggers.add(trigger);
        trigger.start(sink);
        return trigger;
    }

    private ObjectInfo put(String key, String content) {
        return store.put(bucket, key, content.getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());
    }

    @Test
    void newObjectsAreEmittedOnce() throws Exception {
        ObjectInfo a = put("in/a.txt", "alpha");
        put("in/b c+ü.txt", "beta");
        put("in/sub/c.txt", "gamma");
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger trigger = started(manual(""), sink);

        PollingTrigger.PollRound first = trigger.pollOnce();
        PollingTrigger.PollRound second = trigger.pollOnce();

        assertThat(sink.keys()).as("emitted keys").hasSize(3);
        assertThat(first.created()).isEqualTo(3);
        assertThat(first.failedBuckets()).isEmpty();
        assertThat(second.created()).isZero();
        assertThat(sink.keys()).containsExactlyInAnyOrder("in/a.txt", "in/b c+ü.txt", "in/sub/c.txt");
        ObjectEvent eventA = sink.events().stream().filter(e -> e.key().equals("in/a.txt")).findFirst().orElseThrow();
        assertThat(eventA.bucket()).isEqualTo(bucket);
        assertThat(eventA.eventType()).isEqualTo(EventType.CREATED);
        assertThat(eventA.size()).isEqualTo(5);
        assertThat(eventA.eTag()).isEqualTo(a.eTag());
        assertThat(trigger.remembered()).isEqualTo(3);
        assertThat(trigger.inFlight()).isZero();
    }

    @Test
    void changedObjectIsEmittedAgainAndUnchangedOnesAreNot() throws Exception {
        put("a.txt", "one");
        put("b.txt", "two");
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger trigger = started(manual(""), sink);
        trigger.pollOnce();
        sink.clear();

        ObjectInfo changed = put("a.txt", "one, edited");
        put("b.txt", "two"); // same content: same eTag
        PollingTrigger.PollRound round = trigger.pollOnce();

        assertThat(round.created()).isEqualTo(1);
        assertThat(sink.events()).singleElement().satisfies(event -> {
            assertThat(event.key()).isEqualTo("a.txt");
            assertThat(event.eTag()).isEqualTo(changed.eTag());
        });
    }

    @Test
    void removedObjectIsEmittedAsRemoved() throws Exception {
        put("gone.txt", "bye");
        put("stays.txt", "hi");
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger trigger = started(manual(""), sink);
        trigger.pollOnce();
        sink.clear();

        store.delete(bucket, "gone.txt");
        PollingTrigger.PollRound round = trigger.pollOnce();
        PollingTrigger.PollRound after = trigger.pollOnce();

        assertThat(round.removed()).isEqualTo(1);
        assertThat(sink.events()).singleElement().satisfies(event -> {
            assertThat(event.key()).isEqualTo("gone.txt");
            assertThat(event.eventType()).isEqualTo(EventType.REMOVED);
        });
        assertThat(after.removed()).isZero();
        assertThat(trigger.remembered()).isEqualTo(1);
    }

    @Test
    void onlyKeysUnderThePrefixArePolled() throws Exception {
        put("incoming/a.jpg", "a");
        put("processed/a.jpg", "b");
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger trigger = started(manual("incoming/"), sink);

        trigger.pollOnce();

        assertThat(sink.keys()).containsExactly("incoming/a.jpg");
    }

    @Test
    void listsPageByPage() throws Exception {
        for (int i = 0; i < 7; i++) {
            put("page/" + i + ".txt", "content " + i);
        }
        ObjectStore smallPages = S3.store(S3StoreOptions.defaults().withListPageSize(2));
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger trigger = started(smallPages, manual(""), sink, PollingTrigger.DEFAULT_REDELIVER_AFTER);

        assertThat(trigger.pollOnce().created()).isEqualTo(7);
        assertThat(trigger.pollOnce().created()).isZero();
        assertThat(sink.keys()).hasSize(7).doesNotHaveDuplicates();
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        put("a.txt", "one");
        put("b.txt", "two");
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger first = started(manual(""), sink);
        first.pollOnce();
        first.close();
        assertThat(Files.exists(stateFile)).isTrue();

        put("c.txt", "three");
        put("a.txt", "one, edited");
        store.delete(bucket, "b.txt");
        RecordingSink afterRestart = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger second = started(manual(""), afterRestart);
        second.pollOnce();

        assertThat(afterRestart.events()).extracting(ObjectEvent::key, ObjectEvent::eventType)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("a.txt", EventType.CREATED),
                        org.assertj.core.groups.Tuple.tuple("c.txt", EventType.CREATED),
                        org.assertj.core.groups.Tuple.tuple("b.txt", EventType.REMOVED));
    }

    @Test
    void stateIsSavedAfterEachRoundNotOnlyOnClose() throws Exception {
        put("a.txt", "one");
        PollingTrigger crashed = started(manual(""), new RecordingSink(RecordingSink.Mode.ACK));
        crashed.pollOnce();
        // no close(): as if the process died after the round

        RecordingSink afterCrash = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger restarted = new PollingTrigger(store, manual(""));
        triggers.add(restarted);
        restarted.start(afterCrash);
        restarted.pollOnce();

        assertThat(afterCrash.deliveries()).isEmpty();
    }

    @Test
    void nackedEventIsEmittedAgainNextRound() throws Exception {
        put("a.txt", "one");
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.NACK);
        PollingTrigger trigger = started(manual(""), sink);

        trigger.pollOnce();
        sink.mode(RecordingSink.Mode.ACK);
        trigger.pollOnce();
        trigger.pollOnce();

        assertThat(sink.keys()).containsExactly("a.txt", "a.txt");
        assertThat(trigger.remembered()).isEqualTo(1);
    }

    @Test
    void unacknowledgedEventIsEmittedAgainAfterACrash() throws Exception {
        put("a.txt", "one");
        put("b.txt", "two");
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.HOLD);
        PollingTrigger crashed = started(manual(""), sink);
        crashed.pollOnce();
        sink.deliveries().stream().filter(d -> d.event().key().equals("a.txt")).forEach(d -> d.ack().ack());
        crashed.pollOnce(); // saves the state with a.txt only; b.txt is still being processed
        assertThat(sink.keys()).hasSize(2);

        RecordingSink afterCrash = new RecordingSink(RecordingSink.Mode.ACK);
        PollingTrigger restarted = new PollingTrigger(store, manual(""));
        triggers.add(restarted);
        restarted.start(afterCrash);
        restarted.pollOnce();

        assertThat(afterCrash.keys()).containsExactly("b.txt");
    }

    @Test
    void eventStillBeingProcessedIsNotDuplicatedUntilRedeliveryIsDue() throws Exception {
        put("slow.mp4", "a long video");
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.HOLD);
        PollingTrigger patient = started(store, manual(""), sink, Duration.ofHours(1));

        patient.pollOnce();
        patient.pollOnce();
        assertThat(sink.keys()).containsExactly("slow.mp4");
        assertThat(patient.inFlight()).isEqualTo(1);
        patient.close();

        RecordingSink eager = new RecordingSink(RecordingSink.Mode.HOLD);
        PollingTrigger redelivering = started(store, manual(""), eager, Duration.ZERO);
        redelivering.pollOnce();
        redelivering.pollOnce();
        assertThat(eager.keys()).containsExactly("slow.mp4", "slow.mp4");

        eager.deliveries().get(1).ack().ack();
        redelivering.pollOnce();
        assertThat(eager.keys()).hasSize(2);
    }

    @Test
    void survivesStoreErrorsAndPollsOnSchedule() {
        String missing = "poll-later-" + BUCKETS.incrementAndGet();
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.ACK);
        PollSettings scheduled = new PollSettings(List.of(missing, bucket), "", Duration.ofMillis(50), stateFile);
        put("here.txt", "present");

        PollingTrigger trigger = started(scheduled, sink);

        // The missing bucket fails every round; the other one is still polled.
        await().atMost(PATIENCE).until(() -> sink.keys().contains("here.txt"));
        S3.createBucket(missing);
        store.put(missing, "late.txt", "finally".getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());
        await().atMost(PATIENCE).until(() -> sink.keys().contains("late.txt"));
        assertThat(sink.keys()).containsExactlyInAnyOrder("here.txt", "late.txt");
        assertThat(trigger.name()).contains(missing).contains("every");
    }

    @Test
    void failingBucketIsReportedInTheRound() throws Exception {
        RecordingSink sink = new RecordingSink(RecordingSink.Mode.ACK);
        String missing = "poll-missing-" + BUCKETS.incrementAndGet();
        PollingTrigger trigger = started(new PollSettings(List.of(missing), "", Duration.ZERO, stateFile), sink);

        PollingTrigger.PollRound round = trigger.pollOnce();

        assertThat(round.failedBuckets()).containsExactly(missing);
        assertThat(sink.deliveries()).isEmpty();
    }

    @Test
    void pollingBeforeStartIsAnError() {
        PollingTrigger trigger = new PollingTrigger(store, manual(""));
        triggers.add(trigger);

        assertThatThrownBy(trigger::pollOnce).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Start");
    }
}
