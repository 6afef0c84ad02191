package dev.sluice.triggers.kafka;

import dev.sluice.core.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where and how a worker consumes S3 event notifications from an Apache Kafka topic.
 *
 * @param bootstrapServers  {@code host:port[,host:port…]} of the brokers (MinIO's {@code MINIO_NOTIFY_KAFKA_BROKERS})
 * @param topic             topic the store publishes to (MinIO's {@code MINIO_NOTIFY_KAFKA_TOPIC}); created when
 *                          missing, with {@code partitions} partitions
 * @param group             consumer group shared by every worker: each partition goes to one worker
 * @param partitions        partitions of the topic when Sluice creates it; at most this many workers share the work
 * @param prefetch          most records one worker holds unfinished at a time
 * @param maxDeliver        deliveries of one record before it becomes a dead letter
 * @param redeliveryDelay   how long a failed record waits before it is tried again
 * @param shutdownGrace     on shutdown, how long work in flight may still finish before it is handed back
 * @param clientProperties  further Kafka consumer and admin client settings (TLS, SASL, timeouts), as in a
 *                          {@code client.properties} file; the ones Sluice sets itself are refused
 */
public record KafkaSettings(String bootstrapServers, String topic, String group, int partitions, int prefetch,
                            int maxDeliver, Duration redeliveryDelay, Duration shutdownGrace,
                            Map<String, String> clientProperties) {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    public static final String DEFAULT_TOPIC = "sluice-events";
    public static final String DEFAULT_GROUP = "sluice-workers";
    public static final int DEFAULT_PARTITIONS = 8;

    /** Settings Sluice makes itself: how it reads records and when it commits is what keeps events from being lost. */
    static final Set<String> RESERVED = Set.of("bootstrap.servers", "group.id", "enable.auto.commit",
            "key.deserializer", "value.deserializer", "max.poll.records");

    public KafkaSettings {
        requireText(bootstrapServers, "bootstrap servers");
        requireText(topic, "topic");
        requireText(group, "group");
        for (String server : bootstrapServers.split(",")) {
            if (!server.strip().matches("[^:/\\s]+:\\d{1,5}") && !server.strip().matches("\\[[0-9a-fA-F:]+]:\\d{1,5}")) {
                throw new ConfigException("Kafka bootstrap server '" + server.strip() + "' is not host:port; write "
                        + "e.g. " + DEFAULT_BOOTSTRAP_SERVERS + " (several separated by commas, no kafka:// prefix)");
            }
        }
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
            throw new ConfigException("Kafka topic '" + topic + "' is not a valid name: use up to 249 letters, "
                    + "digits, '.', '_' or '-'");
        }
        if (partitions < 1 || partitions > 10_000) {
            throw new ConfigException("Kafka partitions must be between 1 and 10000, was " + partitions);
        }
        if (prefetch < 1 || prefetch > 10_000) {
            throw new ConfigException("Kafka prefetch must be between 1 and 10000, was " + prefetch);
        }
        if (maxDeliver < 1) {
            throw new ConfigException("Kafka maxDeliver must be at least 1, was " + maxDeliver);
        }
        Objects.requireNonNull(redeliveryDelay, "redeliveryDelay");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (redeliveryDelay.isNegative() || shutdownGrace.isNegative()) {
            throw new ConfigException("Kafka redeliveryDelay and shutdownGrace may not be negative");
        }
        clientProperties = Map.copyOf(clientProperties == null ? Map.of() : clientProperties);
        for (String key : clientProperties.keySet()) {
            if (RESERVED.contains(key)) {
                throw new ConfigException("Kafka client property '" + key + "' is set by Sluice; remove it from the "
                        + "client properties (bootstrap servers, topic and group have options of their own)");
            }
        }
    }

    /** A local broker, topic {@value #DEFAULT_TOPIC}, group {@value #DEFAULT_GROUP}. */
    public static KafkaSettings defaults() {
        return new KafkaSettings(DEFAULT_BOOTSTRAP_SERVERS, DEFAULT_TOPIC, DEFAULT_GROUP, DEFAULT_PARTITIONS, 8, 5,
                Duration.ofSeconds(5), Duration.ofSeconds(30), Map.of());
    }

    /** The same settings with other client properties. */
    public KafkaSettings withClientProperties(Map<String, String> properties) {
        return new KafkaSettings(bootstrapServers, topic, group, partitions, prefetch, maxDeliver, redeliveryDelay,
                shutdownGrace, properties);
    }

    /**
     * Reads Kafka client settings from a Java properties file, as Kafka's own tools take them
     * ({@code --command-config}): {@code security.protocol=SASL_SSL}, {@code sasl.jaas.config=…} and so on.
     */
    public static Map<String, String> readClientProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Kafka client properties file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read Kafka client properties from " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> map = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }

    @Override
    public String toString() {
        // client properties may hold passwords (sasl.jaas.config, ssl.keystore.password): names only
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", group=" + group
                + ", prefetch=" + prefetch + ", maxDeliver=" + maxDeliver + ", clientProperties="
                + new TreeMap<>(clientProperties).keySet() + "]";
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("Kafka " + name + " must not be empty");
        }
    }
}
