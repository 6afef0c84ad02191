package dev.sluice.core.config;

import dev.sluice.core.event.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * MinIO's listen API ({@code ListenBucketNotification}, what {@code mc event listen} uses) as a trigger: one
 * long-lived request per bucket, so MinIO needs no notification target configured. A dropped stream is opened
 * again; after every (re)connect the bucket is listed and what changed meanwhile is emitted, remembering in
 * {@code stateFile} what was acknowledged, so that nothing is lost and nothing finished is emitted again.
 *
 * @param buckets           buckets to listen to (at least one)
 * @param prefix            only keys under this prefix (MinIO filters, and reconciling lists only these)
 * @param events            {@code CREATED} and/or {@code REMOVED}
 * @param stateFile         the acknowledged objects, kept across restarts
 * @param reconnectDelay    wait before the first reconnect; doubles (with jitter) on every failed attempt
 * @param maxReconnectDelay the longest wait between reconnect attempts
 * @param idleTimeout       a stream that delivers nothing, not even MinIO's keep-alives, for this long is dropped
 *                          and opened again
 * @param reconcileEvery    also list every bucket this often, as a safety net; {@link Duration#ZERO} lists only
 *                          after connecting (and after overload or a nack)
 */
public record ListenSettings(List<String> buckets, String prefix, Set<EventType> events, Path stateFile,
                             Duration reconnectDelay, Duration maxReconnectDelay, Duration idleTimeout,
                             Duration reconcileEvery) {

    public static final String DEFAULT_STATE_FILE = "sluice-listen-state.json";
    public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** MinIO's keep-alive comes every second at most, so anything shorter would drop healthy streams. */
    public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_RECONCILE_EVERY = Duration.ofHours(1);

    public ListenSettings {
        buckets = List.copyOf(Objects.requireNonNull(buckets, "buckets"));
        prefix = prefix == null ? "" : prefix;
        events = events == null || events.isEmpty() ? Set.of(EventType.CREATED) : Set.copyOf(events);
        Objects.requireNonNull(stateFile, "stateFile");
        reconnectDelay = reconnectDelay == null ? DEFAULT_RECONNECT_DELAY : reconnectDelay;
        maxReconnectDelay = maxReconnectDelay == null ? DEFAULT_MAX_RECONNECT_DELAY : maxReconnectDelay;
        idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
        reconcileEvery = reconcileEvery == null ? DEFAULT_RECONCILE_EVERY : reconcileEvery;
        if (buckets.isEmpty() || buckets.stream().anyMatch(b -> b == null || b.isBlank())) {
            throw new IllegalArgumentException("Name at least one bucket to listen to, none of them blank.");
        }
        if (events.contains(EventType.OTHER)) {
            throw new IllegalArgumentException("Listen to created and/or removed events only.");
        }
        if (reconnectDelay.isZero() || reconnectDelay.isNegative() || maxReconnectDelay.compareTo(reconnectDelay) < 0) {
            throw new IllegalArgumentException("reconnectDelay must be positive and at most maxReconnectDelay.");
        }
        if (idleTimeout.compareTo(MIN_IDLE_TIMEOUT) < 0) {
            throw new IllegalArgumentException("idleTimeout must be at least " + MIN_IDLE_TIMEOUT.toSeconds() + "s.");
        }
        if (reconcileEvery.isNegative()) {
            throw new IllegalArgumentException("reconcileEvery must not be negative.");
        }
    }

    /** Created and removed events on {@code buckets}, everything else at its default. */
    public static ListenSettings of(List<String> buckets, Path stateFile) {
        return new ListenSettings(buckets, "", EnumSet.of(EventType.CREATED, EventType.REMOVED), stateFile,
                null, null, null, null);
    }

    public ListenSettings withReconnectDelays(Duration delay, Duration max) {
        return new ListenSettings(buckets, prefix, events, stateFile, delay, max, idleTimeout, reconcileEvery);
    }

    public ListenSettings withIdleTimeout(Duration timeout) {
        return new ListenSettings(buckets, prefix, events, stateFile, reconnectDelay, maxReconnectDelay, timeout,
                reconcileEvery);
    }

    public ListenSettings withReconcileEvery(Duration every) {
        return new ListenSettings(buckets, prefix, events, stateFile, reconnectDelay, maxReconnectDelay, idleTimeout,
                every);
    }

    public ListenSettings withPrefix(String keyPrefix) {
        return new ListenSettings(buckets, keyPrefix, events, stateFile, reconnectDelay, maxReconnectDelay,
                idleTimeout, reconcileEvery);
    }

    public ListenSettings withEvents(Set<EventType> types) {
        return new ListenSettings(buckets, prefix, types, stateFile, reconnectDelay, maxReconnectDelay, idleTimeout,
                reconcileEvery);
    }
}
