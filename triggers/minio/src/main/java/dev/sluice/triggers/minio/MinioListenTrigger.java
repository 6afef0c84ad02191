package dev.sluice.triggers.minio;

import dev.sluice.core.SluiceException;
import dev.sluice.core.config.ListenSettings;
import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.core.trigger.AcknowledgedObjects;
import dev.sluice.core.trigger.AcknowledgingEmitter;
import dev.sluice.core.trigger.EventSink;
import dev.sluice.core.trigger.Trigger;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MinIO's listen API ({@code ListenBucketNotification}, what {@code mc event listen} uses) as a trigger: events
 * arrive over one long-lived, signed HTTP request per bucket, so MinIO needs no notification target, webhook or
 * queue configured. Works with MinIO only.
 *
 * <p><b>Nothing lost.</b> A stream can drop (MinIO restarts, a proxy times out, the network breaks), and MinIO
 * forgets events while nobody listens. So a dropped stream is opened again, with capped exponential backoff and
 * jitter, and every time a stream opens, the bucket is <em>reconciled</em>: listed, and every object whose eTag
 * differs from what was acknowledged before is emitted as created (and, when removals are wanted, every
 * acknowledged object that is gone as removed). The stream is opened before the listing starts, so an upload
 * during the listing is caught by one or the other. What was acknowledged is kept in {@code stateFile} (saved
 * every second and on close), so a restart loses nothing either, and finished objects are not emitted again.
 *
 * <p><b>Never blocking the stream.</b> MinIO drops events for a listener that reads too slowly, so the streams
 * never wait for the sink: events go into a bounded queue that one dispatcher thread hands to the sink (which may
 * block: back-pressure). When the queue is full, the event is dropped from memory and its bucket reconciled once
 * the dispatcher gets to it. Events still being processed are not emitted twice; an event that is nacked (or
 * that the sink refuses) brings a reconcile of its bucket after {@code maxReconnectDelay}, and one neither acked
 * nor nacked after {@code redeliverAfter} is emitted again by the next reconcile. Every {@code reconcileEvery}
 * each bucket is reconciled anyway, as a safety net.
 *
 * <p><b>Dead streams.</b> MinIO sends a keep-alive every few seconds (the request asks for one per
 * {@code ping}); a stream that delivers nothing for {@code idleTimeout} is treated as dropped.
 *
 * <p>At {@link #start}, a refusal that retrying cannot fix (wrong credentials, no such bucket, a store that is
 * not MinIO) fails the start with a message saying what to change; an unreachable MinIO does not (it is retried
 * in the background). Keys in the stream are taken as they are: MinIO's listen API does not URL-encode them.
 */
public final class MinioListenTrigger implements Trigger {
    /** The state file's format (its JSON says which trigger wrote it). */
    static final String STATE_FORMAT = "sluice-listen-state/1";
    private static final Logger LOG = LoggerFactory.getLogger(MinioListenTrigger.class);
    /** How long an event may stay neither acked nor nacked before a reconcile emits it again. */
    public static final Duration DEFAULT_REDELIVER_AFTER = Duration.ofMinutes(30);
    /** Events waiting for the sink; more are dropped from memory and found again by listing. */
    static final int QUEUE_CAPACITY = 10_000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final long SAVE_EVERY_MILLIS = 1000;

    /** An event for the dispatcher, or (with {@code null}) a nudge to look at the reconcile requests. */
    private record Work(ObjectEvent event) {
        static final Work WAKE = new Work(null);
    }

    private final ObjectStore store;
    private final ListenEndpoint endpoint;
    private final ListenSettings settings;
    private final AcknowledgingEmitter emitter;
    private final Backoff backoff;
    private final int ping;
    private final Map<String, BucketListener> listeners = new LinkedHashMap<>();
    private final int queueCapacity;
    private final BlockingQueue<Work> work;
    private final Set<String> reconcileWanted = ConcurrentHashMap.newKeySet();
    private final Set<String> overflowing = ConcurrentHashMap.newKeySet();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong reconciles = new AtomicLong();
    private volatile AcknowledgedObjects state;
    private volatile EventSink sink;
    private volatile boolean closed;
    private ScheduledExecutorService timer;
    private HttpClient http;
    private Thread dispatcher;

    public MinioListenTrigger(ObjectStore store, ListenEndpoint endpoint, ListenSettings settings) {
        this(store, endpoint, settings, DEFAULT_REDELIVER_AFTER);
    }

    /**
     * @param store          the same MinIO, for the listings that reconcile a bucket
     * @param redeliverAfter how long an event may stay neither acked nor nacked before a reconcile emits it again
     */
    public MinioListenTrigger(ObjectStore store, ListenEndpoint endpoint, ListenSettings settings,
                              Duration redeliverAfter) {
        this(store, endpoint, settings, redeliverAfter, QUEUE_CAPACITY);
    }

    /** @param queueCapacity events waiting for the sink before the rest are left to a reconcile (tests shrink it) */
    MinioListenTrigger(ObjectStore store, ListenEndpoint endpoint, ListenSettings settings, Duration redeliverAfter,
                       int queueCapacity) {
        this.queueCapacity = queueCapacity;
        this.work = new ArrayBlockingQueue<>(queueCapacity);
        this.store = Objects.requireNonNull(store, "store");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.emitter = new AcknowledgingEmitter(redeliverAfter, new AcknowledgingEmitter.OnFailure() {
            @Override
            public void nacked(ObjectEvent event, String reason) {
                LOG.warn("Event for {} was not processed ({}); s3://{} is listed again in {} s, which emits it"
                        + " again.", event.location(), reason, event.bucket(),
                        settings.maxReconnectDelay().toSeconds());
                requestReconcileLater(event.bucket());
            }

            @Override
            public void refused(ObjectEvent event, RuntimeException error) {
                LOG.error("The sink refused the event for {}; s3://{} is listed again in {} s: {}", event.location(),
                        event.bucket(), settings.maxReconnectDelay().toSeconds(), error.toString());
                requestReconcileLater(event.bucket());
            }
        });
        this.backoff = new Backoff(settings.reconnectDelay(), settings.maxReconnectDelay());
        // MinIO sends its first bytes, and with them the response headers, at the first keep-alive.
        this.ping = (int) Math.max(1, Math.min(5, settings.idleTimeout().toSeconds() / 3));
    }

    @Override
    public String name() {
        List<String> buckets = settings.buckets().stream().map(b -> "s3://" + b + "/" + settings.prefix()).toList();
        return "listen " + String.join(", ", buckets) + " at " + endpoint.endpoint();
    }

    /**
     * Loads the saved state and opens one stream per bucket; each bucket is reconciled as soon as its stream is
     * open. Waits (up to the idle timeout) for MinIO's first answers, and fails if one is a refusal that retrying
     * will not fix.
     */
    @Override
    public void start(EventSink sink) throws InterruptedException {
        Objects.requireNonNull(sink, "sink");
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("The listen trigger is closed; create a new one.");
            }
            if (this.sink != null) {
                throw new IllegalStateException("The listen trigger is already started.");
            }
            state = AcknowledgedObjects.load(settings.stateFile(), STATE_FORMAT, "listen", settings.buckets(),
                    settings.prefix());
            this.sink = sink;
            timer = Executors.newSingleThreadScheduledExecutor(daemon("sluice-listen-timer"));
            // With its own default executor: cancelling an exchange (which closes its connection) runs there, so
            // that executor must not be shut down with this trigger.
            http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(CONNECT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            dispatcher = daemon("sluice-listen").newThread(this::dispatch);
            dispatcher.start();
            for (String bucket : settings.buckets()) {
                listeners.put(bucket, new BucketListener(bucket));
            }
        }
        LOG.info("Listen trigger {}: remembers {} acknowledged object(s) from {}", name(), state.size(),
                settings.stateFile());
        listeners.values().forEach(BucketListener::connect);
        long check = Math.max(100, Math.min(1000, settings.idleTimeout().toMillis() / 6));
        timer.scheduleWithFixedDelay(this::checkIdle, check, check, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::saveIfChanged, SAVE_EVERY_MILLIS, SAVE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        long every = settings.reconcileEvery().toMillis();
        if (every > 0) {
            timer.scheduleWithFixedDelay(() -> settings.buckets().forEach(this::requestReconcile), every, every,
                    TimeUnit.MILLISECONDS);
        }
        failOnPermanentRefusal();
    }

    /** Waits for each bucket's first answer; throws when MinIO refused in a way that retrying will not fix. */
    private void failOnPermanentRefusal() throws InterruptedException {
        long deadline = System.nanoTime() + settings.idleTimeout().plus(CONNECT_TIMEOUT).toNanos();
        List<String> refusals = new ArrayList<>();
        for (BucketListener listener : listeners.values()) {
            try {
                String refusal = listener.firstOutcome.get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                if (refusal != null) {
                    refusals.add(refusal);
                }
            } catch (TimeoutException e) {
                LOG.info("MinIO has not answered the listen request for s3://{} yet; still trying", listener.bucket);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        if (!refusals.isEmpty()) {
            close();
            throw new SluiceException(String.join("\n", refusals));
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ---- the streams -----------------------------------------------------------------------------------------

    /** One bucket's stream, and its reconnects. */
    private final class BucketListener implements ListenStream.Listener {
        final String bucket;
        /** {@code null} once MinIO answered or the first attempt failed transiently; else the permanent refusal. */
        final CompletableFuture<String> firstOutcome = new CompletableFuture<>();
        private volatile ListenStream current;
        private ScheduledFuture<?> retry;
        private int failures;
        private long openedNanos;
        private long droppedNanos = -1;

        BucketListener(String bucket) {
            this.bucket = bucket;
        }

        synchronized void connect() {
            retry = null;
            if (closed) {
                return;
            }
            ListenStream stream = new ListenStream(bucket, endpoint.endpoint().toString(), this);
            current = stream;
            HttpRequest request;
            try {
                request = endpoint.listen(bucket, settings.prefix(), settings.events(), ping, settings.idleTimeout());
            } catch (RuntimeException e) { // e.g. a credentials provider that cannot find credentials
                ended(stream, "cannot sign the listen request for s3://" + bucket + ": " + e.getMessage(), false);
                return;
            }
            stream.start(http, request);
        }

        @Override
        public synchronized void opened(ListenStream stream) {
            if (stream != current || closed) {
                return;
            }
            openedNanos = System.nanoTime();
            if (droppedNanos >= 0) {
                LOG.info("Listening to s3://{} at {} again after {} ms without a stream; listing the bucket for what"
                        + " happened meanwhile", bucket, endpoint.endpoint(),
                        TimeUnit.NANOSECONDS.toMillis(openedNanos - droppedNanos));
            } else {
                LOG.info("Listening to s3://{} at {}; listing the bucket for what is not processed yet", bucket,
                        endpoint.endpoint());
            }
            requestReconcile(bucket);
            firstOutcome.complete(null);
        }

        @Override
        public void received(ListenStream stream, List<ObjectEvent> events) {
            if (stream != current) {
                return;
            }
            for (ObjectEvent event : events) {
                if (!work.offer(new Work(event))) {
                    if (overflowing.add(event.bucket())) {
                        LOG.warn("More than {} events are waiting to be processed; s3://{} will be listed again once"
                                + " the dispatcher gets to it, so the events not kept in memory are not lost",
                                queueCapacity, event.bucket());
                    }
                    reconcileWanted.add(event.bucket());
                }
            }
        }

        @Override
        public void unreadable(ListenStream stream, String line, RuntimeException problem) {
            if (stream != current) {
                return;
            }
            LOG.warn("MinIO sent a line for s3://{} that is not an event notification ({}): {}; listing the bucket"
                    + " instead, so no event is lost", bucket, problem.getMessage(), abbreviate(line));
            requestReconcile(bucket);
        }

        @Override
        public synchronized void ended(ListenStream stream, String reason, boolean permanent) {
            if (stream != current || closed) {
                return;
            }
            current = null;
            long now = System.nanoTime();
            boolean wasOpen = stream.isOpen();
            if (wasOpen && now - openedNanos >= settings.maxReconnectDelay().toNanos()) {
                failures = 0; // it served for a good while: start the backoff afresh
            }
            failures++;
            Duration delay = permanent ? settings.maxReconnectDelay() : backoff.delay(failures);
            if (wasOpen) {
                droppedNanos = now;
                LOG.warn("The MinIO listen stream for s3://{} dropped: {}. Reconnecting in {} ms; the bucket is listed"
                        + " after reconnecting, so no event is lost.", bucket, reason, delay.toMillis());
            } else if (permanent) {
                LOG.error("{} Trying again in {} s.", reason, delay.toSeconds());
            } else {
                if (droppedNanos < 0) {
                    droppedNanos = now;
                }
                LOG.warn("Cannot listen to s3://{} (attempt {}): {}. Trying again in {} ms.", bucket, failures, reason,
                        delay.toMillis());
            }
            firstOutcome.complete(permanent ? reason : null);
            try {
                retry = timer.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }

        /** Drops a stream that has been silent too long (not even keep-alives: a dead connection). */
        void checkIdle() {
            ListenStream stream = current;
            if (stream != null && stream.idleNanos() > settings.idleTimeout().toNanos()) {
                stream.cancel();
                ended(stream, "nothing arrived for " + settings.idleTimeout().toSeconds()
                        + " s, not even MinIO's keep-alive", false);
            }
        }

        synchronized void stop() {
            if (retry != null) {
                retry.cancel(false);
                retry = null;
            }
            ListenStream stream = current;
            current = null;
            if (stream != null) {
                stream.cancel();
            }
        }

        boolean isOpen() {
            ListenStream stream = current;
            return stream != null && stream.isOpen();
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    private void checkIdle() {
        try {
            listeners.values().forEach(BucketListener::checkIdle);
        } catch (RuntimeException e) {
            LOG.error("Checking the listen streams failed: {}", e.toString(), e);
        }
    }

    // ---- the dispatcher ----------------------------------------------------------------------------------------

    private void requestReconcile(String bucket) {
        if (!closed) {
            reconcileWanted.add(bucket);
            work.offer(Work.WAKE); // best effort: a full queue keeps the dispatcher busy and looking anyway
        }
    }

    private void requestReconcileLater(String bucket) {
        if (closed) {
            return;
        }
        try {
            timer.schedule(() -> requestReconcile(bucket), settings.maxReconnectDelay().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Hands queued events to the sink, and reconciles the buckets that ask for it (those first). */
    private void dispatch() {
        while (!closed) {
            try {
                String bucket = nextReconcile();
                if (bucket != null) {
                    reconcile(bucket);
                    continue;
                }
                Work next = work.poll(1, TimeUnit.SECONDS);
                if (next != null && next.event() != null) {
                    emitLive(next.event());
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.error("The listen trigger's dispatcher hit an error and goes on: {}", e.toString(), e);
            }
        }
    }

    private String nextReconcile() {
        Iterator<String> wanted = reconcileWanted.iterator();
        while (wanted.hasNext()) {
            String bucket = wanted.next();
            if (reconcileWanted.remove(bucket)) {
                return bucket;
            }
        }
        return null;
    }

    /**
     * Every event from the stream goes to the sink, as a webhook's would, even for content processed before (a
     * re-upload): the executor skips what is current. Only an event whose very version is still in flight is not
     * handed over twice.
     */
    private void emitLive(ObjectEvent event) throws InterruptedException {
        switch (event.eventType()) {
            case CREATED -> {
                if (!isFolderMarker(event.key())) {
                    emit(event, fingerprint(event));
                }
            }
            case REMOVED -> emit(event, state.fingerprint(event.bucket(), event.key()));
            default -> LOG.debug("Ignoring {} for {}", event.eventName(), event.location());
        }
    }

    /**
     * Lists the bucket and emits what changed since the last acknowledgements: new or changed objects as created,
     * and (when the listing completed) acknowledged objects that are gone as removed.
     */
    private void reconcile(String bucket) throws InterruptedException {
        overflowing.remove(bucket);
        long current = generation.incrementAndGet();
        Map<String, AcknowledgedObjects.Seen> seen = state.bucket(bucket);
        boolean wantCreated = settings.events().contains(EventType.CREATED);
        boolean wantRemoved = settings.events().contains(EventType.REMOVED);
        int created = 0;
        int removed = 0;
        try (Stream<ObjectInfo> objects = store.list(bucket, settings.prefix())) {
            Iterator<ObjectInfo> listing = objects.iterator();
            while (listing.hasNext()) {
                ObjectInfo object = listing.next();
                if (isFolderMarker(object.key())) {
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
                if (!wantCreated) {
                    state.remember(bucket, object.key(), fingerprint, current); // needed to notice removals
                } else if (emit(AcknowledgingEmitter.created(bucket, object), fingerprint)) {
                    created++;
                }
            }
        } catch (RuntimeException e) {
            if (closed || Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("listen trigger closing");
            }
            LOG.warn("Listing s3://{}/{} to reconcile it failed (trying again in {} s): {}", bucket,
                    settings.prefix(), settings.maxReconnectDelay().toSeconds(), e.toString());
            requestReconcileLater(bucket);
            return;
        }
        // The listing was complete: what it did not contain is gone.
        for (Map.Entry<String, AcknowledgedObjects.Seen> entry : seen.entrySet()) {
            AcknowledgedObjects.Seen known = entry.getValue();
            if (known.round() < current) {
                if (!wantRemoved) {
                    state.forget(bucket, entry.getKey(), known.fingerprint());
                } else if (emit(AcknowledgingEmitter.removed(bucket, entry.getKey()), known.fingerprint())) {
                    removed++;
                }
            }
        }
        reconciles.incrementAndGet();
        if (created + removed > 0) {
            LOG.info("Reconciled s3://{}/{}: {} new or changed, {} removed", bucket, settings.prefix(), created,
                    removed);
        } else {
            LOG.debug("Reconciled s3://{}/{}: nothing missed", bucket, settings.prefix());
        }
    }

    /** Hands the event to the sink unless the same event is still being processed; true when handed over. */
    private boolean emit(ObjectEvent event, String fingerprint) throws InterruptedException {
        return emitter.emit(sink, state, event, fingerprint, generation::get);
    }

    /** A "folder" made by a console (an empty object whose key ends in {@code /}): nothing to process. */
    private static boolean isFolderMarker(String key) {
        return key.endsWith("/");
    }

    private static String fingerprint(ObjectEvent event) {
        return event.eTag() != null ? event.eTag() : "~" + event.size() + "@";
    }

    // ---- state and closing --------------------------------------------------------------------------------------

    private void saveIfChanged() {
        AcknowledgedObjects current = state;
        if (current == null || !current.dirty()) {
            return;
        }
        try {
            current.save(settings.stateFile());
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not save the listen state to {} (trying again in a second): {}", settings.stateFile(),
                    e.toString());
        }
    }

    /** Acknowledged objects that are remembered. */
    public long remembered() {
        AcknowledgedObjects current = state;
        return current == null ? 0 : current.size();
    }

    /** Events handed to the sink that are neither acked nor nacked yet. */
    public int inFlight() {
        return emitter.inFlight();
    }

    /** Completed reconciles (listings compared with the state) since start. */
    public long reconciles() {
        return reconciles.get();
    }

    /** Buckets whose stream is open right now. */
    public List<String> listening() {
        return listeners.values().stream().filter(BucketListener::isOpen).map(l -> l.bucket).toList();
    }

    /** Cancels the streams at once, stops the dispatcher (interrupting a wait on the sink) and saves the state. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = dispatcher;
        }
        listeners.values().forEach(BucketListener::stop);
        if (timer != null) {
            timer.shutdownNow();
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(CLOSE_TIMEOUT.toMillis());
                if (running.isAlive()) {
                    LOG.warn("The listen trigger's dispatcher did not stop within {}", CLOSE_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        saveIfChanged();
        LOG.info("Listen trigger stopped: {}", name());
    }
}
