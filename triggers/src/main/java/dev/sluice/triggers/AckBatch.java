package dev.sluice.triggers;

import dev.sluice.core.trigger.Acknowledgement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The acknowledgements of the events of one delivery (one webhook POST), settled as one outcome: acked once
 * every event is acked, nacked as soon as one is nacked, timed out when neither happened in time.
 */
final class AckBatch {

    enum Outcome { ACKED, NACKED, TIMED_OUT }

    record Result(Outcome outcome, String reason) {
    }

    private final AtomicInteger pending;
    private final CompletableFuture<Result> result = new CompletableFuture<>();

    AckBatch(int size, Duration maxWait) {
        this.pending = new AtomicInteger(size);
        if (size == 0) {
            result.complete(new Result(Outcome.ACKED, null));
        } else {
            result.completeOnTimeout(new Result(Outcome.TIMED_OUT, "still processing after " + maxWait),
                    Math.max(1, maxWait.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    /** A fresh acknowledgement for one event of the batch; each must be given to exactly one event. */
    Acknowledgement member() {
        return new Acknowledgement() {
            private final AtomicBoolean settled = new AtomicBoolean();

            @Override
            public void ack() {
                if (settled.compareAndSet(false, true) && pending.decrementAndGet() == 0) {
                    result.complete(new Result(Outcome.ACKED, null));
                }
            }

            @Override
            public void nack(String reason) {
                if (settled.compareAndSet(false, true)) {
                    fail(reason);
                }
            }
        };
    }

    /** Settles the batch as not done (e.g. an event could not be handed over, or Sluice is stopping). */
    void fail(String reason) {
        result.complete(new Result(Outcome.NACKED, reason == null ? "no reason given" : reason));
    }

    CompletableFuture<Result> result() {
        return result;
    }
}
