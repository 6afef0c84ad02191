package dev.sluice.core.config;

import dev.sluice.core.pipeline.FunctionSettings;
import dev.sluice.core.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A whole Sluice configuration, as loaded from YAML by {@link ConfigLoader}.
 *
 * @param store            external store, or {@code null} to run the embedded server
 * @param embedded         embedded server settings (used when {@code store} is {@code null})
 * @param webhook          webhook trigger, or {@code null} when off
 * @param poll             polling trigger, or {@code null} when off
 * @param listen           MinIO listen-API trigger, or {@code null} when off
 * @param deadLetterBucket where dead-letter records go
 * @param stateBucket      where step manifests (idempotency records) go
 * @param maxDepth         longest chain of Sluice-written objects that may trigger further steps
 * @param defaults         function settings used where {@code functions} says nothing
 * @param functions        per-function settings by function name
 * @param pluginsDir       folder of extra function jars, or {@code null}
 */
public record SluiceConfig(StoreSettings store, EmbeddedSettings embedded, WebhookSettings webhook,
                           PollSettings poll, ListenSettings listen, String deadLetterBucket, String stateBucket,
                           int maxDepth, FunctionSettings defaults, Map<String, FunctionSettings> functions,
                           List<Pipeline> pipelines, Path pluginsDir) {

    public static final String DEFAULT_DEAD_LETTER_BUCKET = "sluice-dead-letters";
    public static final String DEFAULT_STATE_BUCKET = "sluice-state";

    public SluiceConfig {
        functions = functions == null ? Map.of() : Map.copyOf(functions);
        pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
    }

    /** Settings for {@code function}, falling back to {@link #defaults()}. */
    public FunctionSettings settingsFor(String function) {
        return functions.getOrDefault(function, defaults);
    }

    /** The same config running only {@code selected}. */
    public SluiceConfig withPipelines(List<Pipeline> selected) {
        return new SluiceConfig(store, embedded, webhook, poll, listen, deadLetterBucket, stateBucket, maxDepth,
                defaults, functions, selected, pluginsDir);
    }

    /** The same config with other embedded-server settings. */
    public SluiceConfig withEmbedded(EmbeddedSettings settings) {
        return new SluiceConfig(store, settings, webhook, poll, listen, deadLetterBucket, stateBucket, maxDepth,
                defaults, functions, pipelines, pluginsDir);
    }

    public boolean usesEmbeddedServer() {
        return store == null;
    }
}
