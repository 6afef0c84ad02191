package dev.sluice.functions.ocr;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm Tesseract engines, lent to one thread at a time. Starting an engine costs tens to hundreds of milliseconds
 * (model loading), so engines are kept between pages; an engine is closed and replaced after {@code maxUses} pages
 * so that leaks in native code cannot grow without bound, and engines idle for longer than {@code idleTimeout}
 * are closed (scale to zero). At most {@code maxIdle} engines are kept, the least recently used go first.
 */
final class EnginePool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EnginePool.class);

    /** How the pool keeps engines. */
    record Settings(int maxIdle, int maxUses, Duration idleTimeout) {
    }

    private final TessCApi api;
    private final Map<Engine.Key, Deque<Engine>> idle = new HashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-ocr-engine-reaper");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicLong startNanos = new AtomicLong();
    private Settings settings;
    private ScheduledFuture<?> reaping;
    private boolean closed;

    EnginePool(TessCApi api, Settings settings) {
        this.api = api;
        configure(settings);
    }

    synchronized void configure(Settings newSettings) {
        if (newSettings.equals(settings)) {
            return;
        }
        settings = newSettings;
        if (reaping != null) {
            reaping.cancel(false);
        }
        long period = Math.max(100, newSettings.idleTimeout().toMillis() / 2);
        reaping = reaper.scheduleWithFixedDelay(this::closeIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /** An engine for {@code key}, warm when one is idle; the time spent starting one is added to {@code coldStart}. */
    Engine borrow(Engine.Key key, AtomicLong coldStartNanos) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("The OCR engine pool is closed");
            }
            Deque<Engine> engines = idle.get(key);
            if (engines != null && !engines.isEmpty()) {
                return engines.pop();
            }
        }
        long start = System.nanoTime();
        Engine engine = Engine.start(api, key);
        long took = System.nanoTime() - start;
        coldStartNanos.addAndGet(took);
        startNanos.addAndGet(took);
        live.incrementAndGet();
        if (started.incrementAndGet() == 1) {
            LOG.info("OCR cold start: first engine ({}) ready in {} ms", key, TimeUnit.NANOSECONDS.toMillis(took));
        } else {
            LOG.debug("Started OCR engine ({}) in {} ms", key, TimeUnit.NANOSECONDS.toMillis(took));
        }
        return engine;
    }

    /** Takes an engine back; {@code healthy=false} (an error or a cancelled page) closes it instead. */
    void release(Engine engine, boolean healthy) {
        engine.used();
        Engine evicted = null;
        synchronized (this) {
            if (!closed && healthy && engine.uses() < settings.maxUses()) {
                idle.computeIfAbsent(engine.key(), k -> new ArrayDeque<>()).push(engine);
                engine = null;
                if (idleCount() > settings.maxIdle()) {
                    evicted = removeLeastRecentlyUsed();
                }
            }
        }
        if (engine != null) {
            closeEngine(engine);
        }
        if (evicted != null) {
            closeEngine(evicted);
        }
    }

    /** Engines alive now, lent out or idle. */
    int liveEngines() {
        return live.get();
    }

    synchronized int idleEngines() {
        return idleCount();
    }

    /** Engines started since the process began, including replacements. */
    int enginesStarted() {
        return started.get();
    }

    Duration totalStartTime() {
        return Duration.ofNanos(startNanos.get());
    }

    /** Closes every idle engine now (what the reaper does after the idle timeout). */
    void closeIdle(Duration olderThan) {
        long cutoff = System.nanoTime() - olderThan.toNanos();
        List<Engine> toClose = new ArrayList<>();
        synchronized (this) {
            for (Deque<Engine> engines : idle.values()) {
                for (Iterator<Engine> it = engines.iterator(); it.hasNext(); ) {
                    Engine engine = it.next();
                    if (engine.idleSinceNanos() - cutoff <= 0) {
                        it.remove();
                        toClose.add(engine);
                    }
                }
            }
        }
        toClose.forEach(this::closeEngine);
        if (!toClose.isEmpty()) {
            LOG.debug("Closed {} idle OCR engine(s)", toClose.size());
        }
    }

    private void closeIdle() {
        Duration timeout;
        synchronized (this) {
            timeout = settings.idleTimeout();
        }
        try {
            closeIdle(timeout);
        } catch (RuntimeException e) {
            LOG.warn("Closing idle OCR engines failed", e);
        }
    }

    private int idleCount() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    private Engine removeLeastRecentlyUsed() {
        Engine oldest = null;
        Deque<Engine> from = null;
        for (Deque<Engine> engines : idle.values()) {
            Engine candidate = engines.peekLast();
            if (candidate != null && (oldest == null || candidate.idleSinceNanos() - oldest.idleSinceNanos() < 0)) {
                oldest = candidate;
                from = engines;
            }
        }
        if (from != null) {
            from.removeLast();
        }
        return oldest;
    }

    private void closeEngine(Engine engine) {
        live.decrementAndGet();
        engine.close();
    }

    @Override
    public void close() {
        List<Engine> toClose = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(toClose::addAll);
            idle.clear();
        }
        reaper.shutdownNow();
        toClose.forEach(this::closeEngine);
    }
}
