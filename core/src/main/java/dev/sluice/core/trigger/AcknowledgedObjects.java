package dev.sluice.core.trigger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sluice.core.SluiceException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a listing trigger (polling, the listen API's reconcile) has had acknowledged: per bucket, each object key
 * with its fingerprint (the eTag). A listing is compared against it; only acknowledgements change it, so whatever
 * was not finished before a crash, restart or dropped stream is emitted again. Saved as JSON, streamed both ways
 * so that millions of keys cost no more than the map itself:
 * <pre>{"format":"sluice-poll-state/1","buckets":{"uploads":{"photos/a.jpg":"9b2cf535f27731c974343645a3985328"}}}</pre>
 * Each trigger has its own {@code format}, so that two triggers never read each other's file.
 */
public final class AcknowledgedObjects {
    private static final JsonFactory JSON = new JsonFactory();

    /** One object: its acknowledged fingerprint, and the last round (listing) that saw it or acknowledged it. */
    public static final class Seen {
        private volatile String fingerprint;
        private volatile long round;

        Seen(String fingerprint, long round) {
            this.fingerprint = fingerprint;
            this.round = round;
        }

        public String fingerprint() {
            return fingerprint;
        }

        public long round() {
            return round;
        }

        /** Notes that the listing of {@code round} contained the object. */
        public void listedIn(long round) {
            this.round = round;
        }
    }

    private final String format;
    private final String owner;

    private final Map<String, ConcurrentHashMap<String, Seen>> buckets = new ConcurrentHashMap<>();
    private volatile boolean dirty;

    /**
     * An empty state.
     *
     * @param format the file's format name, e.g. {@code sluice-poll-state/1}
     * @param owner  the trigger, for messages, e.g. {@code poll}
     */
    public AcknowledgedObjects(String format, String owner) {
        this.format = format;
        this.owner = owner;
    }

    /** The objects of one bucket (created empty on first use); safe to use from any thread. */
    public ConcurrentHashMap<String, Seen> bucket(String bucket) {
        return buckets.computeIfAbsent(bucket, b -> new ConcurrentHashMap<>());
    }

    /** Records an acknowledged created or changed object. */
    public void remember(String bucket, String key, String fingerprint, long round) {
        bucket(bucket).compute(key, (k, seen) -> {
            if (seen == null) {
                return new Seen(fingerprint, round);
            }
            seen.fingerprint = fingerprint;
            seen.round = Math.max(seen.round, round);
            return seen;
        });
        dirty = true;
    }

    /**
     * Forgets an acknowledged removal, unless the object came back with another fingerprint meanwhile
     * ({@code fingerprint} is what was remembered when the removal was emitted, {@code null} for nothing).
     */
    public void forget(String bucket, String key, String fingerprint) {
        if (fingerprint == null) {
            return;
        }
        bucket(bucket).computeIfPresent(key, (k, seen) -> seen.fingerprint.equals(fingerprint) ? null : seen);
        dirty = true;
    }

    /** The acknowledged fingerprint, or {@code null}. */
    public String fingerprint(String bucket, String key) {
        Seen seen = bucket(bucket).get(key);
        return seen == null ? null : seen.fingerprint;
    }

    public long size() {
        return buckets.values().stream().mapToLong(Map::size).sum();
    }

    public boolean dirty() {
        return dirty;
    }

    /**
     * Loads the state saved in {@code file}, keeping only the given buckets and keys under {@code prefix} (what
     * the configuration no longer listens to is dropped). A missing file is an empty state.
     */
    public static AcknowledgedObjects load(Path file, String format, String owner, Collection<String> wantedBuckets,
                                           String prefix) {
        AcknowledgedObjects state = new AcknowledgedObjects(format, owner);
        if (!Files.exists(file)) {
            return state;
        }
        try (InputStream in = Files.newInputStream(file); JsonParser parser = JSON.createParser(in)) {
            state.expect(parser, JsonToken.START_OBJECT, file);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("format".equals(field)) {
                    if (!format.equals(parser.getText())) {
                        throw state.corrupt(file, "unknown format \"" + parser.getText() + "\" (expected " + format
                                + ")", null);
                    }
                } else if ("buckets".equals(field) && value == JsonToken.START_OBJECT) {
                    readBuckets(parser, state, wantedBuckets, prefix, file);
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw state.corrupt(file, e.getMessage(), e);
        }
        state.dirty = false;
        return state;
    }

    private static void readBuckets(JsonParser parser, AcknowledgedObjects state, Collection<String> wantedBuckets,
                                    String prefix, Path file) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String bucket = parser.currentName();
            state.expect(parser, JsonToken.START_OBJECT, file);
            boolean wanted = wantedBuckets.contains(bucket);
            Map<String, Seen> objects = wanted ? state.bucket(bucket) : null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                state.expect(parser, JsonToken.VALUE_STRING, file);
                if (wanted && key.startsWith(prefix)) {
                    objects.put(key, new Seen(parser.getText(), 0));
                }
            }
        }
    }

    private void expect(JsonParser parser, JsonToken token, Path file) throws IOException {
        JsonToken actual = parser.nextToken();
        if (actual != token) {
            throw corrupt(file, "expected " + token + " but found " + actual + " at "
                    + parser.currentLocation().offsetDescription(), null);
        }
    }

    private SluiceException corrupt(Path file, String detail, Throwable cause) {
        return new SluiceException("The " + owner + " state file " + file + " cannot be read (" + detail + ")."
                + " It is only written by Sluice, atomically; if it was edited, restore it, or delete it to treat every"
                + " object as new (processing is idempotent, so this only costs time).", cause);
    }

    /** Writes the state to a temporary file beside {@code file}, then renames it over {@code file}. */
    public synchronized void save(Path file) throws IOException {
        dirty = false; // cleared first: a change made while writing marks it dirty again
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024)) {
                try (JsonGenerator json = JSON.createGenerator(out)
                        .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)) {
                    json.writeStartObject();
                    json.writeStringField("format", format);
                    json.writeObjectFieldStart("buckets");
                    for (Map.Entry<String, ConcurrentHashMap<String, Seen>> bucket : buckets.entrySet()) {
                        json.writeObjectFieldStart(bucket.getKey());
                        for (Map.Entry<String, Seen> object : bucket.getValue().entrySet()) {
                            json.writeStringField(object.getKey(), object.getValue().fingerprint);
                        }
                        json.writeEndObject();
                    }
                    json.writeEndObject();
                    json.writeEndObject();
                    json.flush();
                }
                out.flush();
                channel.force(true); // the rename must not reach the disk before the content
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            dirty = true;
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
