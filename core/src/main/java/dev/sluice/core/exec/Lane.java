package dev.sluice.core.exec;

import dev.sluice.core.pipeline.FunctionSettings;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker pool of one function: at most {@code concurrency} invocations at once and {@code queue} more
 * waiting. Admission blocks when both are full, which is how back-pressure reaches the trigger instead of the
 * heap filling up. Idle threads exit, so an idle server holds none (scale to zero); the first invocation after
 * that is a cold start.
 */
final class Lane implements AutoCloseable {
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private final Semaphore permits;
    private final ThreadPoolExecutor pool;
    private volatile long lastActive;

    Lane(String function, FunctionSettings settings) {
        this.permits = new Semaphore(settings.concurrency() + settings.queue(), true);
        AtomicInteger counter = new AtomicInteger();
        // The queue is unbounded in type but bounded in practice: nothing enters it without a permit
        // (retries and chained steps reuse the permit of the event that caused them).
        this.pool = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "sluice-" + function + "-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.pool.allowCoreThreadTimeOut(true);
    }

    /** Waits for room; this is the back-pressure point. */
    void admit() throws InterruptedException {
        permits.acquire();
    }

    void release() {
        permits.release();
    }

    void execute(Runnable work) {
        pool.execute(work);
    }

    /** Notes activity and tells whether this invocation starts cold (first, or after the pool went idle). */
    boolean markActive() {
        long now = System.nanoTime();
        boolean cold = lastActive == 0 || now - lastActive > IDLE_NANOS;
        lastActive = now;
        return cold;
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
