package dev.sluice.core.exec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.event.ObjectEventJson;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Writes dead-letter records: one JSON object per failed step in the dead-letter bucket, holding the event,
 * the function, its parameters, the attempts and the error, so that nothing is lost and the cause can be
 * fixed and the work retried.
 */
public final class DeadLetters {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private final ObjectStore store;
    private final String bucket;

    public DeadLetters(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    /** Stores the record and returns where. Throws when the store cannot take it (the event is then redelivered). */
    public ObjectInfo write(Task task, Map<String, String> parameters, int attempts, Throwable error) {
        Instant now = Instant.now();
        ObjectNode record = JSON.createObjectNode();
        record.put("time", now.toString());
        record.put("pipeline", task.pipeline().name());
        record.put("step", task.step().id());
        record.put("function", task.step().function());
        record.put("runId", task.runId());
        ObjectNode params = record.putObject("parameters");
        parameters.forEach(params::put);
        record.set("event", ObjectEventJson.toJson(task.input()));
        record.put("attempts", attempts);
        ObjectNode errorNode = record.putObject("error");
        Throwable cause = Failures.unwrap(error);
        errorNode.put("type", cause.getClass().getName());
        errorNode.put("message", String.valueOf(cause.getMessage()));
        errorNode.put("transient", Failures.isTransient(cause));
        String key = DAY.format(now) + "/" + task.pipeline().name() + "/" + task.step().id() + "/"
                + now.toEpochMilli() + "-" + StepManifests.hash(task.input().bucket() + "/" + task.input().key())
                .substring(0, 16) + ".json";
        byte[] body;
        try {
            body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            body = record.toString().getBytes(StandardCharsets.UTF_8);
        }
        return store.put(bucket, SafeKey.of(key), body, "application/json", Map.of());
    }

    /** Pipeline and step names come from the config, but are still kept to safe key characters. */
    private static final class SafeKey {
        static String of(String key) {
            return key.replaceAll("[^A-Za-z0-9._/-]", "_").replace("..", "__");
        }
    }
}
