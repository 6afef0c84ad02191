package dev.sluice.triggers;

import dev.sluice.core.config.PollSettings;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.core.trigger.AcknowledgedObjects;
import dev.sluice.core.trigger.AcknowledgingEmitter;
import dev.sluice.core.trigger.EventSink;
import dev.sluice.core.trigger.Trigger;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds new, changed and removed objects by listing buckets, for S3-compatible stores that send no
 * notifications.
 *
 * <p>Every {@code interval} a round lists each configured bucket under the prefix, page by page, and compares
 * each object's eTag with what it remembers: a new or changed object yields a CREATED event, a remembered object
 * that is no longer listed a REMOVED event. What it remembers is updated only when the sink acknowledges the
 * event, and saved to {@code stateFile} (atomically) after each round and on close, so a crash or restart emits
 * unacknowledged events again: nothing is lost, and processing downstream is idempotent.
 *
 * <p>An event that is still being processed is not emitted again by later rounds (no duplicate work on slow
 * functions); a nacked one is emitted in the next round, and one neither acked nor nacked after
 * {@code redeliverAfter} is emitted again as well. A store error skips that bucket for the round (and its
 * removal check, since the listing was incomplete); the next round tries again.
 *
 * <p>An {@code interval} of zero (or null) schedules nothing: rounds run only when {@link #pollOnce()} is called.
 */
public final class PollingTrigger implements Trigger {
    private static final Logger LOG = LoggerFactory.getLogger(PollingTrigger.class);
    /** The state file's format (its JSON says which trigger wrote it). */
    static final String STATE_FORMAT = "sluice-poll-state/1";
    public static final Duration DEFAULT_REDELIVER_AFTER = Duration.ofMinutes(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /** What one round did. */
    public record PollRound(long round, int created, int removed, List<String> failedBuckets) {
        public PollRound {
            failedBuckets = List.copyOf(failedBuckets);
        }
    }


    private final ObjectStore store;
    private final PollSettings settings;
    private final AcknowledgingEmitter emitter;
    private final Map<String, String> failingBuckets = new ConcurrentHashMap<>();
    private final Object roundLock = new Object();
    private volatile AcknowledgedObjects state;
    private volatile EventSink sink;
    private volatile long round;
    private volatile boolean closed;
    private ScheduledExecutorService scheduler;

    public PollingTrigger(ObjectStore store, PollSettings settings) {
        this(store, settings, DEFAULT_REDELIVER_AFTER);
    }

    /**
     * @param redeliverAfter how long an event may stay neither acked nor nacked before a round emits it again
     */
    public PollingTrigger(ObjectStore store, PollSettings settings, Duration redeliverAfter) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.emitter = new AcknowledgingEmitter(redeliverAfter, new AcknowledgingEmitter.OnFailure() {
            @Override
            public void nacked(ObjectEvent event, String reason) {
                LOG.warn("Event for {} was not processed ({}); the next poll round emits it again.",
                        event.location(), reason);
            }

            @Override
            public void refused(ObjectEvent event, RuntimeException error) {
                LOG.error("The sink refused the event for {}; the next poll round emits it again: {}",
                        event.location(), error.toString());
            }
        });
        Objects.requireNonNull(settings.stateFile(), "settings.stateFile");
        if (settings.buckets().isEmpty()) {
            throw new IllegalArgumentException("Name at least one bucket to poll.");
        }
    }

    @Override
    public String name() {
        String every = scheduled() ? " every " + settings.interval() : " on demand";
        return "poll " + String.join(",", settings.buckets())
                + (settings.prefix().isEmpty() ? "" : " prefix " + settings.prefix()) + every;
    }

    /** Loads the saved state and, unless the interval is zero, starts polling (the first round right away). */
    @Override
    public synchronized void start(EventSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (closed) {
            throw new IllegalStateException("The polling trigger is closed; create a new one.");
        }
        if (this.sink != null) {
            throw new IllegalStateException("The polling trigger is already started.");
        }
        state = AcknowledgedObjects.load(settings.stateFile(), STATE_FORMAT, "poll", settings.buckets(),
                settings.prefix());
        this.sink = sink;
        LOG.info("Polling trigger {}: remembers {} object(s) from {}", name(), state.size(), settings.stateFile());
        if (scheduled()) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sluice-poll");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::scheduledRound, 0, settings.interval().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private boolean scheduled() {
        return settings.interval() != null && settings.interval().toMillis() > 0;
    }

    private void scheduledRound() {
        if (closed) {
            return;
        }
        try {
            pollOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // A throwing task would silently end the schedule; log and let the next round try again.
            LOG.error("Polling round failed; trying again in {}: {}", settings.interval(), e.toString(), e);
        }
    }

    /**
     * Runs one round now: lists every bucket, emits events for what changed (blocking while the sink pushes
     * back), then saves the state if acknowledgements changed it. Rounds never overlap.
     */
    public PollRound pollOnce() throws InterruptedException {
        if (sink == null) {
            throw new IllegalStateException("Start the polling trigger before polling.");
        }
        synchronized (roundLock) {
            if (closed) {
                throw new IllegalStateException("The polling trigger is closed.");
            }
            long current = ++round;
            int[] counts = new int[2];
            List<String> failed = new ArrayList<>();
            for (String bucket : settings.buckets()) {
                if (!pollBucket(bucket, current, counts)) {
                    failed.add(bucket);
                }
            }
            saveIfChanged();
            PollRound result = new PollRound(current, counts[0], counts[1], failed);
            if (result.created() + result.removed() > 0) {
                LOG.info("Poll round {}: {} created/changed, {} removed", current, result.created(), result.removed());
            }
            return result;
        }
    }

    /** Lists one bucket and emits its events; false when the listing failed. */
    private boolean pollBucket(String bucket, long current, int[] counts) throws InterruptedException {
        Map<String, AcknowledgedObjects.Seen> seen = state.bucket(bucket);
        try (Stream<ObjectInfo> objects = store.list(bucket, settings.prefix())) {
            Iterator<ObjectInfo> listing = objects.iterator();
            while (listing.hasNext()) {
                ObjectInfo object = listing.next();
                if (isFolderMarker(object)) {
                    continue;
                }
                String fingerprint = AcknowledgingEmitter.fingerprint(object);
                AcknowledgedObjects.Seen known = seen.get(object.key());
                if (known != null) {
                    known.listedIn(current);
                    if (known.fingerprint().equals(fingerprint)) {
                        continue;
                    }
                }
                if (emit(AcknowledgingEmitter.created(bucket, object), fingerprint)) {
                    counts[0]++;
                }
            }
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("polling stopped");
            }
            String problem = e.getClass().getName(); // not the message: it carries a new request id every time
            if (!problem.equals(failingBuckets.put(bucket, problem))) {
                LOG.warn("Listing s3://{}/{} failed; trying again every round: {}", bucket, settings.prefix(),
                        e.toString());
            } else {
                LOG.debug("Listing s3://{}/{} still fails: {}", bucket, settings.prefix(), e.toString());
            }
            return false;
        }
        if (failingBuckets.remove(bucket) != null) {
            LOG.info("Listing s3://{}/{} works again", bucket, settings.prefix());
        }
        // The listing was complete: what it did not contain is gone.
        for (Map.Entry<String, AcknowledgedObjects.Seen> entry : seen.entrySet()) {
            AcknowledgedObjects.Seen known = entry.getValue();
            if (known.round() < current
                    && emit(AcknowledgingEmitter.removed(bucket, entry.getKey()), known.fingerprint())) {
                counts[1]++;
            }
        }
        return true;
    }

    /** Hands the event to the sink unless the same event is still being processed; true when handed over. */
    private boolean emit(ObjectEvent event, String fingerprint) throws InterruptedException {
        long emittedInRound = round;
        return emitter.emit(sink, state, event, fingerprint, () -> Math.max(round, emittedInRound));
    }

    /**
     * A key ending in {@code /}: a "folder" made by a console (an empty object), or a directory that a
     * filesystem-backed store (S3Proxy's, hence the embedded server) lists as an entry. Nothing to process.
     */
    static boolean isFolderMarker(ObjectInfo object) {
        return object.key().endsWith("/");
    }

    /** Objects whose acknowledged state is remembered. */
    public long remembered() {
        AcknowledgedObjects current = state;
        return current == null ? 0 : current.size();
    }

    /** Events handed to the sink that are neither acked nor nacked yet. */
    public int inFlight() {
        return emitter.inFlight();
    }

    private void saveIfChanged() {
        AcknowledgedObjects current = state;
        if (current == null || !current.dirty()) {
            return;
        }
        try {
            current.save(settings.stateFile());
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not save the poll state to {} (trying again after the next round): {}",
                    settings.stateFile(), e.toString());
        }
    }

    /** Stops polling (interrupting a round that waits on the sink or the store) and saves the state. */
    @Override
    public void close() {
        ScheduledExecutorService running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = scheduler;
        }
        if (running != null) {
            running.shutdownNow();
            try {
                if (!running.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("The polling round did not stop within {}", CLOSE_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        saveIfChanged();
    }
}
