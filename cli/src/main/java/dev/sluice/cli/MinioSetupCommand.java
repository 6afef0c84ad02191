package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.core.ConfigException;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.config.StoreSettings;
import dev.sluice.core.config.WebhookSettings;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import dev.sluice.triggers.amqp.AmqpSettings;
import dev.sluice.triggers.kafka.KafkaSettings;
import dev.sluice.triggers.nats.NatsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice minio setup}: the MinIO side of a config, as mc commands. Prints them as a shell script, or runs
 * them with {@code --apply}: the buckets, a notification target with the values {@code sluice worker} (or the
 * config's webhook) consumes, a restart, and the bucket event rules its pipelines need.
 */
@Command(name = "setup", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Print (or run, with --apply) the mc commands that make MinIO announce the events the pipelines of a "
                    + "config match: its buckets, a notification target (NATS JetStream or RabbitMQ for "
                    + "`sluice worker`, or the config's webhook), and one bucket event rule per bucket, prefix and "
                    + "suffix.",
            "Secrets (webhook token, broker passwords) appear in the script as environment variables, never as "
                    + "text. Running the script or --apply again is safe."},
        footer = {"", "Example: sluice minio setup --config sluice.yaml > minio-setup.sh && sh minio-setup.sh"})
final class MinioSetupCommand implements Callable<Integer> {
    /** mc's rule for alias names. */
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
    /** A whole value written as {@code ${VAR}} or {@code ${VAR:-default}} in the config. */
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?}");

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true,
            description = "Config file with a 'store' section (the MinIO server) and the pipelines.")
    Path config;

    @Option(names = "--target",
            description = "nats, amqp, kafka or webhook (default: webhook when the config has a 'webhook' section, else "
                    + "SLUICE_BROKER as for `sluice worker`, else nats).")
    MinioTarget.Type target;

    @Option(names = "--alias", defaultValue = "local",
            description = "mc's alias of the MinIO server (default ${DEFAULT-VALUE}).")
    String alias;

    @Option(names = "--target-id", defaultValue = "sluice",
            description = "Id of the notification target, as in notify_nats:ID and arn:minio:sqs::ID:nats "
                    + "(default ${DEFAULT-VALUE}).")
    String targetId;

    @Option(names = "--url",
            description = "NATS, AMQP or Kafka: broker URL (Kafka: host:port[,host:port]) as MinIO reaches it "
                    + "(SLUICE_BROKER_URL; default " + NatsSettings.DEFAULT_URL + ", " + AmqpSettings.DEFAULT_URI
                    + " or " + KafkaSettings.DEFAULT_BOOTSTRAP_SERVERS + ").")
    String url;

    @Option(names = "--subject",
            description = "NATS: subject MinIO publishes to (SLUICE_NATS_SUBJECT; default "
                    + NatsSettings.DEFAULT_SUBJECT + ").")
    String subject;

    @Option(names = "--stream",
            description = "NATS: the workers' JetStream stream, for the script's comments (SLUICE_NATS_STREAM; "
                    + "default " + NatsSettings.DEFAULT_STREAM + ").")
    String stream;

    @Option(names = "--exchange",
            description = "AMQP: exchange MinIO publishes to (SLUICE_AMQP_EXCHANGE; default "
                    + AmqpSettings.DEFAULT_EXCHANGE + ").")
    String exchange;

    @Option(names = "--exchange-type",
            description = "AMQP: type of that exchange (SLUICE_AMQP_EXCHANGE_TYPE; default direct).")
    String exchangeType;

    @Option(names = "--routing-key",
            description = "AMQP: routing key MinIO publishes with (SLUICE_AMQP_ROUTING_KEY; default "
                    + AmqpSettings.DEFAULT_ROUTING_KEY + ").")
    String routingKey;

    @Option(names = "--topic",
            description = "Kafka: topic MinIO publishes to (SLUICE_KAFKA_TOPIC; default " + KafkaSettings.DEFAULT_TOPIC
                    + ").")
    String topic;

    @Option(names = "--webhook-url",
            description = "Webhook: Sluice's endpoint as MinIO reaches it (default: from the config's webhook "
                    + "host, port and path).")
    String webhookUrl;

    @Option(names = "--queue-dir", defaultValue = "/opt/minio/events",
            description = "Folder on the MinIO server that keeps events while the target is unreachable "
                    + "(default ${DEFAULT-VALUE}; empty: none, such events are dropped).")
    String queueDir;

    @Option(names = "--no-suffix-filter",
            description = "Rules without suffixes: MinIO announces every key under the pipelines' prefixes and "
                    + "Sluice picks (also catches mixed-case suffixes such as .Jpg).")
    boolean noSuffixFilter;

    @Option(names = "--apply",
            description = "Run the commands with mc (or mcli) from the PATH instead of printing them.")
    boolean apply;

    private final Function<String, String> environment;

    MinioSetupCommand() {
        this(System::getenv);
    }

    /** With {@code environment} in place of the process environment (PATH, SLUICE_BROKER..., config variables). */
    MinioSetupCommand(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SluiceConfig loaded = new ConfigLoader(environment).load(config);
        if (loaded.usesEmbeddedServer()) {
            throw new ConfigException(config + " has no 'store' section, so it runs the embedded S3 server, which "
                    + "hands every upload to the pipelines itself: `sluice serve` needs no MinIO setup. To use an "
                    + "existing MinIO, add a 'store' section with its endpoint and keys.");
        }
        if (loaded.store().endpoint() == null) {
            throw new ConfigException(config + ": the store has no endpoint (AWS S3); `sluice minio setup` sets up "
                    + "MinIO. Set store.endpoint to your MinIO server.");
        }
        if (loaded.pipelines().isEmpty()) {
            throw new ConfigException(config + " has no pipelines, so MinIO has nothing to announce.");
        }
        if (!ALIAS.matcher(alias).matches()) {
            throw new ConfigException("--alias '" + alias + "' is not an mc alias: a letter, then letters, digits, "
                    + "'_' and '-'.");
        }
        List<String> notes = new ArrayList<>();
        if (loaded.listen() != null) {
            notes.add(config + " uses 'listen', MinIO's listen API: `sluice serve` with it needs no notification "
                    + "target and no event rules on MinIO, only the buckets. The target and rules below are for "
                    + "workers or a webhook fed by MinIO instead.");
        }
        MinioEventRules.Result rules = MinioEventRules.of(loaded.pipelines(), !noSuffixFilter);
        MinioTarget minioTarget = target(loaded, notes);
        notes.addAll(rules.notes());
        MinioSetupPlan plan = MinioSetupPlan.of(config.toString(), alias, aliasHint(loaded.store()),
                buckets(loaded), minioTarget, rules, notes);
        if (!apply) {
            out.print(plan.script());
            out.flush();
            return 0;
        }
        return apply(plan, minioTarget, loaded.pipelines().size(), out);
    }

    private int apply(MinioSetupPlan plan, MinioTarget minioTarget, int pipelines, PrintWriter out) {
        Path mc = McRunner.find(environment.apply("PATH")).orElseThrow(() -> new ConfigException(
                "--apply runs mc, the MinIO client, but neither mc nor mcli is on the PATH. Install it "
                        + "(https://min.io/docs/minio/linux/reference/minio-mc.html) and give it the server ("
                        + plan.aliasHint() + "), or leave out --apply and run the script this command prints."));
        McRunner runner = new McRunner(mc);
        runner.checkIsMinioClient();
        plan.notes().forEach(note -> out.println("Note: " + note));
        out.printf("Setting up MinIO '%s' for %s with %s:%n", alias, config, mc);
        int exitCode = runner.run(plan, out, spec.commandLine().getErr());
        if (exitCode == 0) {
            out.printf("Done: MinIO announces the events of %d pipeline(s) to %s (%s).%n", pipelines,
                    minioTarget.configKey(), minioTarget.arn());
        }
        out.flush();
        return exitCode;
    }

    /** The target chosen by --target, the config's webhook, SLUICE_BROKER, or nats (as `sluice worker`). */
    private MinioTarget target(SluiceConfig loaded, List<String> notes) {
        MinioTarget.Type type = target;
        if (type == null && loaded.webhook() != null) {
            type = MinioTarget.Type.webhook;
            notes.add("Target: the config's webhook (--target nats, amqp or kafka for a broker that workers "
                    + "consume).");
        }
        if (type == null) {
            String broker = environment.apply("SLUICE_BROKER");
            if (broker == null || broker.isBlank()) {
                type = MinioTarget.Type.nats;
                notes.add("Target: NATS JetStream, the default of `sluice worker` (--target amqp or webhook for "
                        + "another).");
            } else if (broker.equals("nats") || broker.equals("amqp") || broker.equals("kafka")) {
                type = MinioTarget.Type.valueOf(broker);
                notes.add("Target: " + broker + ", from SLUICE_BROKER as for `sluice worker`.");
            } else {
                throw new ConfigException("SLUICE_BROKER is '" + broker + "': use nats, amqp or kafka, or pass "
                        + "--target.");
            }
        }
        return switch (type) {
            case nats -> MinioTarget.nats(targetId, setting(url, "SLUICE_BROKER_URL", NatsSettings.DEFAULT_URL),
                    setting(subject, "SLUICE_NATS_SUBJECT", NatsSettings.DEFAULT_SUBJECT),
                    setting(stream, "SLUICE_NATS_STREAM", NatsSettings.DEFAULT_STREAM), queueDir);
            case amqp -> MinioTarget.amqp(targetId, setting(url, "SLUICE_BROKER_URL", AmqpSettings.DEFAULT_URI),
                    setting(exchange, "SLUICE_AMQP_EXCHANGE", AmqpSettings.DEFAULT_EXCHANGE),
                    setting(exchangeType, "SLUICE_AMQP_EXCHANGE_TYPE", "direct"),
                    setting(routingKey, "SLUICE_AMQP_ROUTING_KEY", AmqpSettings.DEFAULT_ROUTING_KEY), queueDir);
            case kafka -> MinioTarget.kafka(targetId,
                    setting(url, "SLUICE_BROKER_URL", KafkaSettings.DEFAULT_BOOTSTRAP_SERVERS),
                    setting(topic, "SLUICE_KAFKA_TOPIC", KafkaSettings.DEFAULT_TOPIC), queueDir);
            case webhook -> webhookTarget(loaded.webhook(), notes);
        };
    }

    private MinioTarget webhookTarget(WebhookSettings webhook, List<String> notes) {
        if (webhook == null) {
            throw new ConfigException("--target webhook needs a 'webhook' section in " + config + " (host, port, "
                    + "path, token): the endpoint MinIO posts events to.");
        }
        String endpoint = webhookUrl;
        if (endpoint == null) {
            String host = webhook.host();
            if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")
                    || host.equals("[::]")) {
                host = localHostName();
                notes.add("webhook.host listens on every interface; the endpoint names this machine, " + host
                        + ". Pass --webhook-url with the address MinIO reaches Sluice at if that is another.");
            } else if (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1")) {
                notes.add("webhook.host is " + host + ", which MinIO reaches only from this machine (not from a "
                        + "container); else listen on 0.0.0.0 and pass --webhook-url.");
            }
            if (host.contains(":") && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            String path = webhook.path() == null ? "/events" : webhook.path();
            endpoint = "http://" + host + ":" + webhook.port() + (path.startsWith("/") ? path : "/" + path);
        }
        ShellWord.Secret token = null;
        if (webhook.token() != null) {
            String variable = environmentVariableOf("webhook", "token");
            token = variable != null
                    ? new ShellWord.Secret(variable, webhook.token().trim(), "the webhook token (webhook.token of "
                            + config.getFileName() + " reads it)")
                    : new ShellWord.Secret("SLUICE_WEBHOOK_TOKEN", webhook.token().trim(), "webhook.token as written "
                            + "in " + config.getFileName() + " (better write token: ${SLUICE_WEBHOOK_TOKEN} there)");
        }
        return MinioTarget.webhook(targetId, endpoint, token, queueDir);
    }

    /** The option if given, else the environment variable if set, else the default (as `sluice worker`). */
    private String setting(String option, String variable, String fallback) {
        if (option != null) {
            return option;
        }
        String value = environment.apply(variable);
        return value == null || value.isEmpty() ? fallback : value;
    }

    /** Every bucket the pipelines read or write, then the dead-letter and state buckets. */
    private static List<String> buckets(SluiceConfig loaded) {
        Set<String> buckets = new LinkedHashSet<>();
        for (Pipeline pipeline : loaded.pipelines()) {
            buckets.add(pipeline.match().bucket());
            pipeline.steps().forEach(step -> addOutputBuckets(step, buckets));
        }
        buckets.add(loaded.deadLetterBucket());
        buckets.add(loaded.stateBucket());
        return List.copyOf(buckets);
    }

    private static void addOutputBuckets(Step step, Set<String> buckets) {
        buckets.add(step.output().bucket());
        step.then().forEach(next -> addOutputBuckets(next, buckets));
    }

    /** {@code mc alias set ...} for the store, with its keys as the variables the config reads them from. */
    private String aliasHint(StoreSettings store) {
        String accessVariable = environmentVariableOf("store", "accessKey");
        String secretVariable = environmentVariableOf("store", "secretKey");
        String access = accessVariable != null ? "\"$" + accessVariable + "\""
                : store.accessKey() != null ? ShellWord.quote(store.accessKey()) : "ACCESS_KEY";
        String secret = secretVariable != null ? "\"$" + secretVariable + "\"" : "SECRET_KEY";
        return "mc alias set " + alias + " " + ShellWord.quote(store.endpoint()) + " " + access + " " + secret;
    }

    /**
     * The environment variable a setting is written as in the config file ({@code token: ${SLUICE_WEBHOOK_TOKEN}}),
     * or {@code null} when it is written out (or the file cannot be read again).
     */
    private String environmentVariableOf(String section, String key) {
        try {
            JsonNode value = new ObjectMapper(new YAMLFactory()).readTree(config.toFile()).path(section).path(key);
            Matcher m = ENV_REFERENCE.matcher(value.isTextual() ? value.asText().trim() : "");
            return m.matches() ? m.group(1) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "sluice-host";
        }
    }
}
