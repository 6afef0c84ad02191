package dev.sluice.core.trigger;

import dev.sluice.core.event.ObjectEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The acknowledgements of the events in one broker message, settled as one outcome: done once every event is
 * acknowledged, failed as soon as one is nacked. The outcome is reported exactly once. Shared by the broker
 * triggers, where one message may carry several S3 event records.
 */
public final class Settlement {
    private final AtomicInteger pending;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Consumer<String> onSettled;
    private final Runnable onProgress;

    /**
     * @param events     number of events in the message (at least 1)
     * @param onSettled  called once: with {@code null} when every event was acknowledged, else with the reason
     * @param onProgress called when the work on an event reports progress
     */
    public Settlement(int events, Consumer<String> onSettled, Runnable onProgress) {
        this.pending = new AtomicInteger(events);
        this.onSettled = onSettled;
        this.onProgress = onProgress;
    }

    /** A fresh acknowledgement for one event of the message; give each to exactly one event. */
    public Acknowledgement member() {
        return new Acknowledgement() {
            private final AtomicBoolean done = new AtomicBoolean();

            @Override
            public void ack() {
                if (done.compareAndSet(false, true) && pending.decrementAndGet() == 0) {
                    settle(null);
                }
            }

            @Override
            public void nack(String reason) {
                if (done.compareAndSet(false, true)) {
                    fail(reason);
                }
            }

            @Override
            public void inProgress() {
                onProgress.run();
            }
        };
    }

    /**
     * Hands every event of one message to the sink, each with its own member acknowledgement; the message's
     * outcome arrives through {@code onSettled}. A failed hand-over settles the message as failed.
     */
    public static void handOver(List<ObjectEvent> events, EventSink sink, Consumer<String> onSettled,
                                Runnable onProgress) {
        Settlement settlement = new Settlement(events.size(), onSettled, onProgress);
        for (ObjectEvent event : events) {
            try {
                sink.accept(event, settlement.member());
            } catch (InterruptedException e) {
                settlement.fail("Sluice is stopping"); // the message goes back to the broker
                return;
            } catch (RuntimeException e) {
                settlement.fail("could not be handed over: " + e);
                return;
            }
        }
    }

    public void fail(String reason) {
        settle(reason == null ? "no reason given" : reason);
    }

    private void settle(String failure) {
        if (settled.compareAndSet(false, true)) {
            onSettled.accept(failure);
        }
    }
}
