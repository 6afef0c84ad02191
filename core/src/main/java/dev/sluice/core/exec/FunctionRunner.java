package dev.sluice.core.exec;

import dev.sluice.core.function.Input;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.Outputs;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a function once under a deadline. At the deadline the calling thread is interrupted, which stops
 * functions that block on I/O or check {@link Invocation#checkDeadline()}; code that ignores interrupts can
 * only be stopped by running it in a child process.
 */
public final class FunctionRunner implements AutoCloseable {
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Runs {@code function}; throws what it throws, or {@link InvocationTimeoutException} when it overran. */
    public void run(SluiceFunction function, Input input, Parameters parameters, Outputs outputs, Duration timeout)
            throws Exception {
        run(function, input, parameters, outputs, timeout, fraction -> { });
    }

    /** As {@link #run(SluiceFunction, Input, Parameters, Outputs, Duration)}, passing progress reports on. */
    public void run(SluiceFunction function, Input input, Parameters parameters, Outputs outputs, Duration timeout,
                    DoubleConsumer progress) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Alarm alarm = new Alarm(Thread.currentThread());
        ScheduledFuture<?> scheduled = watchdog.schedule(alarm::ring, timeout.toMillis(), TimeUnit.MILLISECONDS);
        Logger logger = LoggerFactory.getLogger("sluice.function." + function.name());
        try {
            function.apply(new DefaultInvocation(input, parameters, outputs, deadline, logger, progress));
        } catch (Exception e) {
            if (alarm.rang()) {
                throw new InvocationTimeoutException(function.name(), input.key(), timeout, e);
            }
            throw e;
        } finally {
            scheduled.cancel(false);
            alarm.silence();
            Thread.interrupted(); // an interrupt from the alarm must not leak into the next task on this thread
        }
    }

    /**
     * Interrupts the worker at the deadline, unless the invocation already ended: both happen under one lock, so
     * a late alarm can never interrupt whatever the pooled thread runs next.
     */
    private static final class Alarm {
        private final Thread worker;
        private boolean done;
        private boolean rang;

        Alarm(Thread worker) {
            this.worker = worker;
        }

        synchronized void ring() {
            if (!done) {
                rang = true;
                worker.interrupt();
            }
        }

        synchronized void silence() {
            done = true;
        }

        synchronized boolean rang() {
            return rang;
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    private record DefaultInvocation(Input input, Parameters parameters, Outputs outputs, Instant deadline,
                                     Logger logger, DoubleConsumer progressSink) implements Invocation {
        @Override
        public void progress(double fraction) {
            if (fraction >= 0 && fraction <= 1) { // NaN and nonsense are dropped, not shown on a dashboard
                progressSink.accept(fraction);
            }
        }
    }
}
