package dev.sluice.core.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Usage per function over a time span, from the run records every server and worker writes to the state bucket
 * ({@link RunRecords}), so it covers all of them and survives restarts: {@code sluice usage}. An invocation is a
 * step that ran (succeeded or failed for good); steps skipped because their outputs were current, or whose
 * condition did not hold, ran nothing and are counted apart. Billed time is each invocation's time rounded up to a
 * whole millisecond, as serverless platforms bill it.
 *
 * @param runs the run records read
 */
public record UsageReport(Instant since, int runs, List<FunctionUsage> functions) {

    /** One function's share. */
    public record FunctionUsage(String function, long invocations, long errors, long skipped, long billedMillis) {
        FunctionUsage plus(FunctionUsage other) {
            return new FunctionUsage(function, invocations + other.invocations, errors + other.errors,
                    skipped + other.skipped, billedMillis + other.billedMillis);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(ZoneOffset.UTC);

    /** Reads the run records that started at or after {@code since}; run ids sort by time, so only those are listed. */
    public static UsageReport read(ObjectStore store, String stateBucket, Instant since) {
        Map<String, FunctionUsage> byFunction = new TreeMap<>();
        int runs = 0;
        String startAfter = RunRecords.key(RUN_ID_TIME.format(since)).replace(".json", "");
        try (Stream<ObjectInfo> records = store.list(stateBucket, "runs/", startAfter)) {
            for (ObjectInfo info : (Iterable<ObjectInfo>) records::iterator) {
                JsonNode run;
                try (InputStream in = store.get(stateBucket, info.key())) {
                    run = JSON.readTree(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("Run record " + info.key() + " cannot be read", e);
                }
                runs++;
                for (JsonNode step : run.path("steps")) {
                    FunctionUsage usage = usageOf(step);
                    byFunction.merge(usage.function(), usage, FunctionUsage::plus);
                }
            }
        }
        return new UsageReport(since, runs, List.copyOf(byFunction.values()));
    }

    private static FunctionUsage usageOf(JsonNode step) {
        // records written before they named the function name the step, which is the function unless given an id
        String function = step.path("function").asText(step.path("step").asText("?"));
        Outcome outcome = outcomeOf(step.path("outcome").asText());
        boolean ran = outcome.ran();
        boolean failed = outcome.failed();
        long billed = !ran ? 0 : step.has("billedMs") ? step.path("billedMs").asLong()
                : billedMillis(Duration.ofMillis(step.path("durationMs").asLong()));
        return new FunctionUsage(function, ran ? 1 : 0, failed ? 1 : 0, ran ? 0 : 1, billed);
    }

    /** A step's outcome as its record writes it ({@code dead_lettered}); one it does not name counts as run. */
    private static Outcome outcomeOf(String text) {
        try {
            return Outcome.valueOf(text.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Outcome.SUCCEEDED;
        }
    }

    /** An invocation's billed time: whole milliseconds, rounded up, at least one. */
    static long billedMillis(Duration duration) {
        long nanos = duration.toNanos();
        return Math.max(1, (nanos + 999_999) / 1_000_000);
    }
}
