package dev.sluice.triggers.minio;

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
 * What the listen trigger has had acknowledged: per bucket, each object key with its fingerprint (the eTag). A
 * reconcile compares a listing against it; only acknowledgements change it, so whatever was not finished before
 * a drop, crash or restart is emitted again. Saved as JSON, streamed both ways so that millions of keys cost no
 * more than the map itself:
 * <pre>{"format":"sluice-listen-state/1","buckets":{"uploads":{"a.jpg":"9b2cf535f27731c974343645a3985328"}}}</pre>
 *
 * <p>The same shape as the polling trigger's state, kept apart so the two triggers never share a file.
 */
final class ListenState {
    static final String FORMAT = "sluice-listen-state/1";
    private static final JsonFactory JSON = new JsonFactory();

    /** One object: its acknowledged fingerprint, and the last reconcile that saw it (listed or acknowledged). */
    static final class Seen {
        volatile String fingerprint;
        volatile long generation;

        Seen(String fingerprint, long generation) {
            this.fingerprint = fingerprint;
            this.generation = generation;
        }
    }

    private final Map<String, ConcurrentHashMap<String, Seen>> buckets = new ConcurrentHashMap<>();
    private volatile boolean dirty;

    /** The objects of one bucket (created empty on first use); safe to use from any thread. */
    ConcurrentHashMap<String, Seen> bucket(String bucket) {
        return buckets.computeIfAbsent(bucket, b -> new ConcurrentHashMap<>());
    }

    /** Records an acknowledged created or changed object. */
    void remember(String bucket, String key, String fingerprint, long generation) {
        bucket(bucket).compute(key, (k, seen) -> {
            if (seen == null) {
                return new Seen(fingerprint, generation);
            }
            seen.fingerprint = fingerprint;
            seen.generation = Math.max(seen.generation, generation);
            return seen;
        });
        dirty = true;
    }

    /**
     * Forgets an acknowledged removal, unless the object came back with another fingerprint meanwhile
     * ({@code fingerprint} is what was remembered when the removal was emitted, {@code null} for nothing).
     */
    void forget(String bucket, String key, String fingerprint) {
        if (fingerprint == null) {
            return;
        }
        bucket(bucket).computeIfPresent(key, (k, seen) -> seen.fingerprint.equals(fingerprint) ? null : seen);
        dirty = true;
    }

    /** The acknowledged fingerprint, or {@code null}. */
    String fingerprint(String bucket, String key) {
        Seen seen = bucket(bucket).get(key);
        return seen == null ? null : seen.fingerprint;
    }

    long size() {
        return buckets.values().stream().mapToLong(Map::size).sum();
    }

    boolean dirty() {
        return dirty;
    }

    /**
     * Loads the state saved in {@code file}, keeping only the given buckets and keys under {@code prefix} (what
     * the configuration no longer listens to is dropped). A missing file is an empty state.
     */
    static ListenState load(Path file, Collection<String> wantedBuckets, String prefix) {
        ListenState state = new ListenState();
        if (!Files.exists(file)) {
            return state;
        }
        try (InputStream in = Files.newInputStream(file); JsonParser parser = JSON.createParser(in)) {
            expect(parser, JsonToken.START_OBJECT, file);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("format".equals(field)) {
                    if (!FORMAT.equals(parser.getText())) {
                        throw corrupt(file, "unknown format \"" + parser.getText() + "\" (expected " + FORMAT + ")",
                                null);
                    }
                } else if ("buckets".equals(field) && value == JsonToken.START_OBJECT) {
                    readBuckets(parser, state, wantedBuckets, prefix, file);
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw corrupt(file, e.getMessage(), e);
        }
        state.dirty = false;
        return state;
    }

    private static void readBuckets(JsonParser parser, ListenState state, Collection<String> wantedBuckets,
                                    String prefix, Path file) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String bucket = parser.currentName();
            expect(parser, JsonToken.START_OBJECT, file);
            boolean wanted = wantedBuckets.contains(bucket);
            Map<String, Seen> objects = wanted ? state.bucket(bucket) : null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                expect(parser, JsonToken.VALUE_STRING, file);
                if (wanted && key.startsWith(prefix)) {
                    objects.put(key, new Seen(parser.getText(), 0));
                }
            }
        }
    }

    private static void expect(JsonParser parser, JsonToken token, Path file) throws IOException {
        JsonToken actual = parser.nextToken();
        if (actual != token) {
            throw corrupt(file, "expected " + token + " but found " + actual + " at "
                    + parser.currentLocation().offsetDescription(), null);
        }
    }

    private static SluiceException corrupt(Path file, String detail, Throwable cause) {
        return new SluiceException("The listen state file " + file + " cannot be read (" + detail + "). It is only"
                + " written by Sluice, atomically; if it was edited, restore it, or delete it to treat every object"
                + " as new (processing is idempotent, so this only costs time).", cause);
    }

    /** Writes the state to a temporary file beside {@code file}, then renames it over {@code file}. */
    synchronized void save(Path file) throws IOException {
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
                    json.writeStringField("format", FORMAT);
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
