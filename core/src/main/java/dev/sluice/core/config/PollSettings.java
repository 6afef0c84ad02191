package dev.sluice.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Polling for stores without notifications: lists {@code buckets} every {@code interval} and emits events for
 * new or changed objects, remembering what it has seen in {@code stateFile} across restarts.
 */
public record PollSettings(List<String> buckets, String prefix, Duration interval, Path stateFile) {
    public PollSettings {
        buckets = buckets == null ? List.of() : List.copyOf(buckets);
        prefix = prefix == null ? "" : prefix;
    }
}
