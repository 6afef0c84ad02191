package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads the dead letters that tests expect, from the store's {@code sluice-dead-letters} bucket. */
final class DeadLetterRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLetterRecords() {
    }

    /** Every dead letter whose event names {@code key}, oldest key first. */
    static List<JsonNode> forKey(ObjectStore store, String key) throws IOException {
        List<ObjectInfo> letters;
        try (var listing = store.list("sluice-dead-letters", "")) {
            letters = listing.toList();
        }
        List<JsonNode> found = new ArrayList<>();
        for (ObjectInfo info : letters) {
            try (InputStream in = store.get(info.bucket(), info.key())) {
                JsonNode node = JSON.readTree(in);
                if (key.equals(node.path("event").path("key").asText())) {
                    found.add(node);
                }
            }
        }
        return found;
    }
}
