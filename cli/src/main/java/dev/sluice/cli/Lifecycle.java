package dev.sluice.cli;

import dev.sluice.core.config.SluiceConfig;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/** What the long-running commands ({@code serve}, {@code worker}) share: their start banner and their shutdown. */
final class Lifecycle {
    private Lifecycle() {
    }

    /**
     * At JVM shutdown (Ctrl-C, SIGTERM) runs {@code first} (e.g. turn /readyz to not-ready), then closes the
     * resources in order, skipping {@code null}s. The returned latch opens when that is done.
     */
    static CountDownLatch closeOnShutdown(Runnable first, AutoCloseable... resources) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            first.run();
            for (AutoCloseable resource : resources) {
                if (resource == null) {
                    continue;
                }
                try {
                    resource.close();
                } catch (Exception e) {
                    LoggerFactory.getLogger(Lifecycle.class).warn("Stopping {}: {}", resource, e.getMessage());
                }
            }
            stopped.countDown();
        }, "sluice-shutdown"));
        return stopped;
    }

    static void printPipelines(PrintWriter out, SluiceConfig config) {
        config.pipelines().forEach(p -> out.printf("Pipeline %s: bucket %s -> %s%n", p.name(),
                p.match().bucket() == null ? "*" : p.match().bucket(),
                p.steps().stream().map(s -> s.function() + " -> " + s.output()).toList()));
    }
}
