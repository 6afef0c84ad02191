package dev.sluice.triggers.amqp;

import dev.sluice.core.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a worker consumes S3 event notifications from an AMQP 0-9-1 broker (RabbitMQ).
 *
 * @param uri                e.g. {@code amqp://guest:guest@127.0.0.1:5672} (user, password and vhost in it; no
 *                           path or a bare {@code /} is the default vhost {@code /}, written {@code %2F} otherwise)
 * @param exchange           exchange the store publishes to (MinIO's {@code MINIO_NOTIFY_AMQP_EXCHANGE}); used as
 *                           it is when it exists, else declared durable. Empty: the default exchange, where the
 *                           routing key is the queue name
 * @param exchangeType       type used when the exchange is declared: {@code direct}, {@code fanout}, {@code topic}
 * @param routingKey         binding of the queue to the exchange (MinIO's {@code MINIO_NOTIFY_AMQP_ROUTING_KEY})
 * @param queue              quorum queue that every worker consumes from; each event goes to one worker
 * @param deadLetterExchange where the broker moves a message returned more often than the delivery limit allows;
 *                           a queue of the same name is bound to it so such messages are kept
 * @param prefetch           most messages one worker holds unacknowledged ({@code basic.qos})
 * @param maxDeliver         deliveries of one message before Sluice writes it as a dead letter
 * @param heartbeat          AMQP heartbeat interval; keeps the connection, and so the messages it holds, alive
 *                           through long jobs, and lets the broker notice a dead worker
 * @param redeliveryDelay    how long a failed message is held before it is returned for another delivery
 * @param shutdownGrace      on shutdown, how long work in flight may still finish before it is handed back
 */
public record AmqpSettings(String uri, String exchange, String exchangeType, String routingKey, String queue,
                           String deadLetterExchange, int prefetch, int maxDeliver, Duration heartbeat,
                           Duration redeliveryDelay, Duration shutdownGrace) {

    public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";
    public static final String DEFAULT_EXCHANGE = "sluice";
    public static final String DEFAULT_ROUTING_KEY = "sluice.events";
    public static final String DEFAULT_QUEUE = "sluice-events";

    public AmqpSettings {
        requireText(uri, "uri");
        requireText(queue, "queue");
        requireText(deadLetterExchange, "deadLetterExchange");
        exchange = exchange == null ? "" : exchange;
        exchangeType = exchangeType == null || exchangeType.isBlank() ? "direct" : exchangeType;
        routingKey = routingKey == null ? "" : routingKey;
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new ConfigException("AMQP uri is not a valid URI (" + e.getMessage() + "); write e.g. "
                    + DEFAULT_URI, e);
        }
        if (!"amqp".equals(parsed.getScheme()) && !"amqps".equals(parsed.getScheme())) {
            throw new ConfigException("AMQP uri must start with amqp:// or amqps://, e.g. " + DEFAULT_URI);
        }
        if ("/".equals(parsed.getRawPath())) {
            uri = uri.substring(0, uri.lastIndexOf('/')); // the client would read "/" as the empty vhost
        }
        if (prefetch < 1 || prefetch > 65_535) {
            throw new ConfigException("AMQP prefetch must be between 1 and 65535, was " + prefetch);
        }
        if (maxDeliver < 1) {
            throw new ConfigException("AMQP maxDeliver must be at least 1, was " + maxDeliver);
        }
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(redeliveryDelay, "redeliveryDelay");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (heartbeat.isNegative() || redeliveryDelay.isNegative() || shutdownGrace.isNegative()) {
            throw new ConfigException("AMQP heartbeat, redeliveryDelay and shutdownGrace may not be negative");
        }
    }

    /** Local RabbitMQ as guest, exchange {@value #DEFAULT_EXCHANGE}, queue {@value #DEFAULT_QUEUE}. */
    public static AmqpSettings defaults() {
        return new AmqpSettings(DEFAULT_URI, DEFAULT_EXCHANGE, "direct", DEFAULT_ROUTING_KEY, DEFAULT_QUEUE,
                DEFAULT_QUEUE + ".dead-letters", 8, 5, Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(30));
    }

    /** The URI without user and password, for logs. */
    public String safeUri() {
        try {
            URI parsed = new URI(uri);
            return new URI(parsed.getScheme(), null, parsed.getHost(), parsed.getPort(), parsed.getPath(), null, null)
                    .toString();
        } catch (URISyntaxException e) {
            return "(invalid uri)";
        }
    }

    @Override
    public String toString() {
        return "AmqpSettings[uri=" + safeUri() + ", exchange=" + exchange + ", routingKey=" + routingKey + ", queue="
                + queue + ", prefetch=" + prefetch + ", maxDeliver=" + maxDeliver + "]";
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("AMQP " + name + " must not be empty");
        }
    }
}
