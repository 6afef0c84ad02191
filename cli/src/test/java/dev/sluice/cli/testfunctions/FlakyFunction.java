package dev.sluice.cli.testfunctions;

import dev.sluice.core.BadInputException;
import dev.sluice.core.TransientException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.SluiceFunction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test function: fails transiently for the first {@code failures} calls per input key, then succeeds; or fails
 * permanently when the key contains "poison". Counts calls per key so tests can see retries.
 */
public final class FlakyFunction implements SluiceFunction {
    public static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    /** While true, keys containing "fixable" fail for good: a cause a test can fix. */
    public static final java.util.concurrent.atomic.AtomicBoolean BROKEN = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public String name() {
        return "test-flaky";
    }

    @Override
    public String description() {
        return "Test only: fails transiently N times per key, then writes a marker.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(ParameterSpec.of("failures", ParameterType.INT, "0", "Transient failures before success."));
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        String key = invocation.input().key();
        int call = CALLS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (key.contains("fixable") && BROKEN.get()) {
            throw new BadInputException("not fixed yet: " + key);
        }
        if (key.contains("poison")) {
            throw new BadInputException("poison object " + key);
        }
        if (call <= invocation.parameters().getInt("failures")) {
            throw new TransientException("simulated outage, call " + call);
        }
        invocation.outputs().write(OutputSpec.of("-ok", "txt", "text/plain"), ("call " + call).getBytes());
    }
}
