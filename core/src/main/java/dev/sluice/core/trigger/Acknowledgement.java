package dev.sluice.core.trigger;

/**
 * Tells the event's source that Sluice is done with it. {@link #ack()} once every step for the event succeeded
 * or was dead-lettered; {@link #nack(String)} when it must be delivered again (e.g. the dead letter itself
 * could not be written). Implementations must tolerate being called from any thread.
 */
public interface Acknowledgement {

    Acknowledgement NONE = new Acknowledgement() {
        @Override
        public void ack() {
        }

        @Override
        public void nack(String reason) {
        }
    };

    void ack();

    void nack(String reason);

    /** Called periodically while work on the event is still going (brokers extend the ack deadline). */
    default void inProgress() {
    }
}
