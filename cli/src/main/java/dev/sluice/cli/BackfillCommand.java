package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.exec.Backfill;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.pipeline.Pipeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice backfill}: runs pipelines over objects that were there before the pipelines were. Stoppable
 * with Ctrl-C and resumable; finished work is skipped by the eTag rule.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = "Run pipelines over objects already in a bucket. Ctrl-C stops; running it again resumes.")
final class BackfillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, description = "Config file (default: the built-in demo).")
    Path config;

    @Option(names = "--pipeline", description = "Only this pipeline (default: every pipeline).")
    String pipeline;

    @Option(names = "--bucket", description = "Bucket to list (default: each pipeline's match bucket).")
    String bucket;

    @Option(names = "--prefix", description = "Key prefix to list (default: each pipeline's match prefix).")
    String prefix;

    @Option(names = "--restart", description = "Ignore a saved checkpoint and start from the first key.")
    boolean restart;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SluiceConfig loaded = ConfigFiles.load(config);
        List<Pipeline> pipelines = loaded.pipelines().stream()
                .filter(p -> pipeline == null || p.name().equals(pipeline)).toList();
        if (pipelines.isEmpty()) {
            throw new ConfigException(pipeline == null ? "The config has no pipelines to backfill."
                    : "No pipeline named '" + pipeline + "'. Pipelines: "
                    + loaded.pipelines().stream().map(Pipeline::name).toList());
        }
        SluiceConfig selected = loaded.withPipelines(pipelines);
        Map<String, Backfill.Source> sources = sources(pipelines);
        Credentials credentials = Credentials.fromEnvironment(System::getenv);
        AtomicBoolean stop = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                main.join(60_000); // let the backfill finish in-flight work and save its checkpoint
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "sluice-backfill-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long failed = 0;
        try (FunctionRegistry functions = Functions.load(selected.pluginsDir())) {
            ConfigValidator.validate(selected, functions);
            try (SluiceServer server = SluiceServer.startForBatch(selected, functions, new SimpleMeterRegistry(),
                    credentials.accessKey(), credentials.secretKey())) {
                String runName = String.join(",", pipelines.stream().map(Pipeline::name).toList());
                for (Map.Entry<String, Backfill.Source> entry : sources.entrySet()) {
                    Backfill.Source source = entry.getValue();
                    Backfill backfill = new Backfill(server.executor(), server.store(), selected.stateBucket(),
                            runName, source);
                    if (restart) {
                        backfill.restart();
                    }
                    out.printf("Backfilling s3://%s/%s%n", source.bucket(), source.prefix());
                    out.flush();
                    ProgressPrinter printer = new ProgressPrinter(out, System.console() != null);
                    Backfill.Progress result = backfill.run(printer, stop::get);
                    failed += result.failed();
                    if (stop.get()) {
                        out.println("Stopped; run the same command again to resume.");
                        break;
                    }
                }
            }
        } finally {
            out.flush();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running: it waits for us
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** One listing per distinct bucket and prefix, so two pipelines on one bucket list it once. */
    private Map<String, Backfill.Source> sources(List<Pipeline> pipelines) {
        Map<String, Backfill.Source> sources = new LinkedHashMap<>();
        for (Pipeline p : pipelines) {
            String b = bucket != null ? bucket : p.match().bucket();
            if (b == null) {
                throw new ConfigException("Pipeline '" + p.name() + "' matches any bucket; name one with --bucket.");
            }
            String pre = prefix != null ? prefix : p.match().prefix();
            sources.putIfAbsent(b + "/" + pre, new Backfill.Source(b, pre));
        }
        return sources;
    }

    /** {@code [########------------]  40%}, or a spinner-free placeholder while the total is still being counted. */
    static String bar(Backfill.Progress p) {
        int width = 20;
        if (p.total() <= 0) {
            return "[" + " ".repeat(width) + "]    ";
        }
        double fraction = Math.min(1.0, (double) p.done() / p.total());
        int filled = (int) Math.round(fraction * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + String.format("%3d%%", (int) (fraction * 100));
    }

    /** A progress bar with rate and ETA on a terminal; a plain line now and then otherwise (logs, CI). */
    private static final class ProgressPrinter implements Backfill.Listener {
        private final PrintWriter out;
        private final boolean terminal;

        ProgressPrinter(PrintWriter out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        @Override
        public synchronized void progress(Backfill.Progress p, boolean finished) {
            String line = String.format("%d listed, %d done (%d processed, %d skipped, %d failed, %d unmatched), %.1f/s",
                    p.listed(), p.done(), p.processed(), p.skipped(), p.failed(), p.unmatched(), p.ratePerSecond());
            if (finished) {
                out.printf("%s%nDone in %.1f s: %d processed, %d skipped, %d failed.%n", terminal ? "\r" + line : line,
                        p.elapsed().toMillis() / 1000.0, p.processed(), p.skipped(), p.failed());
            } else {
                String of = p.total() < 0 ? "" : String.format(" of %d", p.total());
                String eta = p.eta().map(d -> String.format(", ETA %d:%02d:%02d", d.toHours(), d.toMinutesPart(),
                        d.toSecondsPart())).orElse("");
                if (terminal) {
                    out.printf("\r%s %s%s%s, %d in flight   ", bar(p), line, of, eta, p.listed() - p.done());
                } else {
                    out.println(line + of + eta);
                }
            }
            out.flush();
        }
    }
}
