package dev.sluice.core.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.ConfigException;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.event.ObjectEventJson;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON record per run (every step that one event led to, chained steps included) in the state bucket, under
 * {@code runs/RUN_ID.json}: the event, and each step's status, attempts, timing, outputs and error. A run that
 * failed can be retried from it ({@code sluice retry RUN_ID}).
 */
public final class RunRecords {
    private static final Logger LOG = LoggerFactory.getLogger(RunRecords.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RUN_ID = Pattern.compile("[0-9]{8}T[0-9]{6}-[0-9a-f]{12}");
    private final ObjectStore store;
    private final String bucket;

    public RunRecords(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    /** Sortable by time, unique by chance: {@code 20261125T233000-1a2b3c4d5e6f}. */
    static String newRunId() {
        String time = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(Instant.now());
        return time + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static String key(String runId) {
        return "runs/" + runId + ".json";
    }

    /** Best effort: a run record that cannot be written is logged, never a reason to redo the work. */
    void write(String runId, ObjectEvent event, long startedMillis, List<StepResult> results) {
        ObjectNode record = JSON.createObjectNode();
        record.put("runId", runId);
        record.put("started", Instant.ofEpochMilli(startedMillis).toString());
        record.put("finished", Instant.now().toString());
        List<StepResult> steps = results.stream().flatMap(StepResult::flatten).toList();
        boolean failed = steps.stream().anyMatch(s -> s.outcome().failed());
        record.put("status", failed ? "failed" : "succeeded");
        record.set("event", ObjectEventJson.toJson(event));
        ArrayNode list = record.putArray("steps");
        for (StepResult step : steps) {
            ObjectNode node = list.addObject();
            node.put("step", step.stepId());
            node.put("function", step.function());
            node.put("input", step.inputLocation());
            node.put("outcome", step.outcome().name().toLowerCase(java.util.Locale.ROOT));
            node.put("attempts", step.attempts());
            node.put("durationMs", step.duration().toMillis());
            if (step.outcome().ran()) {
                node.put("billedMs", UsageReport.billedMillis(step.duration()));
            }
            ArrayNode outputs = node.putArray("outputs");
            for (ObjectInfo output : step.outputs()) {
                outputs.add(output.location());
            }
            if (step.error() != null) {
                node.put("error", step.error());
            }
        }
        try {
            store.put(bucket, key(runId), record.toString().getBytes(StandardCharsets.UTF_8), "application/json",
                    Map.of());
        } catch (RuntimeException e) {
            LOG.warn("Could not write the run record of {}: {}", runId, e.getMessage());
        }
    }

    /** The record of a run, as stored. */
    public JsonNode read(String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            throw new ConfigException("'" + runId + "' is not a run id; they look like 20261125T233000-1a2b3c4d5e6f "
                    + "(see the runId of a dead letter, or runs/ in the state bucket).");
        }
        if (store.head(bucket, key(runId)).isEmpty()) {
            throw new ConfigException("No run " + runId + " in s3://" + bucket + "/runs/.");
        }
        try (InputStream in = store.get(bucket, key(runId))) {
            return JSON.readTree(in);
        } catch (java.io.IOException e) {
            throw new ConfigException("The run record of " + runId + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The event that started a run. */
    public ObjectEvent event(String runId) {
        return ObjectEventJson.fromJson(read(runId).path("event"));
    }
}
