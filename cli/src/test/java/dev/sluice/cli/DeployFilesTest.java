package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.Durations;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import dev.sluice.triggers.WebhookTrigger;
import dev.sluice.triggers.nats.NatsSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

/**
 * Everything under {@code deploy/} parses, and what it says agrees with the code it deploys: the configs load and
 * name only functions and parameters that exist, the containers set only environment variables that Sluice reads,
 * KEDA watches the stream and consumer the workers use, the probes ask OpsServer's paths on the worker's metrics
 * port, and MinIO's NATS target (Compose) publishes on the subject the workers consume. Each check returns its
 * problems, and {@link #theChecksCatchMismatches()} shows that each of them finds a planted one.
 */
class DeployFilesTest {
    static final Path DEPLOY = Path.of("../deploy");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** ConfigLoader's {@code ${VAR}} and {@code ${VAR:-default}}; Compose writes variables the same way. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    /** The image's config path (cli/pom.xml: Jib's args) and the folder the deployments mount it into. */
    static final String CONFIG_PATH = "/etc/sluice/sluice.yaml";

    static FunctionRegistry functions;

    @BeforeAll
    static void loadFunctions() {
        functions = Functions.load(null);
    }

    @AfterAll
    static void closeFunctions() {
        functions.close();
    }

    // ---- the files ------------------------------------------------------------------------------------------

    @Test
    void everyYamlFileUnderDeployParses() throws IOException {
        List<Path> files = yamlFiles();
        assertThat(files).extracting(f -> DEPLOY.relativize(f).toString().replace('\\', '/'))
                .contains("compose/docker-compose.yml", "compose/sluice.yaml", "kubernetes/worker-deployment.yaml",
                        "kubernetes/keda-scaledobject.yaml", "knative/service.yaml", "knative/trigger.yaml");
        for (Path file : files) {
            assertThat(documents(file)).as(file.toString()).isNotEmpty().allSatisfy(d -> assertThat(d.isObject()).isTrue());
        }
    }

    @Test
    void kubernetesManifestsAreObjectsAndKustomizationsListThemAll() throws IOException {
        for (String folder : List.of("kubernetes", "knative")) {
            Set<String> manifests = new TreeSet<>();
            for (Path file : yamlFiles(DEPLOY.resolve(folder))) {
                String name = file.getFileName().toString();
                for (JsonNode doc : documents(file)) {
                    assertThat(doc.path("apiVersion").asText()).as(file + " apiVersion").isNotBlank();
                    assertThat(doc.path("kind").asText()).as(file + " kind").isNotBlank();
                    if (!name.equals("kustomization.yaml")) {
                        assertThat(doc.path("metadata").path("name").asText()).as(file + " metadata.name").isNotBlank();
                    }
                }
                if (!name.equals("kustomization.yaml") && !name.endsWith(".example.yaml")) {
                    manifests.add(name);
                }
            }
            JsonNode kustomization = documents(DEPLOY.resolve(folder).resolve("kustomization.yaml")).get(0);
            Set<String> listed = new TreeSet<>();
            kustomization.path("resources").forEach(r -> listed.add(r.asText()));
            assertThat(listed).as(folder + "/kustomization.yaml resources").isEqualTo(manifests);
        }
    }

    // ---- configs ------------------------------------------------------------------------------------------------

    @Test
    void everyConfigLoadsAndValidatesAgainstTheBuiltInFunctions() throws IOException {
        Map<String, String> configs = deployedConfigs();
        assertThat(configs).hasSize(3);
        configs.forEach((where, text) -> {
            SluiceConfig config = withPlaceholders(text);
            assertThat(ConfigValidator.problems(config, functions)).as(where).isEmpty();
            assertThat(config.store()).as(where + ": workers and the webhook need an external store").isNotNull();
            assertThat(config.usesEmbeddedServer()).as(where).isFalse();
        });
    }

    // ---- Compose --------------------------------------------------------------------------------------------

    @Test
    void composeWorkersReadTheirEnvironmentAndConfig() throws IOException {
        assertThat(composeWorkerProblems(compose(), composeConfigText())).isEmpty();
    }

    @Test
    void composeWiresMinioToTheSubjectTheWorkersConsume() throws IOException {
        assertThat(minioWiringProblems(compose(), initScript(), withPlaceholders(composeConfigText()))).isEmpty();
    }

    // ---- Kubernetes -----------------------------------------------------------------------------------------

    @Test
    void kubernetesWorkersReadTheirEnvironmentAndConfig() throws IOException {
        JsonNode deployment = kubernetes("worker-deployment.yaml");
        assertThat(kubernetesWorkerProblems(deployment, kubernetesConfigText(), secretKeys())).isEmpty();
    }

    @Test
    void kedaScalesOnTheWorkersStreamAndConsumerDownToZero() throws IOException {
        assertThat(kedaProblems(kubernetes("keda-scaledobject.yaml"), kubernetes("worker-deployment.yaml"))).isEmpty();
    }

    @Test
    void theStreamJobMakesTheStreamTheWorkersUse() throws IOException {
        assertThat(streamJobProblems(kubernetes("nats-stream-job.yaml"), kubernetes("worker-deployment.yaml")))
                .isEmpty();
    }

    @Test
    void probesAskOpsServerOnTheMetricsPort() throws Exception {
        JsonNode deployment = kubernetes("worker-deployment.yaml");
        assertThat(probeProblems(deployment, kubernetes("worker-metrics-service.yaml"))).isEmpty();

        // and OpsServer answers exactly those paths: 200 for each probe of a ready worker
        JsonNode container = container(deployment);
        PrometheusMeterRegistry registry = OpsServer.newRegistry();
        try (OpsServer ops = OpsServer.start("127.0.0.1", 0, registry, () -> true)) {
            HttpClient http = HttpClient.newHttpClient();
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                String path = container.path(probe).path("httpGet").path("path").asText();
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ops.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(probe + " " + path).isEqualTo(200);
            }
        }
    }

    @Test
    void theImageAndTheManifestsAgree() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher user = Pattern.compile("<user>(\\d+):(\\d+)</user>").matcher(pom);
        assertThat(user.find()).as("cli/pom.xml: Jib's <user>").isTrue();
        assertThat(kubernetes("worker-deployment.yaml").path("spec").path("template").path("spec")
                .path("securityContext").path("runAsUser").asText()).isEqualTo(user.group(1));
        Matcher args = Pattern.compile("<args>\\s*<arg>(\\w+)</arg>\\s*<arg>--config</arg>\\s*<arg>([^<]+)</arg>")
                .matcher(pom);
        assertThat(args.find()).as("cli/pom.xml: Jib's default <args>").isTrue();
        assertThat(args.group(1)).isEqualTo("worker");
        assertThat(args.group(2)).isEqualTo(CONFIG_PATH);
    }

    @Test
    void otherImagesArePinnedAndComposeRunsTheTestedMinio() throws IOException {
        Map<String, String> images = images();
        assertThat(images).containsKeys("compose/docker-compose.yml services.minio",
                "kubernetes/nats-stream-job.yaml spec.template.spec.containers[0]");
        assertThat(imagePinningProblems(images)).isEmpty();
        assertThat(images.get("compose/docker-compose.yml services.minio")).isEqualTo(MinioEndToEndTest.IMAGE);
    }

    // ---- Knative --------------------------------------------------------------------------------------------

    @Test
    void knativeServiceServesTheWebhookThatTheTriggerCalls() throws IOException {
        assertThat(knativeProblems(knative("service.yaml"), knative("trigger.yaml"), knative("kafka-source.yaml"),
                knativeConfigText(), secretKeys(), namespace("knative"))).isEmpty();
    }

    // ---- the checks can fail --------------------------------------------------------------------------------

    @Test
    void theChecksCatchMismatches() throws IOException {
        JsonNode deployment = kubernetes("worker-deployment.yaml");
        JsonNode scaled = kubernetes("keda-scaledobject.yaml");

        JsonNode otherStream = scaled.deepCopy();
        ((ObjectNode) otherStream.path("spec").path("triggers").get(0).path("metadata")).put("stream", "OTHER");
        assertThat(kedaProblems(otherStream, deployment)).anyMatch(p -> p.contains("stream"));

        JsonNode neverZero = scaled.deepCopy();
        ((ObjectNode) neverZero.path("spec")).put("minReplicaCount", 1);
        assertThat(kedaProblems(neverZero, deployment)).anyMatch(p -> p.contains("minReplicaCount"));

        JsonNode otherConsumer = deployment.deepCopy();
        setEnv(otherConsumer, "SLUICE_NATS_CONSUMER", "somebody-else");
        assertThat(kedaProblems(scaled, otherConsumer)).anyMatch(p -> p.contains("consumer"));

        JsonNode typo = deployment.deepCopy();
        ((ArrayNode) container(typo).path("env")).addObject().put("name", "SLUICE_NATS_STREEM").put("value", "X");
        assertThat(kubernetesWorkerProblems(typo, kubernetesConfigText(), secretKeys()))
                .anyMatch(p -> p.contains("SLUICE_NATS_STREEM"));

        JsonNode wrongProbe = deployment.deepCopy();
        ((ObjectNode) container(wrongProbe).path("readinessProbe").path("httpGet")).put("path", "/ready");
        assertThat(probeProblems(wrongProbe, kubernetes("worker-metrics-service.yaml")))
                .anyMatch(p -> p.contains("/ready"));

        JsonNode shortGrace = deployment.deepCopy();
        ((ObjectNode) shortGrace.path("spec").path("template").path("spec")).put("terminationGracePeriodSeconds", 20);
        assertThat(probeProblems(shortGrace, kubernetes("worker-metrics-service.yaml")))
                .anyMatch(p -> p.contains("terminationGracePeriodSeconds"));

        JsonNode compose = compose();
        ObjectNode otherSubject = compose.deepCopy();
        ((ObjectNode) otherSubject.path("services").path("minio-init").path("environment"))
                .put("NATS_SUBJECT", "minio.events");
        SluiceConfig config = withPlaceholders(composeConfigText());
        assertThat(minioWiringProblems(otherSubject, initScript(), config)).anyMatch(p -> p.contains("subject"));
        assertThat(minioWiringProblems(compose, initScript().replace("local/thumbnails", ""), config))
                .anyMatch(p -> p.contains("thumbnails"));

        assertThat(composeWorkerProblems(compose, composeConfigText().replace("${SLUICE_SECRET_KEY}",
                "${SLUICE_STORE_SECRET}"))).anyMatch(p -> p.contains("SLUICE_STORE_SECRET"));

        Map<String, String> floating = new LinkedHashMap<>(images());
        floating.put("compose/docker-compose.yml services.minio", "minio/minio:latest");
        floating.put("kubernetes/nats-stream-job.yaml spec.template.spec.containers[0]", "natsio/nats-box");
        assertThat(imagePinningProblems(floating)).hasSize(2);

        JsonNode trigger = knative("trigger.yaml").deepCopy();
        ((ObjectNode) trigger.path("spec").path("subscriber")).put("uri", "/");
        assertThat(knativeProblems(knative("service.yaml"), trigger, knative("kafka-source.yaml"), knativeConfigText(),
                secretKeys(), namespace("knative"))).anyMatch(p -> p.contains("uri"));
    }

    // =========================================================================================================
    // The checks: each returns what disagrees with the code, empty when everything does.
    // =========================================================================================================

    /**
     * Images other than Sluice's own name a release, so that a deployment made today and one made next month run
     * the same thing ({@code latest} or no tag floats).
     */
    static List<String> imagePinningProblems(Map<String, String> images) {
        List<String> problems = new ArrayList<>();
        images.forEach((where, image) -> {
            String name = image.substring(image.lastIndexOf('/') + 1);
            int colon = name.indexOf(':');
            String repository = colon < 0 ? name : name.substring(0, colon);
            String tag = colon < 0 ? "" : name.substring(colon + 1);
            if (!repository.equals("sluice") && (tag.isEmpty() || tag.equals("latest"))) {
                problems.add(where + ": image " + image + " is not pinned to a release");
            }
        });
        return problems;
    }

    static List<String> composeWorkerProblems(JsonNode compose, String configText) {
        List<String> problems = new ArrayList<>();
        JsonNode worker = compose.path("services").path("sluice-worker");
        List<String> command = texts(worker.path("command"));
        if (!command.equals(List.of("worker", "--config", CONFIG_PATH))) {
            problems.add("sluice-worker command is " + command + ", expected worker --config " + CONFIG_PATH);
        }
        if (!texts(worker.path("volumes")).contains("./sluice.yaml:" + CONFIG_PATH + ":ro")) {
            problems.add("sluice-worker does not mount ./sluice.yaml at " + CONFIG_PATH);
        }
        Map<String, String> env = composeEnvironment(worker.path("environment"));
        problems.addAll(environmentProblems("compose sluice-worker", env, configText, workerVariables()));
        Duration grace = Durations.parse(workerSetting(env, "--shutdown-grace"), "--shutdown-grace");
        Duration stop = Durations.parse(worker.path("stop_grace_period").asText("10s"), "stop_grace_period");
        if (stop.compareTo(grace) <= 0) {
            problems.add("stop_grace_period " + stop + " must be longer than the worker's shutdown grace " + grace);
        }
        String health = String.join(" ", texts(worker.path("healthcheck").path("test")));
        String port = workerSetting(env, "--metrics-port");
        if (!health.contains("/dev/tcp/127.0.0.1/" + port + " ") || !health.contains("GET /readyz ")) {
            problems.add("the healthcheck does not ask GET /readyz on the metrics port " + port + ": " + health);
        }
        if (!"service_completed_successfully".equals(
                worker.path("depends_on").path("minio-init").path("condition").asText())) {
            problems.add("sluice-worker must wait for minio-init to complete (depends_on)");
        }
        return problems;
    }

    /** MinIO (minio-init.sh, run by the minio-init service) publishes the config's buckets' events to the workers. */
    static List<String> minioWiringProblems(JsonNode compose, String script, SluiceConfig config) {
        List<String> problems = new ArrayList<>();
        Map<String, String> workerEnv = composeEnvironment(compose.path("services").path("sluice-worker").path("environment"));
        Map<String, String> initEnv = composeEnvironment(compose.path("services").path("minio-init").path("environment"));
        List<String> commands = shellCommands(script);

        Set<String> made = new TreeSet<>();
        commands.stream().filter(c -> c.startsWith("mc mb ")).forEach(c -> made.addAll(mcBuckets(c)));
        Set<String> needed = new TreeSet<>();
        Set<String> watched = new TreeSet<>();
        for (Pipeline pipeline : config.pipelines()) {
            needed.add(pipeline.match().bucket());
            watched.add(pipeline.match().bucket());
            outputBuckets(pipeline.steps(), needed);
        }
        for (String bucket : needed) {
            if (!made.contains(bucket)) {
                problems.add("minio-init.sh does not create bucket " + bucket + " that sluice.yaml uses");
            }
        }

        String notify = commands.stream().filter(c -> c.startsWith("mc admin config set ") && c.contains(" notify_nats:"))
                .findFirst().orElse(null);
        if (notify == null) {
            problems.add("minio-init.sh sets no notify_nats target");
            return problems;
        }
        Matcher id = Pattern.compile(" notify_nats:(\\S+)").matcher(notify);
        id.find();
        Map<String, String> settings = new HashMap<>();
        Matcher pair = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(notify);
        while (pair.find()) {
            settings.put(pair.group(1), shellValue(pair.group(2), initEnv));
        }
        String subject = workerSetting(workerEnv, "--subject");
        if (!subject.equals(settings.get("subject"))) {
            problems.add("MinIO publishes to subject " + settings.get("subject") + " but the workers consume " + subject);
        }
        if (!"on".equals(settings.get("jetstream"))) {
            problems.add("notify_nats must have jetstream=\"on\": the workers consume a JetStream stream");
        }
        URI broker = URI.create(workerSetting(workerEnv, "--url"));
        if (!(broker.getHost() + ":" + broker.getPort()).equals(settings.get("address"))) {
            problems.add("MinIO's NATS address " + settings.get("address") + " is not the workers' " + broker);
        }
        String arn = "arn:minio:sqs::" + id.group(1) + ":nats";
        Set<String> evented = new TreeSet<>();
        for (String command : commands) {
            if (command.startsWith("mc event add ")) {
                if (!command.contains(" " + arn) || !command.matches(".*--event \\S*put.*")) {
                    problems.add("'" + command + "' should send put events to " + arn);
                }
                evented.addAll(mcBuckets(command));
            }
        }
        if (!evented.equals(watched)) {
            problems.add("MinIO sends events of buckets " + evented + " but the pipelines watch " + watched);
        }
        return problems;
    }

    static List<String> kubernetesWorkerProblems(JsonNode deployment, String configText, Set<String> secretKeys) {
        List<String> problems = new ArrayList<>();
        JsonNode container = container(deployment);
        List<String> args = texts(container.path("args"));
        if (!args.equals(List.of("worker", "--config", CONFIG_PATH))) {
            problems.add("the worker's args are " + args + ", expected worker --config " + CONFIG_PATH);
        }
        Map<String, String> env = kubernetesEnvironment(container);
        if (container.path("envFrom").findValues("name").stream().noneMatch(n -> n.asText().equals("sluice-store"))) {
            problems.add("the worker takes no env from Secret sluice-store");
        }
        secretKeys.forEach(k -> env.putIfAbsent(k, "x"));
        problems.addAll(environmentProblems("worker Deployment", env, configText, workerVariables()));
        boolean mounted = false;
        for (JsonNode mount : container.path("volumeMounts")) {
            mounted |= CONFIG_PATH.startsWith(mount.path("mountPath").asText() + "/");
        }
        if (!mounted) {
            problems.add("nothing is mounted at " + CONFIG_PATH);
        }
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
        deployment.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(label -> {
            if (!label.getValue().equals(podLabels.path(label.getKey()))) {
                problems.add("the Deployment's selector " + label + " does not match its pods' labels " + podLabels);
            }
        });
        return problems;
    }

    static List<String> kedaProblems(JsonNode scaledObject, JsonNode deployment) {
        List<String> problems = new ArrayList<>();
        Map<String, String> env = kubernetesEnvironment(container(deployment));
        JsonNode spec = scaledObject.path("spec");
        if (!spec.path("scaleTargetRef").path("name").asText().equals(deployment.path("metadata").path("name").asText())) {
            problems.add("the ScaledObject scales " + spec.path("scaleTargetRef").path("name") + ", not the workers");
        }
        if (spec.path("minReplicaCount").asInt(-1) != 0) {
            problems.add("minReplicaCount is " + spec.path("minReplicaCount") + ": the workers should scale to zero");
        }
        JsonNode trigger = null;
        for (JsonNode t : spec.path("triggers")) {
            if ("nats-jetstream".equals(t.path("type").asText())) {
                trigger = t.path("metadata");
            }
        }
        if (trigger == null) {
            problems.add("no nats-jetstream trigger");
            return problems;
        }
        String stream = workerSetting(env, "--stream");
        String consumer = workerSetting(env, "--consumer");
        if (!stream.equals(trigger.path("stream").asText())) {
            problems.add("KEDA watches stream " + trigger.path("stream").asText() + ", the workers use " + stream);
        }
        if (!consumer.equals(trigger.path("consumer").asText())) {
            problems.add("KEDA watches consumer " + trigger.path("consumer").asText() + ", the workers use " + consumer);
        }
        String monitoring = trigger.path("natsServerMonitoringEndpoint").asText();
        String brokerHost = URI.create(workerSetting(env, "--url")).getHost();
        if (!monitoring.startsWith(brokerHost + ":")) {
            problems.add("KEDA asks NATS at " + monitoring + ", the workers connect to " + brokerHost);
        }
        if (!trigger.path("lagThreshold").asText().matches("[1-9][0-9]*") || !trigger.hasNonNull("account")) {
            problems.add("the trigger needs a positive lagThreshold and an account");
        }
        return problems;
    }

    static List<String> streamJobProblems(JsonNode job, JsonNode deployment) {
        List<String> problems = new ArrayList<>();
        Map<String, String> workers = kubernetesEnvironment(container(deployment));
        JsonNode container = job.path("spec").path("template").path("spec").path("containers").get(0);
        Map<String, String> env = kubernetesEnvironment(container);
        String script = String.join(" ", texts(container.path("args")));
        for (String[] setting : new String[][] {{"--stream", "SLUICE_NATS_STREAM"}, {"--subject", "SLUICE_NATS_SUBJECT"}}) {
            if (!workerSetting(workers, setting[0]).equals(env.get(setting[1]))) {
                problems.add("the Job's " + setting[1] + " " + env.get(setting[1]) + " is not the workers' "
                        + workerSetting(workers, setting[0]));
            }
        }
        if (!workerSetting(workers, "--url").equals(env.get("NATS_URL"))) {
            problems.add("the Job's NATS_URL " + env.get("NATS_URL") + " is not the workers' broker URL");
        }
        if (!script.contains("--retention work") || !script.contains("--storage file")) {
            problems.add("the Job must create the stream as the workers do: work-queue retention, file storage");
        }
        return problems;
    }

    static List<String> probeProblems(JsonNode deployment, JsonNode metricsService) {
        List<String> problems = new ArrayList<>();
        JsonNode container = container(deployment);
        Map<String, String> env = kubernetesEnvironment(container);
        String metricsPort = workerSetting(env, "--metrics-port");
        Map<String, String> expected = Map.of("startupProbe", "/healthz", "livenessProbe", "/healthz",
                "readinessProbe", "/readyz");
        expected.forEach((probe, path) -> {
            JsonNode get = container.path(probe).path("httpGet");
            if (!path.equals(get.path("path").asText())) {
                problems.add(probe + " asks " + get.path("path").asText() + ", OpsServer answers " + path);
            }
            if (!metricsPort.equals(containerPort(container, get.path("port")))) {
                problems.add(probe + " asks port " + get.path("port") + ", the worker serves " + metricsPort);
            }
        });
        JsonNode annotations = deployment.path("spec").path("template").path("metadata").path("annotations");
        if (!metricsPort.equals(annotations.path("prometheus.io/port").asText())
                || !"/metrics".equals(annotations.path("prometheus.io/path").asText())) {
            problems.add("the prometheus.io annotations do not name /metrics on port " + metricsPort);
        }
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
        metricsService.path("spec").path("selector").fields().forEachRemaining(label -> {
            if (!label.getValue().equals(podLabels.path(label.getKey()))) {
                problems.add("the metrics Service selects " + label + ", which the worker pods do not have");
            }
        });
        for (JsonNode port : metricsService.path("spec").path("ports")) {
            if (!metricsPort.equals(containerPort(container, port.path("targetPort")))) {
                problems.add("the metrics Service targets " + port.path("targetPort") + ", not port " + metricsPort);
            }
        }
        Duration grace = Durations.parse(workerSetting(env, "--shutdown-grace"), "--shutdown-grace");
        long termination = deployment.path("spec").path("template").path("spec")
                .path("terminationGracePeriodSeconds").asLong(30);
        if (termination <= grace.toSeconds()) {
            problems.add("terminationGracePeriodSeconds " + termination + " must be longer than the shutdown grace "
                    + grace);
        }
        return problems;
    }

    static List<String> knativeProblems(JsonNode service, JsonNode trigger, JsonNode source, String configText,
                                        Set<String> secretKeys, String namespace) {
        List<String> problems = new ArrayList<>();
        JsonNode container = service.path("spec").path("template").path("spec").path("containers").get(0);
        List<String> args = texts(container.path("args"));
        if (!args.equals(List.of("serve", "--config", CONFIG_PATH))) {
            problems.add("the Knative Service runs " + args + ", expected serve --config " + CONFIG_PATH);
        }
        String port = container.path("ports").get(0).path("containerPort").asText();
        Map<String, String> env = kubernetesEnvironment(container);
        secretKeys.forEach(k -> env.putIfAbsent(k, "x"));
        env.put("PORT", port); // Knative sets it to the container port
        Set<String> serveReads = new TreeSet<>(logbackVariables());
        serveReads.addAll(List.of("SLUICE_ACCESS_KEY", "SLUICE_SECRET_KEY", "JAVA_TOOL_OPTIONS", "PORT")); // Credentials
        problems.addAll(environmentProblems("Knative Service", env, configText, serveReads));
        SluiceConfig config = load(configText, env::get);
        if (config.webhook() == null) {
            problems.add("the Knative config has no webhook");
            return problems;
        }
        if (!String.valueOf(config.webhook().port()).equals(port) || !"0.0.0.0".equals(config.webhook().host())) {
            problems.add("the webhook listens on " + config.webhook().host() + ":" + config.webhook().port()
                    + ", Knative sends to 0.0.0.0:" + port);
        }
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            String path = container.path(probe).path("httpGet").path("path").asText();
            if (!WebhookTrigger.HEALTH_PATH.equals(path)) {
                problems.add(probe + " asks " + path + ", the webhook answers " + WebhookTrigger.HEALTH_PATH);
            }
        }
        JsonNode subscriber = trigger.path("spec").path("subscriber");
        if (!service.path("metadata").path("name").asText().equals(subscriber.path("ref").path("name").asText())
                || !"Service".equals(subscriber.path("ref").path("kind").asText())) {
            problems.add("the Trigger calls " + subscriber.path("ref") + ", not the Knative Service");
        }
        if (!config.webhook().path().equals(subscriber.path("uri").asText())) {
            problems.add("the Trigger's uri " + subscriber.path("uri").asText() + " is not the webhook path "
                    + config.webhook().path());
        }
        JsonNode sourceSpec = source.path("spec");
        String expectedSource = "/apis/v1/namespaces/" + namespace + "/kafkasources/"
                + source.path("metadata").path("name").asText() + "#" + sourceSpec.path("topics").get(0).asText();
        JsonNode filter = trigger.path("spec").path("filter").path("attributes");
        if (!expectedSource.equals(filter.path("source").asText())
                || !"dev.knative.kafka.event".equals(filter.path("type").asText())) {
            problems.add("the Trigger's filter " + filter + " does not match the KafkaSource's events ("
                    + expectedSource + ")");
        }
        if (!trigger.path("spec").path("broker").asText().equals(sourceSpec.path("sink").path("ref").path("name").asText())) {
            problems.add("the KafkaSource sends to another Broker than the Trigger listens to");
        }
        return problems;
    }

    /**
     * Every variable is one Sluice reads ({@code reads}, or the config's own {@code ${VAR}}s), and every
     * {@code ${VAR}} of the config without a default is set, so the config loads.
     */
    static List<String> environmentProblems(String where, Map<String, String> env, String configText, Set<String> reads) {
        List<String> problems = new ArrayList<>();
        Set<String> configVariables = new TreeSet<>();
        Matcher m = VARIABLE.matcher(configText);
        while (m.find()) {
            configVariables.add(m.group(1));
            if (m.group(2) == null && !env.containsKey(m.group(1))) {
                problems.add(where + ": the config uses ${" + m.group(1) + "} but the container does not set it");
            }
        }
        for (String name : env.keySet()) {
            if (!reads.contains(name) && !configVariables.contains(name)) {
                problems.add(where + ": " + name + " is read by nothing (the worker reads " + reads + ")");
            }
        }
        return problems;
    }

    // =========================================================================================================
    // What the worker reads: its picocli options' ${env:...} defaults, taken from the annotations themselves.
    // =========================================================================================================

    /** One option of {@code sluice worker} that defaults to an environment variable. */
    record EnvOption(String option, String variable, String fallback) {
    }

    static Map<String, EnvOption> workerOptions() {
        Map<String, EnvOption> options = new LinkedHashMap<>();
        Pattern env = Pattern.compile("\\$\\{env:([A-Z0-9_]+)(?::-([^}]*))?}");
        for (Field field : WorkerCommand.class.getDeclaredFields()) {
            Option option = field.getAnnotation(Option.class);
            if (option == null) {
                continue;
            }
            Matcher m = env.matcher(option.defaultValue());
            if (m.matches()) {
                String name = option.names()[option.names().length - 1];
                options.put(name, new EnvOption(name, m.group(1), m.group(2)));
            }
        }
        return options;
    }

    static Set<String> workerVariables() {
        Set<String> names = new TreeSet<>();
        workerOptions().values().forEach(o -> names.add(o.variable()));
        names.addAll(logbackVariables());
        names.add("JAVA_TOOL_OPTIONS"); // the JVM's
        return names;
    }

    /** What the worker uses for {@code option} in this environment (the option's default when it is not set). */
    static String workerSetting(Map<String, String> env, String option) {
        EnvOption o = workerOptions().get(option);
        assertThat(o).as("sluice worker option " + option).isNotNull();
        String value = env.getOrDefault(o.variable(), o.fallback());
        if (value == null && option.equals("--url")) {
            value = NatsSettings.DEFAULT_URL;
        }
        return value;
    }

    /** What the logging set-up reads from the environment. */
    static Set<String> logbackVariables() {
        return Set.of(LoggingConfigurator.LEVEL_VARIABLE);
    }

    // =========================================================================================================
    // Reading the files.
    // =========================================================================================================

    static List<Path> yamlFiles() throws IOException {
        return yamlFiles(DEPLOY);
    }

    static List<Path> yamlFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.toString().contains("/target/")).sorted().toList();
        }
    }

    static List<JsonNode> documents(Path file) throws IOException {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            return docs.readAll();
        }
    }

    static JsonNode kubernetes(String file) throws IOException {
        return documents(DEPLOY.resolve("kubernetes").resolve(file)).get(0);
    }

    static JsonNode knative(String file) throws IOException {
        return documents(DEPLOY.resolve("knative").resolve(file)).get(0);
    }

    static String namespace(String folder) throws IOException {
        return documents(DEPLOY.resolve(folder).resolve("kustomization.yaml")).get(0).path("namespace").asText();
    }

    /**
     * Every container image named under deploy/, by file and place, with Compose's {@code ${VAR:-default}} read as
     * its default.
     */
    static Map<String, String> images() throws IOException {
        Map<String, String> images = new LinkedHashMap<>();
        for (Path file : yamlFiles()) {
            String name = DEPLOY.relativize(file).toString().replace('\\', '/');
            for (JsonNode doc : documents(file)) {
                collectImages(doc, name + " ", images);
            }
        }
        images.replaceAll((where, image) -> VARIABLE.matcher(image).replaceAll(m -> m.group(2) == null ? ""
                : Matcher.quoteReplacement(m.group(2))));
        return images;
    }

    private static void collectImages(JsonNode node, String path, Map<String, String> images) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().equals("image") && field.getValue().isTextual()) {
                    images.put(path.strip(), field.getValue().asText());
                } else {
                    collectImages(field.getValue(), path + (path.endsWith(" ") ? "" : ".") + field.getKey(), images);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectImages(node.get(i), path + "[" + i + "]", images);
            }
        }
    }

    static JsonNode compose() throws IOException {
        return documents(DEPLOY.resolve("compose/docker-compose.yml")).get(0);
    }

    static String composeConfigText() throws IOException {
        return Files.readString(DEPLOY.resolve("compose/sluice.yaml"));
    }

    static String kubernetesConfigText() throws IOException {
        return kubernetes("configmap.yaml").path("data").path("sluice.yaml").asText();
    }

    static String knativeConfigText() throws IOException {
        return knative("configmap.yaml").path("data").path("sluice.yaml").asText();
    }

    static String initScript() throws IOException {
        return Files.readString(DEPLOY.resolve("compose/minio-init.sh"));
    }

    static Set<String> secretKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        kubernetes("secret.example.yaml").path("stringData").fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    static Map<String, String> deployedConfigs() throws IOException {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("compose/sluice.yaml", composeConfigText());
        configs.put("kubernetes/configmap.yaml", kubernetesConfigText());
        configs.put("knative/configmap.yaml", knativeConfigText());
        return configs;
    }

    /** The config with "x" for each variable that has no default, and the defaults for the others. */
    static SluiceConfig withPlaceholders(String text) {
        Set<String> required = new TreeSet<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            if (m.group(2) == null) {
                required.add(m.group(1));
            }
        }
        return load(text, name -> required.contains(name) ? "x" : null);
    }

    static SluiceConfig load(String text, Function<String, String> env) {
        return new ConfigLoader(env).parse(text, Path.of("/etc/sluice"));
    }

    static JsonNode container(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    /** Sets a variable of the container's env list (for the mismatch tests). */
    static void setEnv(JsonNode deployment, String name, String value) {
        for (JsonNode e : container(deployment).path("env")) {
            if (e.path("name").asText().equals(name)) {
                ((ObjectNode) e).set("value", TextNode.valueOf(value));
            }
        }
    }

    static Map<String, String> kubernetesEnvironment(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText());
        }
        return env;
    }

    /** Compose's {@code environment:} mapping, with {@code ${VAR:-default}} taken at its default. */
    static Map<String, String> composeEnvironment(JsonNode environment) {
        Map<String, String> env = new LinkedHashMap<>();
        environment.fields().forEachRemaining(e -> {
            Matcher m = VARIABLE.matcher(e.getValue().asText());
            env.put(e.getKey(), m.replaceAll(r -> Matcher.quoteReplacement(r.group(2) == null ? "" : r.group(2))));
        });
        return env;
    }

    /** A port reference (a number or a container port's name) as the number. */
    static String containerPort(JsonNode container, JsonNode port) {
        if (port.isInt() || port.asText().matches("\\d+")) {
            return port.asText();
        }
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(port.asText())) {
                return p.path("containerPort").asText();
            }
        }
        return "unknown port " + port;
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    /** The script's commands, continuation lines joined, comments and blank lines dropped. */
    static List<String> shellCommands(String script) {
        List<String> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (current.isEmpty() && (trimmed.startsWith("#") || trimmed.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            commands.add(current.toString().replaceAll("\\s+", " "));
            current.setLength(0);
        }
        return commands;
    }

    static Set<String> mcBuckets(String command) {
        Set<String> buckets = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?<=\\s)local/([a-z0-9][a-z0-9.-]*)").matcher(command);
        while (m.find()) {
            buckets.add(m.group(1));
        }
        return buckets;
    }

    static String shellValue(String value, Map<String, String> env) {
        Matcher m = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(value);
        return m.replaceAll(r -> Matcher.quoteReplacement(env.getOrDefault(r.group(1), "")));
    }

    static void outputBuckets(List<Step> steps, Set<String> into) {
        for (Step step : steps) {
            if (step.output() != null && step.output().bucket() != null) {
                into.add(step.output().bucket());
            }
            outputBuckets(step.then(), into);
        }
    }
}
