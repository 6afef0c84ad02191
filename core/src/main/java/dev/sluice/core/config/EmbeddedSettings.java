package dev.sluice.core.config;

import java.nio.file.Path;
import java.util.List;

/** The embedded S3 server that {@code sluice serve} starts when no external store is configured. */
public record EmbeddedSettings(String host, int port, Path dataDir, List<String> buckets) {
    public EmbeddedSettings {
        buckets = buckets == null ? List.of() : List.copyOf(buckets);
    }
}
