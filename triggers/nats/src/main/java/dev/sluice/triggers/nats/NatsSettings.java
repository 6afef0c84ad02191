package dev.sluice.triggers.nats;

import dev.sluice.core.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a worker consumes S3 event notifications from NATS JetStream.
 *
 * @param url             server URL, e.g. {@code nats://127.0.0.1:4222} (credentials may be written into it)
 * @param stream          JetStream stream holding the events; created with work-queue retention when missing
 * @param subject         subject the store publishes to (MinIO's {@code MINIO_NOTIFY_NATS_SUBJECT})
 * @param consumer        durable pull consumer shared by every worker (work-queue semantics: each event goes
 *                        to one worker)
 * @param prefetch        most messages one worker holds un-settled at a time
 * @param ackWait         how long the server waits for an ack (or an in-progress signal) before redelivering
 * @param maxDeliver      deliveries of one message before it becomes a dead letter
 * @param redeliveryDelay how long a failed message waits before it is delivered again
 * @param shutdownGrace   on shutdown, how long work in flight may still finish before it is handed back
 */
public record NatsSettings(String url, String stream, String subject, String consumer, int prefetch,
                           Duration ackWait, int maxDeliver, Duration redeliveryDelay, Duration shutdownGrace) {

    public static final String DEFAULT_URL = "nats://127.0.0.1:4222";
    public static final String DEFAULT_STREAM = "SLUICE_EVENTS";
    public static final String DEFAULT_SUBJECT = "sluice.events";
    public static final String DEFAULT_CONSUMER = "sluice-workers";

    public NatsSettings {
        requireText(url, "url");
        requireText(stream, "stream");
        requireText(subject, "subject");
        requireText(consumer, "consumer");
        if (stream.matches(".*[.*> ].*") || consumer.matches(".*[.*> ].*")) {
            throw new ConfigException("NATS stream and consumer names may not contain '.', '*', '>' or "
                    + "spaces (stream '" + stream + "', consumer '" + consumer + "').");
        }
        if (prefetch < 1) {
            throw new ConfigException("NATS prefetch must be at least 1, was " + prefetch);
        }
        if (maxDeliver < 1) {
            throw new ConfigException("NATS maxDeliver must be at least 1, was " + maxDeliver);
        }
        Objects.requireNonNull(ackWait, "ackWait");
        if (ackWait.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("NATS ackWait must be at least 1s (in-progress signals are sent every "
                    + "third of it), was " + ackWait);
        }
        Objects.requireNonNull(redeliveryDelay, "redeliveryDelay");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (redeliveryDelay.isNegative() || shutdownGrace.isNegative()) {
            throw new ConfigException("NATS redeliveryDelay and shutdownGrace may not be negative");
        }
    }

    /** Local server, stream {@value #DEFAULT_STREAM} on subject {@value #DEFAULT_SUBJECT}. */
    public static NatsSettings defaults() {
        return new NatsSettings(DEFAULT_URL, DEFAULT_STREAM, DEFAULT_SUBJECT, DEFAULT_CONSUMER, 8,
                Duration.ofSeconds(30), 5, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    /** The URL without user, password or token, for logs and messages. */
    public String safeUrl() {
        int at = url.lastIndexOf('@');
        int scheme = url.indexOf("://");
        return at < 0 ? url : (scheme < 0 ? "" : url.substring(0, scheme + 3)) + url.substring(at + 1);
    }

    @Override
    public String toString() {
        return "NatsSettings[url=" + safeUrl() + ", stream=" + stream + ", subject=" + subject + ", consumer="
                + consumer + ", prefetch=" + prefetch + ", ackWait=" + ackWait + ", maxDeliver=" + maxDeliver + "]";
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("NATS " + name + " must not be empty");
        }
    }
}
