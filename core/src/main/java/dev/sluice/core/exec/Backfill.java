package dev.sluice.core.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "map" over objects that already exist: lists a bucket (page by page, so millions work), submits each object
 * to the executor as a created event, and counts what happened. The executor's eTag rule skips finished work;
 * on top of that a checkpoint in the state bucket records the key up to which everything has settled, so a
 * stopped backfill resumes after it instead of listing and checking everything again.
 */
public final class Backfill {
    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(5);

    /** Where to look. */
    public record Source(String bucket, String prefix) {
    }

    /**
     * Running totals; {@code unmatched} objects are listed but no pipeline takes them. {@code total} is the number
     * of objects to go through, or -1 while a separate count is still listing.
     */
    public record Progress(long listed, long processed, long skipped, long failed, long unmatched, long total,
                           Duration elapsed) {
        public long done() {
            return processed + skipped + failed + unmatched;
        }

        /** Time left at the current rate, when the total is known. */
        public java.util.Optional<Duration> eta() {
            double rate = ratePerSecond();
            if (total < 0 || done() == 0 || rate <= 0) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(Duration.ofSeconds((long) (Math.max(0, total - done()) / rate)));
        }

        public double ratePerSecond() {
            double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
            return done() / seconds;
        }
    }

    /** Receives progress now and then, and once at the end. */
    public interface Listener {
        void progress(Progress progress, boolean finished);
    }

    private final SluiceExecutor executor;
    private final ObjectStore store;
    private final String stateBucket;
    private final String checkpointKey;
    private final Source source;

    /** @param runName identifies this backfill's checkpoint, e.g. the pipelines it runs */
    public Backfill(SluiceExecutor executor, ObjectStore store, String stateBucket, String runName, Source source) {
        this.executor = executor;
        this.store = store;
        this.stateBucket = stateBucket;
        this.source = source;
        this.checkpointKey = "backfill/" + StepManifests.hash(runName + "\n" + source.bucket() + "\n" + source.prefix())
                .substring(0, 24) + ".json";
    }

    /** Forgets the checkpoint, so the next run starts from the first key. */
    public void restart() {
        store.delete(stateBucket, checkpointKey);
    }

    /**
     * Runs until every listed object settled, or {@code stop} says so (then in-flight work finishes and the
     * checkpoint is saved, so the next run resumes).
     */
    public Progress run(Listener listener, BooleanSupplier stop) throws InterruptedException {
        long started = System.nanoTime();
        String startAfter = readCheckpoint();
        if (startAfter != null) {
            LOG.info("Resuming backfill of s3://{}/{} after {}", source.bucket(), source.prefix(), startAfter);
        }
        Counters counters = new Counters();
        countInBackground(startAfter, counters.total);
        Settled settled = new Settled(startAfter);
        long lastCheckpoint = System.nanoTime();
        try (Stream<ObjectInfo> objects = store.list(source.bucket(), source.prefix(), startAfter)) {
            Iterator<ObjectInfo> iterator = objects.iterator();
            while (iterator.hasNext() && !stop.getAsBoolean()) {
                ObjectInfo object = iterator.next();
                if (object.key().endsWith("/")) {
                    continue; // folder placeholders are not files
                }
                counters.listed.incrementAndGet();
                settled.started(object.key());
                ObjectEvent event = ObjectEvent.created(object.bucket(), object.key(), object.size(), object.eTag(),
                        object.contentType());
                CompletableFuture<List<StepResult>> future = executor.submit(event);
                future.whenComplete((results, error) -> {
                    counters.count(results, error);
                    settled.finished(object.key());
                });
                if (System.nanoTime() - lastCheckpoint > CHECKPOINT_EVERY.toNanos()) {
                    saveCheckpoint(settled.upTo());
                    listener.progress(counters.snapshot(started), false);
                    lastCheckpoint = System.nanoTime();
                }
            }
        }
        while (settled.pending() > 0) {
            Thread.sleep(50);
        }
        Progress result = counters.snapshot(started);
        if (stop.getAsBoolean()) {
            saveCheckpoint(settled.upTo());
        } else {
            restart(); // finished: the next backfill is a fresh look (and skips current outputs by eTag)
        }
        listener.progress(result, true);
        return result;
    }

    /** A second, listing-only pass that finds the total for the ETA; the work does not wait for it. */
    private void countInBackground(String startAfter, AtomicLong total) {
        Thread counter = new Thread(() -> {
            try (Stream<ObjectInfo> objects = store.list(source.bucket(), source.prefix(), startAfter)) {
                total.set(objects.filter(o -> !o.key().endsWith("/")).count());
            } catch (RuntimeException e) {
                LOG.debug("Counting objects for the ETA failed: {}", e.getMessage());
            }
        }, "sluice-backfill-count");
        counter.setDaemon(true);
        counter.start();
    }

    private String readCheckpoint() {
        if (store.head(stateBucket, checkpointKey).isEmpty()) {
            return null;
        }
        try (InputStream in = store.get(stateBucket, checkpointKey)) {
            JsonNode node = JSON.readTree(in);
            return node.hasNonNull("startAfter") ? node.get("startAfter").asText() : null;
        } catch (Exception e) {
            LOG.warn("Ignoring unreadable backfill checkpoint {}: {}", checkpointKey, e.getMessage());
            return null;
        }
    }

    private void saveCheckpoint(String startAfter) {
        if (startAfter == null) {
            return;
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("bucket", source.bucket());
        node.put("prefix", source.prefix());
        node.put("startAfter", startAfter);
        node.put("saved", Instant.now().toString());
        try {
            store.put(stateBucket, checkpointKey, node.toString().getBytes(StandardCharsets.UTF_8), "application/json",
                    Map.of());
        } catch (RuntimeException e) {
            LOG.warn("Could not save the backfill checkpoint: {}", e.getMessage());
        }
    }

    /** Counts outcomes per object: failed if any step failed, processed if any ran, else skipped. */
    private static final class Counters {
        final AtomicLong listed = new AtomicLong();
        final AtomicLong processed = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong unmatched = new AtomicLong();
        final AtomicLong total = new AtomicLong(-1);

        void count(List<StepResult> results, Throwable error) {
            if (error != null) {
                failed.incrementAndGet();
                return;
            }
            if (results.isEmpty()) {
                unmatched.incrementAndGet();
                return;
            }
            List<Outcome> outcomes = results.stream().flatMap(StepResult::flatten).map(StepResult::outcome).toList();
            if (outcomes.stream().anyMatch(Outcome::failed)) {
                failed.incrementAndGet();
            } else if (outcomes.stream().anyMatch(o -> o == Outcome.SUCCEEDED)) {
                processed.incrementAndGet();
            } else {
                skipped.incrementAndGet();
            }
        }

        Progress snapshot(long startedNanos) {
            return new Progress(listed.get(), processed.get(), skipped.get(), failed.get(), unmatched.get(),
                    total.get(), Duration.ofNanos(System.nanoTime() - startedNanos));
        }
    }

    /**
     * Keys in flight, in listing order. The checkpoint may only move past a key once it and every key before it
     * settled; keys finish out of order because work runs in parallel.
     */
    private static final class Settled {
        private final TreeMap<String, Boolean> inFlight = new TreeMap<>();
        private String upTo;

        Settled(String startAfter) {
            this.upTo = startAfter;
        }

        synchronized void started(String key) {
            inFlight.put(key, Boolean.FALSE);
        }

        synchronized void finished(String key) {
            inFlight.put(key, Boolean.TRUE);
            while (!inFlight.isEmpty() && inFlight.firstEntry().getValue()) {
                upTo = inFlight.pollFirstEntry().getKey();
            }
        }

        synchronized String upTo() {
            return upTo;
        }

        synchronized int pending() {
            return (int) inFlight.values().stream().filter(done -> !done).count();
        }
    }
}
