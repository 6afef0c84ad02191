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
 * @param isolation   where invocations run: in the server's JVM, or each in a pooled child JVM
 * @param heap        a child JVM's heap limit, in {@code -Xmx} form (e.g. {@code 1g})
 * @param warm        with process isolation, child JVMs kept started and prepared while there is no work (the warm
 *                    minimum); 0 scales to zero, and the first invocation after that is a cold start
 */
public record FunctionSettings(int concurrency, int queue, Duration timeout, int retries, Duration backoff,
                               Map<String, String> params, Isolation isolation, String heap, int warm) {

    public static final FunctionSettings DEFAULTS = new FunctionSettings(
            Math.max(1, Runtime.getRuntime().availableProcessors()), 256, Duration.ofMinutes(5), 3,
            Duration.ofMillis(500), Map.of(), Isolation.IN_PROCESS, "1g", 0);

    /**
     * In process is fast and right for trusted input. In a child JVM an invocation that crashes a native library,
     * loops forever or runs out of memory takes only that child down: it is killed at the timeout, its input is
     * dead-lettered, and the next invocation gets a fresh child.
     */
    public enum Isolation {
        IN_PROCESS("in-process"), PROCESS("process");

        private final String configName;

        Isolation(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    public FunctionSettings {
        params = params == null ? Map.of() : Map.copyOf(params);
        isolation = isolation == null ? Isolation.IN_PROCESS : isolation;
        heap = heap == null ? "1g" : heap;
    }

    /** Whether {@code heap} is a size that {@code java -Xmx} takes: digits and an optional k, m or g. */
    public static boolean isHeapSize(String heap) {
        return heap != null && heap.matches("[1-9][0-9]*[kKmMgG]?");
    }

    /** These settings with the other defaults, for tests and code that only cares about the first few. */
    public FunctionSettings(int concurrency, int queue, Duration timeout, int retries, Duration backoff,
                            Map<String, String> params) {
        this(concurrency, queue, timeout, retries, backoff, params, Isolation.IN_PROCESS, "1g", 0);
    }
}
