package dev.sluice.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.trigger.Acknowledgement;
import dev.sluice.core.trigger.EventSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InProcessTriggerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private InProcessTrigger trigger;

    @AfterEach
    void stop() {
        if (trigger != null) {
            trigger.close();
        }
    }

    private static ObjectEvent event(int i) {
        return ObjectEvent.created("uploads", "photos/img-" + i + ".jpg", 1000 + i, "etag-" + i, "image/jpeg");
    }

    /** Records keys; blocks in the sink while the gate is closed, like an executor whose queue is full. */
    private static final class GatedSink implements EventSink {
        final List<String> keys = new CopyOnWriteArrayList<>();
        final CountDownLatch gate;
        final AtomicInteger entered = new AtomicInteger();

        GatedSink(boolean open) {
            gate = new CountDownLatch(open ? 0 : 1);
        }

        @Override
        public void accept(ObjectEvent event, Acknowledgement ack) throws InterruptedException {
            entered.incrementAndGet();
            gate.await();
            keys.add(event.key());
            ack.ack();
        }
    }

    @Test
    void deliversEventsInOrder() {
        GatedSink sink = new GatedSink(true);
        trigger = new InProcessTrigger(8, Duration.ofSeconds(10));
        trigger.start(sink);

        IntStream.range(0, 200).forEach(i -> trigger.accept(event(i)));

        List<String> expected = IntStream.range(0, 200).mapToObj(i -> "photos/img-" + i + ".jpg").toList();
        await().atMost(PATIENCE).until(() -> sink.keys.size() == 200);
        assertThat(sink.keys).containsExactlyElementsOf(expected);
    }

    @Test
    void producerBlocksWhileTheQueueIsFull() {
        GatedSink sink = new GatedSink(false);
        trigger = new InProcessTrigger(2, Duration.ofSeconds(10));
        trigger.start(sink);
        AtomicInteger queuedByProducer = new AtomicInteger();
        Thread uploader = new Thread(() -> {
            for (int i = 0; i < 5; i++) {
                trigger.accept(event(i));
                queuedByProducer.incrementAndGet();
            }
        }, "uploader");
        uploader.start();

        // One event is in the (blocked) sink, two fill the queue; the fourth accept waits.
        await().atMost(PATIENCE).until(() -> sink.entered.get() == 1
                && queuedByProducer.get() == 3
                && trigger.queued() == 2
                && uploader.getState() == Thread.State.TIMED_WAITING);
        assertThat(uploader.isAlive()).isTrue();

        sink.gate.countDown();

        await().atMost(PATIENCE).until(() -> sink.keys.size() == 5);
        assertThat(queuedByProducer).hasValue(5);
        assertThat(sink.keys).containsExactly("photos/img-0.jpg", "photos/img-1.jpg", "photos/img-2.jpg",
                "photos/img-3.jpg", "photos/img-4.jpg");
    }

    @Test
    void eventsBeforeStartWaitInTheQueue() {
        trigger = new InProcessTrigger(4, Duration.ofSeconds(10));
        trigger.accept(event(1));
        trigger.accept(event(2));
        GatedSink sink = new GatedSink(true);

        trigger.start(sink);

        await().atMost(PATIENCE).until(() -> sink.keys.size() == 2);
        assertThat(sink.keys).containsExactly("photos/img-1.jpg", "photos/img-2.jpg");
    }

    @Test
    void closeDrainsWhatIsQueued() throws Exception {
        GatedSink sink = new GatedSink(false);
        trigger = new InProcessTrigger(10, Duration.ofSeconds(30));
        trigger.start(sink);
        IntStream.range(0, 6).forEach(i -> trigger.accept(event(i)));
        await().atMost(PATIENCE).until(() -> sink.entered.get() == 1 && trigger.queued() == 5);

        Thread closer = new Thread(trigger::close, "closer");
        closer.start();
        // Once closed, new events are refused while the queued ones are still handed over.
        await().atMost(PATIENCE).until(() -> closer.getState() == Thread.State.TIMED_WAITING
                || closer.getState() == Thread.State.WAITING);
        trigger.accept(event(99));
        sink.gate.countDown();
        closer.join(PATIENCE.toMillis());

        assertThat(closer.isAlive()).isFalse();
        assertThat(sink.keys).containsExactly("photos/img-0.jpg", "photos/img-1.jpg", "photos/img-2.jpg",
                "photos/img-3.jpg", "photos/img-4.jpg", "photos/img-5.jpg");
        assertThat(trigger.queued()).isZero();
    }

    @Test
    void closeGivesUpAfterTheDrainTimeout() {
        GatedSink sink = new GatedSink(false); // never opens: the sink is stuck
        trigger = new InProcessTrigger(10, Duration.ofMillis(50));
        trigger.start(sink);
        IntStream.range(0, 4).forEach(i -> trigger.accept(event(i)));
        await().atMost(PATIENCE).until(() -> sink.entered.get() == 1);

        trigger.close();

        assertThat(trigger.queued()).isZero();
        assertThat(sink.keys).isEmpty();
    }

    @Test
    void closeReleasesABlockedProducer() throws Exception {
        GatedSink sink = new GatedSink(false);
        trigger = new InProcessTrigger(1, Duration.ofMillis(50));
        trigger.start(sink);
        trigger.accept(event(0));
        await().atMost(PATIENCE).until(() -> sink.entered.get() == 1);
        trigger.accept(event(1));
        Thread uploader = new Thread(() -> trigger.accept(event(2)), "uploader");
        uploader.start();
        await().atMost(PATIENCE).until(() -> uploader.getState() == Thread.State.TIMED_WAITING);

        trigger.close();
        uploader.join(PATIENCE.toMillis());

        assertThat(uploader.isAlive()).isFalse();
    }

    @Test
    void aFailingSinkDoesNotStopTheQueue() {
        List<String> keys = new CopyOnWriteArrayList<>();
        trigger = new InProcessTrigger(4, Duration.ofSeconds(10));
        trigger.start((event, ack) -> {
            if (event.key().endsWith("img-1.jpg")) {
                throw new IllegalStateException("boom");
            }
            keys.add(event.key());
            ack.ack();
        });

        IntStream.range(0, 3).forEach(i -> trigger.accept(event(i)));

        await().atMost(PATIENCE).until(() -> keys.size() == 2);
        assertThat(keys).containsExactly("photos/img-0.jpg", "photos/img-2.jpg");
    }

    @Test
    void startsOnceAndValidatesCapacity() {
        trigger = new InProcessTrigger(1, Duration.ofSeconds(1));
        trigger.start((event, ack) -> ack.ack());

        assertThatThrownBy(() -> trigger.start((event, ack) -> ack.ack())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new InProcessTrigger(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(trigger.capacity()).isEqualTo(1);
    }
}
