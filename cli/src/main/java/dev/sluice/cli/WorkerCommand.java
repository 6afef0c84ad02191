package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.Durations;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.core.trigger.Trigger;
import dev.sluice.triggers.amqp.AmqpSettings;
import dev.sluice.triggers.amqp.AmqpTrigger;
import dev.sluice.triggers.kafka.KafkaSettings;
import dev.sluice.triggers.kafka.KafkaTrigger;
import dev.sluice.triggers.nats.NatsJetStreamTrigger;
import dev.sluice.triggers.nats.NatsSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice worker}: consumes S3 event notifications from a broker and runs the config's pipelines, with no
 * embedded S3 server. Any number of workers on any number of machines share one queue. SIGTERM stops taking
 * work, lets work in flight finish (up to {@code --shutdown-grace}) and hands the rest back to the broker.
 *
 * <p>Broker settings come from options, each with an environment variable as its default, because the config
 * file has no broker section (yet): a container sets {@code SLUICE_BROKER}, {@code SLUICE_BROKER_URL} and so on.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Consume S3 event notifications from NATS JetStream, RabbitMQ or Kafka (what MinIO publishes to those "
                    + "targets) "
                    + "and run the pipelines of a config. No embedded S3 server: the config's 'store' names the "
                    + "object store. Start as many workers as you like; they share the work.",
            "SIGTERM (or Ctrl-C) stops taking work, finishes what is in flight and hands the rest back.",
            "Each broker option defaults to the environment variable named in its description."},
        footer = {"", "Serves /healthz, /readyz and /metrics (Prometheus) on --metrics-port (0: off)."})
final class WorkerCommand implements Callable<Integer> {

    /** The brokers a worker can consume from. */
    enum Broker { nats, amqp, kafka }

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true,
            description = "Config file with a 'store' section and the pipelines.")
    Path config;

    @Option(names = "--broker", defaultValue = "${env:SLUICE_BROKER:-nats}",
            description = "nats, amqp or kafka (SLUICE_BROKER; default ${DEFAULT-VALUE}).")
    Broker broker;

    @Option(names = "--url", defaultValue = "${env:SLUICE_BROKER_URL}",
            description = "Broker URL; for Kafka its bootstrap servers, host:port[,host:port] (SLUICE_BROKER_URL; "
                    + "default " + NatsSettings.DEFAULT_URL + ", " + AmqpSettings.DEFAULT_URI + " or "
                    + KafkaSettings.DEFAULT_BOOTSTRAP_SERVERS + ").")
    String url;

    @Option(names = "--prefetch", defaultValue = "${env:SLUICE_PREFETCH:-8}",
            description = "Most messages this worker holds un-acknowledged (SLUICE_PREFETCH; default ${DEFAULT-VALUE}).")
    int prefetch;

    @Option(names = "--max-deliver", defaultValue = "${env:SLUICE_MAX_DELIVER:-5}",
            description = "Deliveries of one message before it becomes a dead letter (SLUICE_MAX_DELIVER; "
                    + "default ${DEFAULT-VALUE}).")
    int maxDeliver;

    @Option(names = "--redelivery-delay", defaultValue = "${env:SLUICE_REDELIVERY_DELAY:-5s}",
            description = "Wait before a failed message is delivered again (SLUICE_REDELIVERY_DELAY; "
                    + "default ${DEFAULT-VALUE}).")
    String redeliveryDelay;

    @Option(names = "--shutdown-grace", defaultValue = "${env:SLUICE_SHUTDOWN_GRACE:-25s}",
            description = "On SIGTERM, how long work in flight may finish before it is handed back "
                    + "(SLUICE_SHUTDOWN_GRACE; default ${DEFAULT-VALUE}, under Kubernetes' 30s).")
    String shutdownGrace;

    @Option(names = "--stream", defaultValue = "${env:SLUICE_NATS_STREAM:-" + NatsSettings.DEFAULT_STREAM + "}",
            description = "NATS: JetStream stream, created (work queue) if missing (SLUICE_NATS_STREAM; "
                    + "default ${DEFAULT-VALUE}).")
    String stream;

    @Option(names = "--subject", defaultValue = "${env:SLUICE_NATS_SUBJECT:-" + NatsSettings.DEFAULT_SUBJECT + "}",
            description = "NATS: subject the store publishes to (SLUICE_NATS_SUBJECT; default ${DEFAULT-VALUE}).")
    String subject;

    @Option(names = "--consumer", defaultValue = "${env:SLUICE_NATS_CONSUMER:-" + NatsSettings.DEFAULT_CONSUMER + "}",
            description = "NATS: durable consumer shared by all workers (SLUICE_NATS_CONSUMER; "
                    + "default ${DEFAULT-VALUE}).")
    String consumer;

    @Option(names = "--ack-wait", defaultValue = "${env:SLUICE_NATS_ACK_WAIT:-30s}",
            description = "NATS: redeliver when a worker is silent this long; a working worker signals progress "
                    + "every third of it (SLUICE_NATS_ACK_WAIT; default ${DEFAULT-VALUE}).")
    String ackWait;

    @Option(names = "--exchange", defaultValue = "${env:SLUICE_AMQP_EXCHANGE:-" + AmqpSettings.DEFAULT_EXCHANGE + "}",
            description = "AMQP: exchange the store publishes to (SLUICE_AMQP_EXCHANGE; default ${DEFAULT-VALUE}).")
    String exchange;

    @Option(names = "--exchange-type", defaultValue = "${env:SLUICE_AMQP_EXCHANGE_TYPE:-direct}",
            description = "AMQP: type if the exchange must be declared (SLUICE_AMQP_EXCHANGE_TYPE; "
                    + "default ${DEFAULT-VALUE}).")
    String exchangeType;

    @Option(names = "--routing-key",
            defaultValue = "${env:SLUICE_AMQP_ROUTING_KEY:-" + AmqpSettings.DEFAULT_ROUTING_KEY + "}",
            description = "AMQP: routing key the store publishes with (SLUICE_AMQP_ROUTING_KEY; "
                    + "default ${DEFAULT-VALUE}).")
    String routingKey;

    @Option(names = "--queue", defaultValue = "${env:SLUICE_AMQP_QUEUE:-" + AmqpSettings.DEFAULT_QUEUE + "}",
            description = "AMQP: quorum queue shared by all workers (SLUICE_AMQP_QUEUE; default ${DEFAULT-VALUE}).")
    String queue;

    @Option(names = "--dead-letter-exchange", defaultValue = "${env:SLUICE_AMQP_DEAD_LETTER_EXCHANGE}",
            description = "AMQP: where the broker moves messages past the delivery limit "
                    + "(SLUICE_AMQP_DEAD_LETTER_EXCHANGE; default QUEUE.dead-letters).")
    String deadLetterExchange;

    @Option(names = "--heartbeat", defaultValue = "${env:SLUICE_AMQP_HEARTBEAT:-30s}",
            description = "AMQP: connection heartbeat (SLUICE_AMQP_HEARTBEAT; default ${DEFAULT-VALUE}).")
    String heartbeat;

    @Option(names = "--topic", defaultValue = "${env:SLUICE_KAFKA_TOPIC:-" + KafkaSettings.DEFAULT_TOPIC + "}",
            description = "Kafka: topic the store publishes to, created if missing (SLUICE_KAFKA_TOPIC; "
                    + "default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--group", defaultValue = "${env:SLUICE_KAFKA_GROUP:-" + KafkaSettings.DEFAULT_GROUP + "}",
            description = "Kafka: consumer group shared by all workers (SLUICE_KAFKA_GROUP; default ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--partitions", defaultValue = "${env:SLUICE_KAFKA_PARTITIONS:-"
            + KafkaSettings.DEFAULT_PARTITIONS + "}",
            description = "Kafka: partitions of the topic when the worker creates it; no more workers than this "
                    + "share the work (SLUICE_KAFKA_PARTITIONS; default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--kafka-properties", defaultValue = "${env:SLUICE_KAFKA_PROPERTIES}",
            description = "Kafka: a client properties file for TLS, SASL and timeouts, as Kafka's own tools take "
                    + "(SLUICE_KAFKA_PROPERTIES).")
    Path kafkaProperties;

    @Option(names = "--metrics-host", defaultValue = "${env:SLUICE_METRICS_HOST:-0.0.0.0}",
            description = "Address of /healthz, /readyz, /metrics (SLUICE_METRICS_HOST; default ${DEFAULT-VALUE}).")
    String metricsHost;

    @Option(names = "--metrics-port", defaultValue = "${env:SLUICE_METRICS_PORT:-9464}",
            description = "Port of /healthz, /readyz, /metrics; 0 turns them off (SLUICE_METRICS_PORT; "
                    + "default ${DEFAULT-VALUE}).")
    int metricsPort;

    private volatile boolean stopping;
    private volatile SluiceServer server;
    private volatile BooleanSupplier brokerConnected = () -> false;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SluiceConfig loaded = ConfigFiles.load(config);
        if (loaded.usesEmbeddedServer()) {
            throw new ConfigException(config + ": sluice worker runs no embedded S3 server; add a 'store' section "
                    + "with the endpoint and keys of your S3 store (MinIO, Ceph RGW, AWS S3).");
        }
        var brokerTriggers = brokerTriggerFactory(); // checked before anything starts
        FunctionRegistry functions = Functions.load(loaded.pluginsDir());
        ConfigValidator.validate(loaded, functions);
        PrometheusMeterRegistry meters = OpsServer.newRegistry();
        OpsServer ops = metricsPort > 0 ? OpsServer.start(metricsHost, metricsPort, meters, this::ready) : null;
        Credentials credentials = Credentials.fromEnvironment(System::getenv);
        try {
            server = SluiceServer.start(loaded, functions, meters, credentials.accessKey(), credentials.secretKey(),
                    store -> List.of(brokerTrigger(brokerTriggers, store, loaded.deadLetterBucket(), meters)));
        } catch (Exception | Error e) {
            if (ops != null) {
                ops.close();
            }
            functions.close();
            throw e;
        }
        // not ready from now on: a load balancer stops sending, probes see it
        CountDownLatch stopped = Lifecycle.closeOnShutdown(() -> stopping = true, server, functions, ops);

        server.triggers().forEach(t -> out.printf("Trigger: %s%n", t.name()));
        Lifecycle.printPipelines(out, loaded);
        if (ops != null) {
            out.printf("Health and metrics: http://%s:%d/healthz, /readyz, /metrics%n", metricsHost, ops.port());
        }
        out.println("Worker ready. SIGTERM or Ctrl-C stops after finishing work in progress.");
        out.flush();
        stopped.await();
        return 0;
    }

    private boolean ready() {
        return !stopping && server != null && brokerConnected.getAsBoolean();
    }

    /** A broker trigger, and what the probes and metrics read from it. */
    private record BrokerTrigger(Trigger trigger, BooleanSupplier connected, IntSupplier unsettled) {
    }

    /**
     * Checks the broker options now (before anything starts) and returns how to make the trigger once the store
     * is up, since its dead letters go there.
     */
    private Function<BiConsumer<byte[], String>, BrokerTrigger> brokerTriggerFactory() {
        Duration redelivery = Durations.parse(redeliveryDelay, "--redelivery-delay");
        Duration grace = Durations.parse(shutdownGrace, "--shutdown-grace");
        return switch (broker) {
            case nats -> {
                NatsSettings settings = new NatsSettings(url == null ? NatsSettings.DEFAULT_URL : url, stream,
                        subject, consumer, prefetch, Durations.parse(ackWait, "--ack-wait"), maxDeliver, redelivery,
                        grace);
                yield deadLetters -> {
                    NatsJetStreamTrigger trigger = new NatsJetStreamTrigger(settings, deadLetters);
                    return new BrokerTrigger(trigger, trigger::isConnected, trigger::unsettled);
                };
            }
            case amqp -> {
                AmqpSettings settings = new AmqpSettings(url == null ? AmqpSettings.DEFAULT_URI : url, exchange,
                        exchangeType, routingKey, queue,
                        deadLetterExchange == null ? queue + ".dead-letters" : deadLetterExchange, prefetch,
                        maxDeliver, Durations.parse(heartbeat, "--heartbeat"), redelivery, grace);
                yield deadLetters -> {
                    AmqpTrigger trigger = new AmqpTrigger(settings, deadLetters);
                    return new BrokerTrigger(trigger, trigger::isConnected, trigger::unsettled);
                };
            }
            case kafka -> {
                KafkaSettings settings = new KafkaSettings(url == null ? KafkaSettings.DEFAULT_BOOTSTRAP_SERVERS : url,
                        topic, group, partitions, prefetch, maxDeliver, redelivery, grace,
                        kafkaProperties == null ? Map.of() : KafkaSettings.readClientProperties(kafkaProperties));
                yield deadLetters -> {
                    KafkaTrigger trigger = new KafkaTrigger(settings, deadLetters);
                    return new BrokerTrigger(trigger, trigger::isConnected, trigger::unsettled);
                };
            }
        };
    }

    private Trigger brokerTrigger(Function<BiConsumer<byte[], String>, BrokerTrigger> factory, ObjectStore store,
                                  String deadLetterBucket, PrometheusMeterRegistry meters) {
        BrokerTrigger made = factory.apply(new BrokerDeadLetters(store, deadLetterBucket, broker.name()));
        brokerConnected = made.connected();
        Gauge.builder("sluice.broker.unsettled", made.unsettled(), IntSupplier::getAsInt)
                .description("Broker messages this worker holds that are not yet acknowledged")
                .tag("broker", broker.name()).strongReference(true).register(meters);
        return made.trigger();
    }
}
