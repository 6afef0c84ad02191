package dev.sluice.core.trigger;

/**
 * A source of object events: a webhook, a broker consumer, a poller, the embedded server. A trigger never
 * knows about functions or pipelines; it hands every event to the sink and acknowledges it at its source
 * when the sink's {@link Acknowledgement} says so.
 */
public interface Trigger extends AutoCloseable {

    /** A short name for logs, e.g. {@code webhook :8080}. */
    String name();

    /** Starts delivering events to {@code sink}; returns once the trigger is running. */
    void start(EventSink sink) throws Exception;

    /** Stops taking new events. */
    @Override
    void close();
}
