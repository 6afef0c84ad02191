package dev.sluice.core.exec;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleConsumer;

/**
 * The progress one running invocation reports: the {@code sluice.invocation.progress} gauge (0 to 1, tagged with
 * function, step and object) while it runs, and a heartbeat to the event's source at most every few seconds, so
 * that a broker keeps a long job's message with this worker. The gauge appears with the first report and is
 * removed when the invocation ends, so only running work is shown.
 */
final class InvocationProgress implements DoubleConsumer, AutoCloseable {
    private static final long HEARTBEAT_INTERVAL_NANOS = 2_000_000_000L;

    private final MeterRegistry registry;
    private final String function;
    private final String step;
    private final String object;
    private final Runnable heartbeat;
    private final AtomicLong fractionBits = new AtomicLong(Double.doubleToLongBits(0));
    private final AtomicLong lastHeartbeat = new AtomicLong(System.nanoTime());
    private volatile Gauge gauge;
    private volatile boolean closed;

    InvocationProgress(MeterRegistry registry, String function, String step, String object, Runnable heartbeat) {
        this.registry = registry;
        this.function = function;
        this.step = step;
        this.object = object;
        this.heartbeat = heartbeat;
    }

    @Override
    public void accept(double fraction) {
        fractionBits.set(Double.doubleToLongBits(fraction));
        if (gauge == null) {
            register();
        }
        long now = System.nanoTime();
        long last = lastHeartbeat.get();
        if (now - last >= HEARTBEAT_INTERVAL_NANOS && lastHeartbeat.compareAndSet(last, now)) {
            heartbeat.run();
        }
    }

    /** The last fraction reported. */
    double fraction() {
        return Double.longBitsToDouble(fractionBits.get());
    }

    private synchronized void register() {
        if (gauge == null && !closed) {
            gauge = Gauge.builder("sluice.invocation.progress", this, InvocationProgress::fraction)
                    .description("How far each running invocation is (0 to 1), as the function reports it")
                    .tag("function", function).tag("step", step).tag("object", object)
                    .register(registry);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (gauge != null) {
            registry.remove(gauge);
            gauge = null;
        }
    }
}
