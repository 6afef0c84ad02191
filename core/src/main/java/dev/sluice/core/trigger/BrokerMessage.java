package dev.sluice.core.trigger;

import dev.sluice.core.event.EventParseException;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.event.S3EventParser;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One message a broker trigger took from its queue, stream or topic, with the broker's ways of settling it. What
 * becomes of a message is the same for every broker ({@link #handle}); how it is acknowledged, handed back or
 * delivered again is each broker's own.
 */
public interface BrokerMessage {

    /** The message as published: an S3 event notification, if all is well. */
    byte[] body();

    /** How often the message has been delivered, this time included: 1 the first time. */
    long deliveries();

    /** Every event of the message finished (or was dead-lettered by the executor): settle it for good. */
    void finished();

    /** The trigger is stopping: hand the message back now, for another worker. */
    void handBack();

    /** An event failed and deliveries are left: deliver the message again after the redelivery delay. */
    void redeliverLater(String failure);

    /** Given up on: write a dead-letter record saying why, then settle the message for good. */
    void deadLetter(String reason);

    /** Work on one of its events made progress; brokers that redeliver silent messages hear of it. */
    default void inProgress() {
    }

    /**
     * Hands a message's events to the sink and settles it by their outcome:
     * <ul>
     *   <li>delivered more than {@code maxDeliver} times (each worker died or stopped before it finished): a dead
     *       letter, so it cannot loop forever;</li>
     *   <li>not an S3 event notification: a dead letter at once; no events (a test event): finished;</li>
     *   <li>every event acknowledged: finished; one failed: handed back when stopping, else delivered again, and
     *       a dead letter on its {@code maxDeliver}-th failed delivery.</li>
     * </ul>
     *
     * @param running false once the trigger is stopping
     */
    static void handle(BrokerMessage message, int maxDeliver, EventSink sink, BooleanSupplier running) {
        long delivered = message.deliveries();
        if (delivered > maxDeliver) {
            message.deadLetter("delivered " + delivered + " times without finishing (the worker stopped, was "
                    + "killed or timed out each time)");
            return;
        }
        List<ObjectEvent> events;
        try {
            events = S3EventParser.parse(message.body());
        } catch (EventParseException e) {
            message.deadLetter("not an S3 event notification: " + e.getMessage());
            return;
        }
        if (events.isEmpty()) { // e.g. s3:TestEvent
            message.finished();
            return;
        }
        Settlement.handOver(events, sink, failure -> {
            if (failure == null) {
                message.finished();
            } else if (!running.getAsBoolean()) {
                message.handBack();
            } else if (message.deliveries() >= maxDeliver) {
                message.deadLetter("failed on each of " + message.deliveries() + " deliveries; last: " + failure);
            } else {
                message.redeliverLater(failure);
            }
        }, message::inProgress);
    }
}
