package dev.sluice.triggers;

import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.trigger.Acknowledgement;
import dev.sluice.core.trigger.EventSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sink that records what it receives and acks, nacks or holds each event as told. */
final class RecordingSink implements EventSink {

    enum Mode { ACK, NACK, HOLD }

    record Delivery(ObjectEvent event, Acknowledgement ack) {
    }

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private volatile Mode mode;

    RecordingSink(Mode mode) {
        this.mode = mode;
    }

    void mode(Mode mode) {
        this.mode = mode;
    }

    @Override
    public void accept(ObjectEvent event, Acknowledgement ack) {
        deliveries.add(new Delivery(event, ack));
        switch (mode) {
            case ACK -> ack.ack();
            case NACK -> ack.nack("the test said no");
            case HOLD -> { }
        }
    }

    List<Delivery> deliveries() {
        return deliveries;
    }

    List<ObjectEvent> events() {
        return deliveries.stream().map(Delivery::event).toList();
    }

    List<String> keys() {
        return deliveries.stream().map(d -> d.event().key()).toList();
    }

    void clear() {
        deliveries.clear();
    }
}
