package dev.sluice.core.trigger;

import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Hands object events that a trigger found by listing (or received) to the sink, and records in
 * {@link AcknowledgedObjects} those the sink acknowledges. An event still being processed is not handed over a
 * second time, unless it has been neither acked nor nacked for {@code redeliverAfter}. Shared by the triggers
 * that find work by listing buckets: polling, and the reconcile of MinIO's listen API.
 */
public final class AcknowledgingEmitter {

    /** What the trigger does about an event that was not processed (e.g. log it, list the bucket again). */
    public interface OnFailure {
        /** The sink nacked the event. */
        void nacked(ObjectEvent event, String reason);

        /** The sink threw instead of taking the event. */
        void refused(ObjectEvent event, RuntimeException error);
    }

    /** An event handed to the sink and not yet acked or nacked. */
    private record InFlight(EventType type, String fingerprint, long emittedNanos) {
    }

    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final Duration redeliverAfter;
    private final OnFailure onFailure;

    public AcknowledgingEmitter(Duration redeliverAfter, OnFailure onFailure) {
        this.redeliverAfter = Objects.requireNonNull(redeliverAfter, "redeliverAfter");
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    }

    /**
     * Hands {@code event} to {@code sink} unless the same event is still being processed.
     *
     * @param fingerprint what {@code state} records when the event is acknowledged (for a removal: what was
     *                    remembered when it was emitted, or {@code null})
     * @param round       the listing round recorded with an acknowledged creation, asked when the ack comes
     * @return true when the event was handed over
     */
    public boolean emit(EventSink sink, AcknowledgedObjects state, ObjectEvent event, String fingerprint,
                        LongSupplier round) throws InterruptedException {
        String id = event.bucket() + "/" + event.key();
        InFlight previous = inFlight.get(id);
        if (previous != null && previous.type() == event.eventType()
                && Objects.equals(previous.fingerprint(), fingerprint)
                && System.nanoTime() - previous.emittedNanos() < redeliverAfter.toNanos()) {
            return false;
        }
        InFlight mine = new InFlight(event.eventType(), fingerprint, System.nanoTime());
        inFlight.put(id, mine);
        try {
            sink.accept(event, new Acknowledgement() {
                @Override
                public void ack() {
                    if (event.eventType() == EventType.REMOVED) {
                        state.forget(event.bucket(), event.key(), fingerprint);
                    } else {
                        state.remember(event.bucket(), event.key(), fingerprint, round.getAsLong());
                    }
                    inFlight.remove(id, mine);
                }

                @Override
                public void nack(String reason) {
                    inFlight.remove(id, mine);
                    onFailure.nacked(event, reason);
                }
            });
        } catch (RuntimeException e) {
            inFlight.remove(id, mine);
            onFailure.refused(event, e);
            return false;
        }
        return true;
    }

    /** Events handed to the sink that are neither acked nor nacked yet. */
    public int inFlight() {
        return inFlight.size();
    }

    /** The event for a listed object that is new or changed. */
    public static ObjectEvent created(String bucket, ObjectInfo object) {
        return new ObjectEvent(bucket, object.key(), object.size(), object.eTag(), object.contentType(),
                EventType.CREATED, "ObjectCreated:Put", object.lastModified(), null, null, object.userMetadata());
    }

    /** The event for a remembered object that is no longer listed. */
    public static ObjectEvent removed(String bucket, String key) {
        return new ObjectEvent(bucket, key, -1, null, null, EventType.REMOVED, "ObjectRemoved:Delete",
                Instant.now(), null, null, Map.of());
    }

    /** The eTag; stores that list no eTag are compared on size and modification time instead. */
    public static String fingerprint(ObjectInfo object) {
        if (object.eTag() != null && !object.eTag().isBlank()) {
            return object.eTag();
        }
        return "~" + object.size() + "@" + (object.lastModified() == null ? "" : object.lastModified().toEpochMilli());
    }
}
