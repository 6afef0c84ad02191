package dev.sluice.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.core.ConfigException;
import dev.sluice.core.event.EventType;
import dev.sluice.core.pipeline.Condition;
import dev.sluice.core.pipeline.FunctionSettings;
import dev.sluice.core.pipeline.Match;
import dev.sluice.core.pipeline.OutputTemplate;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a YAML configuration. {@code ${VAR}} and {@code ${VAR:-default}} are replaced from the environment
 * first, so secrets need not be written into the file. Errors name the setting by its path, e.g.
 * {@code pipelines[0].steps[1].output}, and say what a correct value looks like.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern UNKNOWN_SETTING = Pattern.compile("unknown setting '([^']+)'");
    private static final Set<String> TOP_LEVEL = Set.of("store", "embedded", "webhook", "poll", "listen",
            "deadLetters", "stateBucket", "maxDepth", "defaults", "functions", "pipelines", "plugins");

    private final Function<String, String> environment;

    public ConfigLoader() {
        this(System::getenv);
    }

    public ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    public SluiceConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        try {
            return parse(text, base);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses config text; relative paths in it are resolved against {@code baseDir}. */
    public SluiceConfig parse(String yaml, Path baseDir) {
        Map<String, Integer> lines = new java.util.HashMap<>();
        JsonNode root;
        try {
            root = readTree(interpolate(yaml), lines);
        } catch (JsonProcessingException e) {
            throw new ConfigException("Invalid YAML at line " + e.getLocation().getLineNr() + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException("Cannot read the config: " + e.getMessage(), e);
        }
        try {
            return build(root, baseDir, lines);
        } catch (ConfigException e) {
            throw withLine(e, lines);
        }
    }

    /**
     * Puts the line of the setting an error names in front of its message, e.g.
     * {@code line 14, pipelines[0].steps[1].output: ...}: the longest setting path the message starts with, or
     * for an unknown setting the line of that setting itself.
     */
    static ConfigException withLine(ConfigException error, Map<String, Integer> lines) {
        String message = error.getMessage();
        String best = null;
        for (String path : lines.keySet()) {
            if (message.startsWith(path) && message.length() > path.length()
                    && ":. [(".indexOf(message.charAt(path.length())) >= 0
                    && (best == null || path.length() > best.length())) {
                best = path;
            }
        }
        Matcher unknown = UNKNOWN_SETTING.matcher(message);
        if (unknown.find()) {
            String key = best == null ? unknown.group(1) : best + "." + unknown.group(1);
            if (lines.containsKey(key)) {
                best = key;
            }
        }
        if (best == null) {
            return error;
        }
        return new ConfigException("line " + lines.get(best) + ", " + message, error);
    }

    private static SluiceConfig build(JsonNode root, Path baseDir, Map<String, Integer> lines) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException("The config must be a YAML mapping with keys such as 'pipelines'.");
        }
        checkKeys(root, "", TOP_LEVEL);
        FunctionSettings defaults = functionSettings(root.path("defaults"), "defaults", FunctionSettings.DEFAULTS);
        Map<String, FunctionSettings> functions = new LinkedHashMap<>();
        forEachField(root.path("functions"), (name, node) ->
                functions.put(name, functionSettings(node, "functions." + name, defaults)));
        List<Pipeline> pipelines = new ArrayList<>();
        JsonNode pipelinesNode = root.path("pipelines");
        if (!pipelinesNode.isMissingNode() && !pipelinesNode.isArray()) {
            throw new ConfigException("'pipelines' must be a list of pipelines, each with 'name', 'match' and 'steps'.");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pipelinesNode.size(); i++) {
            Pipeline pipeline = pipeline(pipelinesNode.get(i), "pipelines[" + i + "]", lines);
            if (!names.add(pipeline.name())) {
                throw new ConfigException("pipelines[" + i + "]: a pipeline named '" + pipeline.name()
                        + "' already exists; pipeline names must be unique.");
            }
            pipelines.add(pipeline);
        }
        StoreSettings store = store(root.path("store"));
        return new SluiceConfig(
                store,
                embedded(root.path("embedded"), baseDir),
                webhook(root.path("webhook")),
                poll(root.path("poll"), baseDir),
                listen(root.path("listen"), baseDir, store, pipelines),
                text(root, "deadLetters", SluiceConfig.DEFAULT_DEAD_LETTER_BUCKET),
                text(root, "stateBucket", SluiceConfig.DEFAULT_STATE_BUCKET),
                maxDepth(root),
                defaults,
                functions,
                pipelines,
                root.hasNonNull("plugins") ? baseDir.resolve(root.get("plugins").asText()).normalize() : null);
    }

    /**
     * Reads YAML keeping every scalar as the text written: plain YAML would turn a token {@code 0123} into
     * {@code 83}, {@code yes} into {@code true} and {@code 1e3} into {@code 1000.0}. A key written twice in one
     * mapping is an error instead of silently replacing the first.
     */
    private static JsonNode readTree(String yaml, Map<String, Integer> lines) throws IOException {
        try (JsonParser parser = YAML.getFactory().createParser(yaml)) {
            return parser.nextToken() == null ? null : readValue(parser, "", lines);
        }
    }

    /** @param lines receives the line of every setting by its path ({@code pipelines[0].steps[1].output}) */
    private static JsonNode readValue(JsonParser parser, String path, Map<String, Integer> lines) throws IOException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (parser.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = nodes.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    if (object.has(name)) {
                        throw new ConfigException("'" + name + "' is set twice in one mapping (line "
                                + parser.currentLocation().getLineNr() + "); keep one.");
                    }
                    String child = path.isEmpty() ? name : path + "." + name;
                    lines.putIfAbsent(child, parser.currentLocation().getLineNr());
                    parser.nextToken();
                    object.set(name, readValue(parser, child, lines));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    String child = path + "[" + array.size() + "]";
                    lines.putIfAbsent(child, parser.currentLocation().getLineNr());
                    array.add(readValue(parser, child, lines));
                }
                return array;
            }
            case VALUE_NULL -> {
                return nodes.nullNode();
            }
            default -> {
                return nodes.textNode(parser.getText());
            }
        }
    }

    String interpolate(String text) {
        Matcher m = ENV.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = environment.apply(m.group(1));
            if (value == null) {
                value = m.group(2);
            }
            if (value == null) {
                throw new ConfigException("The config uses ${" + m.group(1) + "} but that environment variable is not "
                        + "set; set it or write ${" + m.group(1) + ":-default}.");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static StoreSettings store(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        checkKeys(node, "store", Set.of("endpoint", "region", "accessKey", "secretKey", "pathStyle"));
        return new StoreSettings(text(node, "endpoint", null), text(node, "region", "us-east-1"),
                text(node, "accessKey", null), text(node, "secretKey", null),
                bool(node, "pathStyle", "store.", true));
    }

    private static EmbeddedSettings embedded(JsonNode node, Path baseDir) {
        checkKeys(node, "embedded", Set.of("host", "port", "dataDir", "buckets"));
        List<String> buckets = new ArrayList<>();
        node.path("buckets").forEach(b -> buckets.add(b.asText()));
        return new EmbeddedSettings(text(node, "host", "127.0.0.1"), integer(node, "port", "embedded.", 9000),
                baseDir.resolve(text(node, "dataDir", "sluice-data")).normalize(), buckets);
    }

    private static WebhookSettings webhook(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        checkKeys(node, "webhook", Set.of("host", "port", "path", "token"));
        return new WebhookSettings(text(node, "host", "127.0.0.1"), integer(node, "port", "webhook.", 8080),
                text(node, "path", "/events"), text(node, "token", null));
    }

    private static PollSettings poll(JsonNode node, Path baseDir) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        checkKeys(node, "poll", Set.of("buckets", "prefix", "interval", "stateFile"));
        List<String> buckets = new ArrayList<>();
        node.path("buckets").forEach(b -> buckets.add(b.asText()));
        if (buckets.isEmpty()) {
            throw new ConfigException("poll.buckets: name at least one bucket to poll.");
        }
        Duration interval = Durations.parse(text(node, "interval", "10s"), "poll.interval");
        if (interval.isZero()) {
            throw new ConfigException("poll.interval: must be longer than 0, e.g. 10s.");
        }
        return new PollSettings(buckets, text(node, "prefix", ""), interval,
                baseDir.resolve(text(node, "stateFile", "sluice-poll-state.json")).normalize());
    }

    /**
     * The listen section. Without {@code buckets} it listens to every bucket a pipeline matches, and without
     * {@code events} to the event types the pipelines match.
     */
    private static ListenSettings listen(JsonNode node, Path baseDir, StoreSettings store,
                                         List<Pipeline> pipelines) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        checkKeys(node, "listen", Set.of("buckets", "prefix", "events", "stateFile", "reconnectDelay",
                "maxReconnectDelay", "idleTimeout", "reconcileEvery"));
        if (store == null) {
            throw new ConfigException("listen: MinIO's listen API needs an external MinIO in a 'store' section. "
                    + "Without 'store' Sluice runs its embedded S3 server, which hands every upload to Sluice "
                    + "directly: remove 'listen' (it is not needed there), or add 'store' with MinIO's endpoint.");
        }
        if (store.endpoint() == null || store.endpoint().isBlank()) {
            throw new ConfigException("listen: MinIO's listen API needs store.endpoint (e.g. http://127.0.0.1:9000). "
                    + "AWS S3 has no listen API; use 'webhook' or 'poll' there.");
        }
        List<String> buckets = node.has("buckets") ? list(node.path("buckets")) : bucketsMatched(pipelines);
        if (buckets.isEmpty()) {
            throw new ConfigException(
                    "listen.buckets: name at least one bucket to listen to, e.g. buckets: [uploads].");
        }
        for (int i = 0; i < buckets.size(); i++) {
            if (buckets.get(i).isBlank()) {
                throw new ConfigException("listen.buckets[" + i + "]: a bucket name must not be blank.");
            }
        }
        Set<EventType> events = new HashSet<>();
        if (node.has("events")) {
            for (String event : list(node.path("events"))) {
                EventType type;
                try {
                    type = EventType.fromConfig(event);
                } catch (IllegalArgumentException e) {
                    type = EventType.OTHER;
                }
                if (type == EventType.OTHER) {
                    throw new ConfigException("listen.events: '" + event
                            + "' is not an event type; use created and/or removed.");
                }
                events.add(type);
            }
        } else {
            pipelines.forEach(p -> events.addAll(p.match().events()));
        }
        Duration reconnectDelay = listenDuration(node, "reconnectDelay", ListenSettings.DEFAULT_RECONNECT_DELAY);
        Duration maxReconnectDelay = listenDuration(node, "maxReconnectDelay",
                ListenSettings.DEFAULT_MAX_RECONNECT_DELAY.compareTo(reconnectDelay) < 0
                        ? reconnectDelay : ListenSettings.DEFAULT_MAX_RECONNECT_DELAY);
        if (reconnectDelay.isZero()) {
            throw new ConfigException("listen.reconnectDelay: must be longer than 0, e.g. 1s.");
        }
        if (maxReconnectDelay.compareTo(reconnectDelay) < 0) {
            throw new ConfigException("listen.maxReconnectDelay: must be at least listen.reconnectDelay ("
                    + text(node, "reconnectDelay", null) + ").");
        }
        Duration idleTimeout = listenDuration(node, "idleTimeout", ListenSettings.DEFAULT_IDLE_TIMEOUT);
        if (idleTimeout.compareTo(ListenSettings.MIN_IDLE_TIMEOUT) < 0) {
            throw new ConfigException("listen.idleTimeout: must be at least "
                    + ListenSettings.MIN_IDLE_TIMEOUT.toSeconds() + "s; MinIO sends a keep-alive every few seconds,"
                    + " and a shorter timeout would drop healthy streams.");
        }
        String reconcileEvery = text(node, "reconcileEvery", null);
        Duration reconcile = reconcileEvery == null ? ListenSettings.DEFAULT_RECONCILE_EVERY
                : "off".equalsIgnoreCase(reconcileEvery.trim()) || "0".equals(reconcileEvery.trim()) ? Duration.ZERO
                : Durations.parse(reconcileEvery, "listen.reconcileEvery");
        return new ListenSettings(buckets, text(node, "prefix", ""), events,
                baseDir.resolve(text(node, "stateFile", ListenSettings.DEFAULT_STATE_FILE)).normalize(),
                reconnectDelay, maxReconnectDelay, idleTimeout, reconcile);
    }

    /** The buckets the pipelines match, in order; every pipeline must name one. */
    private static List<String> bucketsMatched(List<Pipeline> pipelines) {
        Set<String> buckets = new LinkedHashSet<>();
        for (int i = 0; i < pipelines.size(); i++) {
            Pipeline pipeline = pipelines.get(i);
            if (pipeline.match().bucket() == null) {
                throw new ConfigException("listen.buckets: pipeline '" + pipeline.name() + "' (pipelines[" + i
                        + "]) matches any bucket, so Sluice cannot tell which buckets to listen to; list them under "
                        + "listen.buckets, or give that pipeline's match a bucket.");
            }
            buckets.add(pipeline.match().bucket());
        }
        return new ArrayList<>(buckets);
    }

    private static Duration listenDuration(JsonNode node, String field, Duration fallback) {
        String value = text(node, field, null);
        return value == null ? fallback : Durations.parse(value, "listen." + field);
    }

    private static FunctionSettings functionSettings(JsonNode node, String path, FunctionSettings base) {
        if (node.isMissingNode() || node.isNull()) {
            return base;
        }
        checkKeys(node, path, Set.of("concurrency", "queue", "timeout", "retries", "backoff", "params", "isolation",
                "heap", "warm"));
        Map<String, String> params = new LinkedHashMap<>(base.params());
        params.putAll(stringMap(node.path("params"), path + ".params"));
        FunctionSettings settings = new FunctionSettings(
                integer(node, "concurrency", path + ".", base.concurrency()),
                integer(node, "queue", path + ".", base.queue()),
                node.has("timeout") ? Durations.parse(node.get("timeout").asText(), path + ".timeout") : base.timeout(),
                integer(node, "retries", path + ".", base.retries()),
                node.has("backoff") ? Durations.parse(node.get("backoff").asText(), path + ".backoff") : base.backoff(),
                params, isolation(node, path, base.isolation()), heap(node, path, base.heap()),
                integer(node, "warm", path + ".", base.warm()));
        if (settings.concurrency() < 1 || settings.queue() < 0 || settings.retries() < 0
                || settings.timeout().isNegative() || settings.timeout().isZero()) {
            throw new ConfigException(path + ": concurrency must be at least 1, queue and retries at least 0, "
                    + "and timeout positive.");
        }
        if (settings.warm() < 0 || settings.warm() > settings.concurrency()) {
            throw new ConfigException(path + ".warm: " + settings.warm() + " child JVMs cannot be kept warm; use 0 "
                    + "(scale to zero) up to the concurrency, " + settings.concurrency() + ".");
        }
        if (settings.warm() > 0 && settings.isolation() != FunctionSettings.Isolation.PROCESS) {
            throw new ConfigException(path + ".warm keeps child JVMs ready, so it needs isolation: process; "
                    + "in-process functions are prepared once as the server starts and stay ready anyway.");
        }
        return settings;
    }

    private static FunctionSettings.Isolation isolation(JsonNode node, String path, FunctionSettings.Isolation base) {
        String value = text(node, "isolation", null);
        if (value == null) {
            return base;
        }
        for (FunctionSettings.Isolation isolation : FunctionSettings.Isolation.values()) {
            if (isolation.configName().equals(value.trim())) {
                return isolation;
            }
        }
        throw new ConfigException(path + ".isolation: '" + value + "' is not one of in-process (the default) and "
                + "process (each invocation in a pooled child JVM).");
    }

    private static String heap(JsonNode node, String path, String base) {
        String value = text(node, "heap", null);
        if (value == null) {
            return base;
        }
        if (!FunctionSettings.isHeapSize(value.trim())) {
            throw new ConfigException(path + ".heap: '" + value + "' is not a heap size; write it as for java -Xmx, "
                    + "e.g. 512m or 2g.");
        }
        return value.trim();
    }

    private static Pipeline pipeline(JsonNode node, String path, Map<String, Integer> lines) {
        checkKeys(node, path, Set.of("name", "match", "steps"));
        String name = text(node, "name", null);
        if (name == null || name.isBlank()) {
            throw new ConfigException(path + ": every pipeline needs a 'name'.");
        }
        JsonNode steps = node.path("steps");
        if (!steps.isArray() || steps.isEmpty()) {
            throw new ConfigException(path + " (" + name + "): 'steps' must list at least one step.");
        }
        Map<String, JsonNode> stepNodes = new LinkedHashMap<>();
        collectStepNodes(steps, path + ".steps", stepNodes, new HashSet<>());
        List<Step> built = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            built.add(step(steps.get(i), path + ".steps[" + i + "]", stepNodes, new LinkedHashSet<>(), lines));
        }
        return new Pipeline(name, match(node.path("match"), path + ".match"), built);
    }

    /** Gives every step an id (its function name unless written) so that 'then' can refer to steps by id. */
    private static void collectStepNodes(JsonNode steps, String path, Map<String, JsonNode> byId, Set<String> seen) {
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            if (step.isTextual()) {
                continue; // a reference, resolved later
            }
            if (!step.isObject()) {
                throw new ConfigException(path + "[" + i + "]: a step is a mapping with 'function' and 'output'.");
            }
            String id = stepId(step);
            if (byId.containsKey(id)) {
                throw new ConfigException(path + "[" + i + "]: step id '" + id + "' is used twice in this pipeline; "
                        + "give one of them an 'id'.");
            }
            byId.put(id, step);
            if (step.path("then").isArray()) {
                collectStepNodes(step.path("then"), path + "[" + i + "].then", byId, seen);
            }
        }
    }

    private static Step step(JsonNode node, String path, Map<String, JsonNode> byId, LinkedHashSet<String> chain,
                             Map<String, Integer> lines) {
        if (node.isTextual()) {
            JsonNode target = byId.get(node.asText());
            if (target == null) {
                throw new ConfigException(path + ": 'then' refers to step '" + node.asText()
                        + "', which this pipeline does not define. Known steps: " + String.join(", ", byId.keySet()));
            }
            node = target;
        }
        checkKeys(node, path, Set.of("id", "function", "params", "output", "then", "when"));
        String id = stepId(node);
        if (!chain.add(id)) {
            throw new ConfigException(path + ": steps form a cycle (" + String.join(" -> ", chain) + " -> " + id
                    + "); a step's outputs cannot feed the step itself or one before it.");
        }
        String function = text(node, "function", null);
        if (function == null) {
            throw new ConfigException(path + ": every step needs a 'function', e.g. function: thumbnail.");
        }
        String output = text(node, "output", null);
        if (output == null) {
            throw new ConfigException(path + " (" + id + "): every step needs an 'output' such as "
                    + "s3://bucket/{dir}/{name}{suffix}.{ext}.");
        }
        OutputTemplate template;
        try {
            template = OutputTemplate.parse(output);
        } catch (ConfigException e) {
            throw new ConfigException(path + ".output: " + e.getMessage(), e);
        }
        List<Step> then = new ArrayList<>();
        JsonNode thenNode = node.path("then");
        for (int i = 0; i < thenNode.size(); i++) {
            then.add(step(thenNode.get(i), path + ".then[" + i + "]", byId, new LinkedHashSet<>(chain), lines));
        }
        return new Step(id, function, stringMap(node.path("params"), path + ".params"), template, then,
                condition(node.path("when"), path + ".when"), lines.getOrDefault(path + ".function", 0));
    }

    private static Condition condition(JsonNode node, String path) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        checkKeys(node, path, Set.of("contentType", "minSize", "maxSize", "key", "json"));
        JsonNode json = node.path("json");
        checkKeys(json, path + ".json", Set.of("field", "equals", "notEmpty"));
        String field = text(json, "field", null);
        if (!json.isMissingNode() && (field == null || !field.startsWith("/"))) {
            throw new ConfigException(path + ".json.field must be a JSON Pointer such as /pagesWithoutText.");
        }
        if (field != null && !json.has("equals") && !json.has("notEmpty")) {
            throw new ConfigException(path + ".json needs 'equals: VALUE' or 'notEmpty: true' besides 'field'.");
        }
        return new Condition(list(node.path("contentType")), size(node, "minSize", path), size(node, "maxSize", path),
                text(node, "key", null), field, text(json, "equals", null),
                "true".equalsIgnoreCase(text(json, "notEmpty", "false")));
    }

    /** Sizes as bytes or with a unit: 512, 10KB, 5MB, 2GB (powers of 1024). */
    private static Long size(JsonNode node, String field, String path) {
        String value = text(node, field, null);
        if (value == null) {
            return null;
        }
        Matcher m = Pattern.compile("(\\d+)\\s*([KMG]?)B?", Pattern.CASE_INSENSITIVE).matcher(value.trim());
        if (!m.matches()) {
            throw new ConfigException(path + "." + field + ": '" + value + "' is not a size; write e.g. 512, 10KB or 5MB.");
        }
        int shift = switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    private static String stepId(JsonNode step) {
        String id = text(step, "id", null);
        return id != null ? id : text(step, "function", "step");
    }

    private static Match match(JsonNode node, String path) {
        if (node.isMissingNode() || node.isNull()) {
            throw new ConfigException(path + ": every pipeline needs a 'match' with at least a 'bucket'.");
        }
        checkKeys(node, path, Set.of("bucket", "prefix", "suffix", "glob", "contentType", "events"));
        Set<EventType> events = new HashSet<>();
        for (String event : list(node.path("events"))) {
            try {
                events.add(EventType.fromConfig(event));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(path + ".events: '" + event + "' is not an event type; use created or removed.");
            }
        }
        return new Match(text(node, "bucket", null), text(node, "prefix", ""), list(node.path("suffix")),
                text(node, "glob", null), list(node.path("contentType")), events);
    }

    private static List<String> list(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(v -> values.add(v.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            values.add(node.asText());
        }
        return values;
    }

    private static Map<String, String> stringMap(JsonNode node, String path) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return map;
        }
        if (!node.isObject()) {
            throw new ConfigException(path + " must be a mapping of names to values.");
        }
        forEachField(node, (k, v) -> map.put(k, v.isArray() ? String.join(",", list(v)) : v.asText()));
        return map;
    }

    private static void forEachField(JsonNode node, java.util.function.BiConsumer<String, JsonNode> action) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            action.accept(field.getKey(), field.getValue());
        }
    }

    private static void checkKeys(JsonNode node, String path, Set<String> allowed) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new ConfigException((path.isEmpty() ? "The config" : path) + " must be a mapping.");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ConfigException((path.isEmpty() ? "" : path + ": ") + "unknown setting '" + name
                        + "'. Allowed here: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ".");
            }
        }
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? fallback : value.asText();
    }

    private static int maxDepth(JsonNode root) {
        int maxDepth = integer(root, "maxDepth", "", 8);
        if (maxDepth < 1) {
            throw new ConfigException("maxDepth: " + maxDepth
                    + " would stop every pipeline; use at least 1 (default 8).");
        }
        return maxDepth;
    }

    private static boolean bool(JsonNode node, String field, String path, boolean fallback) {
        String value = text(node, field, null);
        if (value == null) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(path + field + ": '" + value + "' is not true or false.");
        };
    }

    private static int integer(JsonNode node, String field, String path, int fallback) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (value.isInt()) {
            return value.asInt();
        }
        if (value.isTextual() && value.asText().trim().matches("-?\\d{1,9}")) {
            return Integer.parseInt(value.asText().trim());
        }
        throw new ConfigException(path + field + ": '" + value.asText() + "' is not a whole number.");
    }
}
