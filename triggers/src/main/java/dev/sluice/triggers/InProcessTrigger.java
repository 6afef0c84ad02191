package dev.sluice.triggers;

import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.trigger.Acknowledgement;
import dev.sluice.core.trigger.EventSink;
import dev.sluice.core.trigger.Trigger;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events from the embedded S3 server, handed to the sink by one dispatcher thread in arrival order.
 *
 * <p>The embedded server calls {@link #accept(ObjectEvent)} from the thread that serves the upload. The queue
 * between the two is bounded: when it is full, {@code accept} blocks, so the uploader's request waits until
 * Sluice catches up (back-pressure) instead of the queue growing without limit. Events that arrive before
 * {@link #start} wait in the queue.
 *
 * <p>The embedded server cannot deliver an event again, so a nack is only logged; reprocessing is always safe
 * ({@code sluice backfill} or a re-upload).
 */
public final class InProcessTrigger implements Trigger, Consumer<ObjectEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessTrigger.class);
    /** How often a blocked producer or the idle dispatcher looks whether the trigger was closed. */
    private static final long CHECK_MILLIS = 100;

    public static final int DEFAULT_CAPACITY = 1_000;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final BlockingQueue<ObjectEvent> queue;
    private final Duration drainTimeout;
    private volatile boolean closed;
    private volatile Thread dispatcher;

    public InProcessTrigger() {
        this(DEFAULT_CAPACITY, DEFAULT_DRAIN_TIMEOUT);
    }

    /**
     * @param capacity     events that may wait for the sink before uploads are held back
     * @param drainTimeout how long {@link #close()} lets the dispatcher hand over what is queued
     */
    public InProcessTrigger(int capacity, Duration drainTimeout) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
    }

    @Override
    public String name() {
        return "in-process (embedded S3 server)";
    }

    @Override
    public synchronized void start(EventSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (closed) {
            throw new IllegalStateException("The in-process trigger is closed; create a new one.");
        }
        if (dispatcher != null) {
            throw new IllegalStateException("The in-process trigger is already started.");
        }
        Thread thread = new Thread(() -> dispatch(sink), "sluice-in-process-trigger");
        thread.setDaemon(true);
        dispatcher = thread;
        thread.start();
    }

    /**
     * Queues an event for the sink; blocks while the queue is full. After {@link #close()} events are refused
     * (logged). An interrupted producer gives up on the event and keeps its interrupt flag.
     */
    @Override
    public void accept(ObjectEvent event) {
        Objects.requireNonNull(event, "event");
        try {
            while (!closed) {
                if (queue.offer(event, CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while waiting to queue the event for {}; it is not processed.", event.location());
            return;
        }
        LOG.warn("Event for {} arrived after the in-process trigger was closed; it is not processed.",
                event.location());
    }

    /** Events waiting for the sink. */
    public int queued() {
        return queue.size();
    }

    /** Capacity of the queue: {@link #accept} blocks once this many events wait. */
    public int capacity() {
        return queue.size() + queue.remainingCapacity();
    }

    /**
     * Stops taking events and lets the dispatcher hand what is queued to the sink, waiting up to the drain
     * timeout; events still queued after that are dropped with a warning.
     */
    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            thread = dispatcher;
        }
        if (thread == null) {
            dropQueued("the trigger was never started");
            return;
        }
        try {
            thread.join(Math.max(1, drainTimeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt(); // it is blocked in the sink; let it go
            dropQueued("draining took longer than " + drainTimeout);
        }
    }

    private void dispatch(EventSink sink) {
        try {
            while (true) {
                ObjectEvent event = queue.poll(CHECK_MILLIS, TimeUnit.MILLISECONDS);
                if (event == null) {
                    if (closed && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                deliver(sink, event);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deliver(EventSink sink, ObjectEvent event) throws InterruptedException {
        try {
            sink.accept(event, new LoggingAcknowledgement(event));
        } catch (InterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            // One bad event must not stop the queue.
            LOG.error("The sink refused the event for {}; it is not processed: {}", event.location(), e.toString(), e);
        }
    }

    private void dropQueued(String why) {
        int dropped = queue.size();
        queue.clear();
        if (dropped > 0) {
            LOG.warn("{} queued event(s) were not processed because {}; run `sluice backfill` to process them.",
                    dropped, why);
        }
    }

    /** The embedded server cannot redeliver, so a nack can only be reported. */
    private record LoggingAcknowledgement(ObjectEvent event) implements Acknowledgement {
        @Override
        public void ack() {
        }

        @Override
        public void nack(String reason) {
            LOG.warn("Event for {} could not be processed and the embedded server cannot deliver it again: {}."
                    + " Upload the object again or run `sluice backfill` to retry.", event.location(), reason);
        }
    }
}
