package dev.sluice.core.trigger;

import dev.sluice.core.event.ObjectEvent;

/** Receives events from a trigger. {@link #accept} may block: that is how back-pressure reaches the trigger. */
@FunctionalInterface
public interface EventSink {

    void accept(ObjectEvent event, Acknowledgement acknowledgement) throws InterruptedException;
}
