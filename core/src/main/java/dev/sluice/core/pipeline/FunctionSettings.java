package dev.sluice.core.pipeline;

import java.time.Duration;
import java.util.Map;

/**
 * How the executor runs one function.
 *
 * @param concurrency invocations at once
 * @param queue       invocations waiting beyond those; when full, triggers block (back-pressure)
 * @param timeout     per invocation
 * @param retries     extra attempts after a transient failure
 * @param backoff     wait before the first retry; doubles each time
 * @param params      default parameters for every step that uses the function (limits, for instance)
 */
public record FunctionSettings(int concurrency, int queue, Duration timeout, int retries, Duration backoff,
                               Map<String, String> params) {

    public static final FunctionSettings DEFAULTS = new FunctionSettings(
            Math.max(1, Runtime.getRuntime().availableProcessors()), 256, Duration.ofMinutes(5), 3,
            Duration.ofMillis(500), Map.of());

    public FunctionSettings {
        params = params == null ? Map.of() : Map.copyOf(params);
    }
}
