package dev.sluice.cli.testfunctions;

import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.SluiceFunction;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test function: copies its input, optionally after sleeping (interruptibly, in {@code progress-steps} steps that
 * each report progress), to exercise timeouts, queues and progress reports; or, in a child JVM, ends it.
 */
public final class CopyFunction implements SluiceFunction {
    /** Every instance whose {@link #prepare} ran, in this JVM. */
    public static final Set<CopyFunction> PREPARED = ConcurrentHashMap.newKeySet();

    @Override
    public void prepare() {
        PREPARED.add(this);
    }

    @Override
    public String name() {
        return "test-copy";
    }

    @Override
    public String description() {
        return "Test only: copies the input.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(ParameterSpec.of("sleep-ms", ParameterType.INT, "0", "Sleep before copying."),
                ParameterSpec.of("suffix", ParameterType.STRING, "-copy", "Output suffix."),
                ParameterSpec.of("progress-steps", ParameterType.INT, "1", "Report progress this many times."),
                ParameterSpec.of("halt", ParameterType.INT, "0", "Above 0: end the JVM with this exit code, as a "
                        + "native crash would (only in a child JVM)."));
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        int halt = invocation.parameters().getInt("halt");
        if (halt > 0) {
            if (System.getProperty("sluice.child") == null) {
                throw new IllegalStateException("halt is only for functions run with isolation: process");
            }
            Runtime.getRuntime().halt(halt);
        }
        int steps = Math.max(1, invocation.parameters().getInt("progress-steps"));
        for (int i = 1; i <= steps; i++) {
            Thread.sleep(invocation.parameters().getInt("sleep-ms") / steps);
            invocation.progress((double) i / steps);
        }
        try (InputStream in = invocation.input().openStream();
             OutputStream out = invocation.outputs().open(
                     OutputSpec.of(invocation.parameters().get("suffix"), "bin", "application/octet-stream"))) {
            in.transferTo(out);
        }
    }
}
