package dev.sluice.core.exec;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Per-function usage: invocations by outcome, duration (tagged cold or warm start), and attempts retried.
 * Names follow Micrometer conventions; a Prometheus registry shows them as {@code sluice_invocations_total},
 * {@code sluice_invocation_duration_seconds} and so on.
 */
public final class Metering {
    private final MeterRegistry registry;

    public Metering(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    void invocation(String function, Outcome outcome, Duration duration, boolean coldStart) {
        Counter.builder("sluice.invocations").description("Function invocations by outcome")
                .tag("function", function).tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry).increment();
        if (outcome.ran()) {
            Timer.builder("sluice.invocation.duration").description("Time spent in a function, per invocation")
                    .tag("function", function).tag("start", coldStart ? "cold" : "warm")
                    .register(registry).record(duration);
            Counter.builder("sluice.billed").baseUnit("milliseconds")
                    .description("Time spent in a function, each invocation rounded up to a whole millisecond")
                    .tag("function", function).register(registry).increment(UsageReport.billedMillis(duration));
        }
        if (outcome.failed()) {
            Counter.builder("sluice.errors").description("Invocations that failed for good")
                    .tag("function", function).register(registry).increment();
        }
    }

    /** Progress of one invocation, with {@code heartbeat} telling the event's source the work is still going. */
    InvocationProgress progress(String function, String step, String object, Runnable heartbeat) {
        return new InvocationProgress(registry, function, step, object, heartbeat);
    }

    void retry(String function) {
        Counter.builder("sluice.retries").description("Attempts retried after a transient failure")
                .tag("function", function).register(registry).increment();
    }
}
