package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.core.config.Durations;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.exec.UsageReport;
import dev.sluice.core.exec.UsageReport.FunctionUsage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice usage}: invocations, errors and billed time per function, from the run records in the state bucket
 * (every server and worker that shares the store, across restarts).
 */
@Command(name = "usage", mixinStandardHelpOptions = true,
        description = "Invocations, errors and billed milliseconds per function, from the run records that servers "
                + "and workers keep in the state bucket.")
final class UsageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, description = "Config file (default: the built-in demo).")
    Path config;

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "24h",
            description = "How far back: a span such as 90m, 24h or 7d, or an instant such as 2026-11-25T00:00:00Z "
                    + "(default ${DEFAULT-VALUE}).")
    String since;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant from = start(since, Instant.now());
        SluiceConfig loaded = ConfigFiles.load(config);
        Credentials credentials = Credentials.fromEnvironment(System::getenv);
        UsageReport report;
        try (SluiceServer.OpenStore store = SluiceServer.openStore(loaded, credentials.accessKey(),
                credentials.secretKey())) {
            report = UsageReport.read(store.store(), loaded.stateBucket(), from.truncatedTo(ChronoUnit.SECONDS));
        }
        print(report, loaded.stateBucket(), out);
        out.flush();
        return 0;
    }

    static Instant start(String since, Instant now) {
        String text = since.trim();
        try {
            if (text.endsWith("d") && text.length() > 1 && text.substring(0, text.length() - 1).matches("\\d+")) {
                return now.minus(Duration.ofDays(Long.parseLong(text.substring(0, text.length() - 1))));
            }
            if (Character.isDigit(text.charAt(0)) && text.contains("T")) {
                return Instant.parse(text);
            }
            return now.minus(Durations.parse(text, "--since"));
        } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new ConfigException("--since: '" + since + "' is neither a span (90m, 24h, 7d) nor an instant "
                    + "(2026-11-25T00:00:00Z).");
        }
    }

    static void print(UsageReport report, String stateBucket, PrintWriter out) {
        out.printf("Usage since %s, from %d run record(s) in s3://%s/runs/%n%n", report.since(), report.runs(),
                stateBucket);
        String format = "%-20s %12s %8s %9s %12s %10s%n";
        out.printf(format, "function", "invocations", "errors", "skipped", "billed ms", "mean ms");
        long invocations = 0;
        long errors = 0;
        long skipped = 0;
        long billed = 0;
        for (FunctionUsage usage : report.functions()) {
            out.printf(format, usage.function(), usage.invocations(), usage.errors(), usage.skipped(),
                    usage.billedMillis(), mean(usage.billedMillis(), usage.invocations()));
            invocations += usage.invocations();
            errors += usage.errors();
            skipped += usage.skipped();
            billed += usage.billedMillis();
        }
        out.printf(format, "total", invocations, errors, skipped, billed, mean(billed, invocations));
    }

    private static String mean(long millis, long invocations) {
        return invocations == 0 ? "-" : String.valueOf(Math.round((double) millis / invocations));
    }
}
