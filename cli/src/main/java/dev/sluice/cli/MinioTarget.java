package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.triggers.amqp.AmqpSettings;
import dev.sluice.triggers.kafka.KafkaSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A MinIO notification target ({@code mc admin config set ALIAS notify_TYPE:ID key=value ...}) with the values
 * {@code sluice worker} (or Sluice's webhook) consumes, and the ARN that bucket event rules name.
 *
 * @param settings the {@code key=value} arguments
 * @param why      comment lines saying what the target does
 */
record MinioTarget(Type type, String id, List<ShellWord> settings, List<String> why) {

    /** The notification target types Sluice consumes. */
    enum Type { nats, amqp, kafka, webhook }

    /** MinIO target ids end up in config keys ({@code notify_webhook:ID}) and ARNs ({@code ...:ID:webhook}). */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]+");

    MinioTarget {
        settings = List.copyOf(settings);
        why = List.copyOf(why);
        if (!ID.matcher(id).matches()) {
            throw new ConfigException("--target-id '" + id + "' is not a MinIO target id: use letters, digits, '_' "
                    + "and '-' only, e.g. sluice.");
        }
    }

    /** The config key, e.g. {@code notify_webhook:sluice}. */
    String configKey() {
        return "notify_" + type + ":" + id;
    }

    /** The ARN bucket rules send events to; no region, which MinIO accepts whatever its region is. */
    String arn() {
        return "arn:minio:sqs::" + id + ":" + type;
    }

    /**
     * A NATS JetStream target publishing to {@code subject}, which {@code sluice worker --broker nats} consumes.
     *
     * @param url NATS URL as MinIO reaches the server ({@code nats://[user:password@]host:port}, {@code tls://...})
     */
    static MinioTarget nats(String id, String url, String subject, String stream, String queueDir) {
        if (url.contains(",")) {
            throw new ConfigException("--url names several NATS servers; MinIO takes one address: give the one "
                    + "MinIO should publish to.");
        }
        URI uri = uri(url.contains("://") ? url : "nats://" + url, "nats://127.0.0.1:4222");
        if (!"nats".equals(uri.getScheme()) && !"tls".equals(uri.getScheme())) {
            throw new ConfigException("--url '" + safeUrl(url) + "' is not a NATS URL; write nats://host:4222 "
                    + "(or tls://host:4222).");
        }
        List<ShellWord> settings = new ArrayList<>();
        settings.add(setting("address", uri.getHost() + ":" + (uri.getPort() < 0 ? 4222 : uri.getPort())));
        settings.add(setting("subject", subject));
        settings.add(setting("jetstream", "on"));
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                settings.add(ShellWord.of(new ShellWord.Text("token="), new ShellWord.Secret("SLUICE_NATS_TOKEN",
                        decode(userInfo), "the token in the NATS URL (--url or SLUICE_BROKER_URL)")));
            } else {
                settings.add(setting("username", decode(userInfo.substring(0, colon))));
                settings.add(ShellWord.of(new ShellWord.Text("password="), new ShellWord.Secret("SLUICE_NATS_PASSWORD",
                        decode(userInfo.substring(colon + 1)), "the password in the NATS URL (--url or SLUICE_BROKER_URL)")));
            }
        }
        if ("tls".equals(uri.getScheme())) {
            settings.add(setting("tls", "on"));
        }
        List<String> why = new ArrayList<>(List.of(
                "Notification target '" + id + "': MinIO publishes each event into NATS JetStream on subject "
                        + subject + ", where `sluice worker --broker nats` consumes it.",
                "JetStream keeps only what a stream captures: the first worker creates stream " + stream
                        + " on that subject."));
        addQueueDir(settings, why, queueDir, "NATS or the stream is unavailable");
        return new MinioTarget(Type.nats, id, settings, why);
    }

    /**
     * An AMQP target publishing persistent messages to a durable {@code exchange}, which {@code sluice worker
     * --broker amqp} binds its queue to.
     *
     * @param url AMQP URL as MinIO reaches the broker ({@code amqp://user:password@host:5672[/vhost]})
     */
    static MinioTarget amqp(String id, String url, String exchange, String exchangeType, String routingKey,
                            String queueDir) {
        URI uri = uri(url, AmqpSettings.DEFAULT_URI);
        if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
            throw new ConfigException("--url '" + safeUrl(url) + "' is not an AMQP URL; write e.g. "
                    + AmqpSettings.DEFAULT_URI + ".");
        }
        if (exchange == null || exchange.isBlank()) {
            throw new ConfigException("MinIO declares the exchange it publishes to, which it cannot do for the "
                    + "default exchange: name one with --exchange (default " + AmqpSettings.DEFAULT_EXCHANGE + ").");
        }
        List<ShellWord> settings = new ArrayList<>();
        settings.add(amqpUrl(url, uri));
        settings.add(setting("exchange", exchange));
        settings.add(setting("exchange_type", exchangeType));
        settings.add(setting("routing_key", routingKey));
        settings.add(setting("durable", "on"));
        settings.add(setting("delivery_mode", "2"));
        settings.add(setting("publisher_confirms", "on"));
        List<String> why = new ArrayList<>(List.of(
                "Notification target '" + id + "': MinIO publishes each event to exchange " + exchange
                        + " with routing key " + routingKey + ", where `sluice worker --broker amqp` binds its queue.",
                "durable=on matches the exchange the worker declares (RabbitMQ refuses differing flags); "
                        + "delivery_mode=2 and publisher_confirms=on make each event persistent and confirmed."));
        addQueueDir(settings, why, queueDir, "the broker is unavailable");
        return new MinioTarget(Type.amqp, id, settings, why);
    }

    /**
     * A Kafka target publishing to {@code topic}, which {@code sluice worker --broker kafka} consumes.
     *
     * @param brokers bootstrap servers as MinIO reaches them ({@code host:port[,host:port]})
     */
    static MinioTarget kafka(String id, String brokers, String topic, String queueDir) {
        // the worker's own checks: a host:port list and a valid topic name
        KafkaSettings checked = new KafkaSettings(brokers, topic, KafkaSettings.DEFAULT_GROUP,
                KafkaSettings.DEFAULT_PARTITIONS, 1, 1, Duration.ZERO, Duration.ZERO, Map.of());
        List<ShellWord> settings = new ArrayList<>();
        settings.add(setting("brokers", checked.bootstrapServers().replace(" ", "")));
        settings.add(setting("topic", checked.topic()));
        List<String> why = new ArrayList<>(List.of(
                "Notification target '" + id + "': MinIO publishes each event to Kafka topic " + topic
                        + " (keyed by bucket/object, so one object's events stay in order), where `sluice worker "
                        + "--broker kafka` consumes it.",
                "The first worker creates the topic if the brokers do not; for TLS or SASL add MinIO's tls=on, "
                        + "sasl=on, sasl_username, sasl_password and sasl_mechanism."));
        addQueueDir(settings, why, queueDir, "Kafka is unavailable");
        return new MinioTarget(Type.kafka, id, settings, why);
    }

    /**
     * A webhook target POSTing each event to Sluice's webhook with its bearer token.
     *
     * @param token the token, or {@code null} when the webhook takes any caller
     */
    static MinioTarget webhook(String id, String endpoint, ShellWord.Secret token, String queueDir) {
        URI uri = uri(endpoint, "http://sluice-host:8080/events");
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new ConfigException("--webhook-url '" + endpoint + "' is not an http:// URL such as "
                    + "http://sluice-host:8080/events.");
        }
        List<ShellWord> settings = new ArrayList<>();
        settings.add(setting("endpoint", endpoint));
        List<String> why = new ArrayList<>();
        why.add("Notification target '" + id + "': MinIO POSTs each event to Sluice's webhook at " + endpoint + ".");
        if (token != null) {
            settings.add(ShellWord.of(new ShellWord.Text("auth_token="), token));
            why.add("auth_token is the webhook's token, which MinIO sends as 'Authorization: Bearer ...'.");
        } else {
            why.add("The config's webhook has no token, so it takes events from anyone who reaches it; set "
                    + "webhook.token (MinIO then sends it as auth_token).");
        }
        addQueueDir(settings, why, queueDir, "Sluice is unreachable or answers 503");
        return new MinioTarget(Type.webhook, id, settings, why);
    }

    private static void addQueueDir(List<ShellWord> settings, List<String> why, String queueDir, String when) {
        if (queueDir == null || queueDir.isEmpty()) {
            why.add("No queue_dir (--queue-dir is empty): MinIO drops the events it cannot deliver when " + when + ".");
            return;
        }
        if (!queueDir.startsWith("/")) {
            throw new ConfigException("--queue-dir '" + queueDir + "' must be an absolute path on the MinIO server, "
                    + "e.g. /opt/minio/events.");
        }
        settings.add(setting("queue_dir", queueDir));
        why.add("queue_dir (a folder on the MinIO server) keeps events while " + when
                + ", and MinIO sends them again.");
    }

    /** {@code key=value}; MinIO strips one pair of double quotes, which keep spaces and quotes in a value. */
    private static ShellWord setting(String key, String value) {
        boolean quote = value.isEmpty() || value.chars().anyMatch(Character::isWhitespace)
                || value.startsWith("\"") || value.endsWith("\"") || value.startsWith("'") || value.endsWith("'");
        return ShellWord.text(key + "=" + (quote ? "\"" + value + "\"" : value));
    }

    /** {@code url=...} with the password, if any, as a secret; the built-in guest default is no secret. */
    private static ShellWord amqpUrl(String url, URI uri) {
        if ("/".equals(uri.getRawPath())) {
            url = url.substring(0, url.lastIndexOf('/')); // a bare "/" would be the empty vhost to MinIO's client
        }
        String userInfo = uri.getRawUserInfo();
        int colon = userInfo == null ? -1 : userInfo.indexOf(':');
        if (colon < 0 || url.equals(AmqpSettings.DEFAULT_URI)) {
            return setting("url", url);
        }
        int start = url.indexOf("://") + 3;
        int passwordStart = start + colon + 1;
        int passwordEnd = start + userInfo.length();
        return ShellWord.of(new ShellWord.Text("url=" + url.substring(0, passwordStart)),
                new ShellWord.Secret("SLUICE_AMQP_PASSWORD", url.substring(passwordStart, passwordEnd),
                        "the password in the AMQP URL (--url or SLUICE_BROKER_URL), percent-encoded as in the URL"),
                new ShellWord.Text(url.substring(passwordEnd)));
    }

    private static URI uri(String url, String example) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                throw new URISyntaxException(url, "no host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("'" + safeUrl(url) + "' is not a URL with a host, such as " + example + ".", e);
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL without its user information, for messages. */
    private static String safeUrl(String url) {
        int at = url.lastIndexOf('@');
        int scheme = url.indexOf("://");
        return at < 0 ? url : (scheme < 0 ? "" : url.substring(0, scheme + 3)) + url.substring(at + 1);
    }
}
