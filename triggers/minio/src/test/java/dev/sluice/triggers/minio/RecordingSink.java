package dev.sluice.triggers.minio;

import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.trigger.Acknowledgement;
import dev.sluice.core.trigger.EventSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/** A sink that records what it receives and acks, nacks, holds or blocks on each event as its policy says. */
final class RecordingSink implements EventSink {

    enum Mode { ACK, NACK, HOLD, BLOCK }

    record Delivery(ObjectEvent event, Acknowledgement ack) {
    }

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final CountDownLatch unblock = new CountDownLatch(1);
    private volatile Function<ObjectEvent, Mode> policy;

    RecordingSink(Mode mode) {
        this.policy = event -> mode;
    }

    void mode(Mode mode) {
        this.policy = event -> mode;
    }

    void policy(Function<ObjectEvent, Mode> decide) {
        this.policy = decide;
    }

    /** Lets every blocked {@link #accept} return (acking). */
    void release() {
        unblock.countDown();
    }

    @Override
    public void accept(ObjectEvent event, Acknowledgement ack) throws InterruptedException {
        deliveries.add(new Delivery(event, ack));
        switch (policy.apply(event)) {
            case ACK -> ack.ack();
            case NACK -> ack.nack("the test said no");
            case HOLD -> { }
            case BLOCK -> {
                unblock.await(); // back-pressure, as a full executor lane gives it
                ack.ack();
            }
        }
    }

    List<Delivery> deliveries() {
        return deliveries;
    }

    List<ObjectEvent> events() {
        return deliveries.stream().map(Delivery::event).toList();
    }

    List<String> created() {
        return keys(EventType.CREATED);
    }

    List<String> removed() {
        return keys(EventType.REMOVED);
    }

    List<String> keys(EventType type) {
        return deliveries.stream().map(Delivery::event).filter(e -> e.eventType() == type).map(ObjectEvent::key)
                .toList();
    }
}
