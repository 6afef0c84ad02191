package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.event.EventParseException;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.event.ObjectEventJson;
import dev.sluice.core.event.S3EventParser;
import dev.sluice.core.store.ObjectStore;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Dead letters of a broker trigger: a message given up on (redelivered too often, or not an S3 event at all)
 * becomes a JSON record in the dead-letter bucket, next to the executor's records of failed steps, under
 * {@code {day}/broker-{broker}/{millis}-{hash}.json}. The record holds why, the message body (as text, or
 * base64 when it is not UTF-8), and the events it names when it parses. A store failure is thrown, so the
 * trigger delivers the message again instead of dropping it.
 */
final class BrokerDeadLetters implements BiConsumer<byte[], String> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final ObjectStore store;
    private final String bucket;
    private final String broker;

    BrokerDeadLetters(ObjectStore store, String bucket, String broker) {
        this.store = store;
        this.bucket = bucket;
        this.broker = broker;
    }

    @Override
    public void accept(byte[] body, String reason) {
        Instant now = Instant.now();
        ObjectNode record = JSON.createObjectNode();
        record.put("time", now.toString());
        record.put("source", "broker");
        record.put("broker", broker);
        record.put("reason", reason);
        String text = utf8(body);
        if (text != null) {
            record.put("body", text);
        } else {
            record.put("bodyBase64", Base64.getEncoder().encodeToString(body));
        }
        try {
            ArrayNode events = record.putArray("events");
            for (ObjectEvent event : S3EventParser.parse(body)) {
                events.add(ObjectEventJson.toJson(event));
            }
        } catch (EventParseException e) {
            record.remove("events");
        }
        String key = DAY.format(now) + "/broker-" + broker + "/" + now.toEpochMilli() + "-" + hash(body) + ".json";
        store.put(bucket, key, record.toPrettyString().getBytes(StandardCharsets.UTF_8), "application/json",
                Map.of());
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String hash(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
