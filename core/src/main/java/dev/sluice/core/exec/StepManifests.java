package dev.sluice.core.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Idempotency records. When a step finishes, a small manifest in the state bucket lists its outputs and the
 * source eTag they were made from. A step is skipped when its manifest names the same eTag and every listed
 * output still exists and carries that eTag in its own metadata; anything less and the step runs again, so a
 * crash between outputs never leaves a half-done step marked done.
 */
public final class StepManifests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectStore store;
    private final String bucket;

    public StepManifests(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    /** The step's outputs when they are all current for the input's eTag; empty when the step must run. */
    public Optional<List<ObjectInfo>> currentOutputs(Task task) {
        String eTag = task.input().eTag();
        if (eTag == null) {
            return Optional.empty();
        }
        Optional<JsonNode> manifest = read(task);
        if (manifest.isEmpty() || !eTag.equals(manifest.get().path("sourceETag").asText(null))) {
            return Optional.empty();
        }
        List<ObjectInfo> outputs = new java.util.ArrayList<>();
        for (JsonNode output : manifest.get().path("outputs")) {
            Optional<ObjectInfo> info = store.head(output.path("bucket").asText(), output.path("key").asText());
            if (info.isEmpty() || !eTag.equals(info.get().userMetadata().get(SluiceMetadata.SOURCE_ETAG))) {
                return Optional.empty();
            }
            outputs.add(info.get());
        }
        return Optional.of(outputs);
    }

    public void record(Task task, List<ObjectInfo> outputs) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("step", task.stepId());
        manifest.put("sourceBucket", task.input().bucket());
        manifest.put("sourceKey", task.input().key());
        manifest.put("sourceETag", task.input().eTag());
        manifest.put("finished", Instant.now().toString());
        ArrayNode list = manifest.putArray("outputs");
        for (ObjectInfo output : outputs) {
            list.addObject().put("bucket", output.bucket()).put("key", output.key()).put("eTag", output.eTag());
        }
        store.put(bucket, keyFor(task), manifest.toString().getBytes(StandardCharsets.UTF_8), "application/json",
                Map.of());
    }

    private Optional<JsonNode> read(Task task) {
        String key = keyFor(task);
        if (store.head(bucket, key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = store.get(bucket, key)) {
            return Optional.of(JSON.readTree(in));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable manifest: run the step again, which is always safe
        }
    }

    /** Hashing the source location keeps hostile keys out of the state bucket's key space. */
    static String keyFor(Task task) {
        return "steps/" + hash(task.stepId()).substring(0, 16) + "/"
                + hash(task.input().bucket() + "/" + task.input().key()) + ".json";
    }

    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
