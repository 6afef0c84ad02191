package dev.sluice.triggers.minio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.event.EventParseException;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.event.S3EventParser;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One listen request for one bucket, from sending it to its end.
 *
 * <p>MinIO answers with a never-ending body of newline-separated JSON documents, one {@code {"Records":[...]}}
 * per event, with keep-alives between them: {@code {"Records":null}} every {@code ping} seconds, or (servers
 * before 2023, which ignore {@code ping}) a single space every half second, which then sits in front of the next
 * record. Keys are the object names as they are, not URL-encoded.
 *
 * <p>The body is read as bytes, not lines, so that every keep-alive counts as a sign of life
 * ({@link #idleNanos()}). Nothing here blocks: records go to the {@link Listener} on the HTTP client's threads,
 * and {@link #cancel()} ends the exchange at once.
 */
final class ListenStream implements Flow.Subscriber<List<ByteBuffer>> {
    /** A body line longer than this is not a notification (minio-go allows the same). */
    static final int MAX_LINE = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

    /** What the trigger hears from a stream; called on the HTTP client's threads. */
    interface Listener {
        /** MinIO accepted the request: from now on it delivers every event. */
        void opened(ListenStream stream);

        /** The events of one record line. */
        void received(ListenStream stream, List<ObjectEvent> events);

        /** A line that is not a notification; its event (if any) is lost from the stream. */
        void unreadable(ListenStream stream, String line, RuntimeException problem);

        /**
         * The stream is over (not called after {@link #cancel()}).
         *
         * @param permanent the server refused in a way that retrying will not fix (credentials, no such bucket,
         *                  not MinIO)
         */
        void ended(ListenStream stream, String reason, boolean permanent);
    }

    private final String bucket;
    private final String endpoint;
    private final Listener listener;
    private final AtomicBoolean over = new AtomicBoolean();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
    private volatile Flow.Subscription subscription;
    private volatile CompletableFuture<HttpResponse<Void>> exchange;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile boolean open;

    ListenStream(String bucket, String endpoint, Listener listener) {
        this.bucket = bucket;
        this.endpoint = endpoint;
        this.listener = listener;
    }

    String bucket() {
        return bucket;
    }

    /** Sends the request; the outcome arrives through the listener. */
    void start(HttpClient http, HttpRequest request) {
        lastActivityNanos = System.nanoTime();
        CompletableFuture<HttpResponse<Void>> sent = http.sendAsync(request, this::respond);
        exchange = sent;
        sent.whenComplete((response, error) -> {
            if (error != null) {
                end(describe(error), false);
            } else {
                end("MinIO ended the stream", false);
            }
        });
        if (over.get()) {
            sent.cancel(true); // cancelled while sending
        }
    }

    /** True once MinIO answered 200 with an event stream. */
    boolean isOpen() {
        return open;
    }

    /** Nanoseconds since the last byte arrived (or since the request was sent). */
    long idleNanos() {
        return System.nanoTime() - lastActivityNanos;
    }

    /** Ends the exchange now; the listener hears nothing more from this stream. */
    void cancel() {
        if (over.compareAndSet(false, true)) {
            stop();
        }
    }

    private void stop() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        CompletableFuture<HttpResponse<Void>> sent = exchange;
        if (sent != null) {
            sent.cancel(true);
        }
    }

    private void end(String reason, boolean permanent) {
        if (over.compareAndSet(false, true)) {
            stop();
            listener.ended(this, reason, permanent);
        }
    }

    private HttpResponse.BodySubscriber<Void> respond(HttpResponse.ResponseInfo info) {
        lastActivityNanos = System.nanoTime();
        int status = info.statusCode();
        String type = info.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (status == 200 && !type.contains("xml") && !type.contains("html")) {
            open = true;
            if (!over.get()) {
                listener.opened(this);
            }
            return HttpResponse.BodySubscribers.fromSubscriber(this);
        }
        if (status == 200) {
            // An S3 server without the listen API takes GET /bucket?events=... for a plain listing.
            end(notMinio("HTTP 200 with " + type + ", an ordinary S3 answer"), true);
            return HttpResponse.BodySubscribers.replacing(null);
        }
        return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
                body -> {
                    refused(status, body);
                    return null;
                });
    }

    private void refused(int status, String body) {
        String code = first(CODE, body);
        String message = first(MESSAGE, body);
        String answer = "HTTP " + status + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message);
        if (status == 401 || status == 403) {
            end("MinIO at " + endpoint + " refused the listen request for bucket '" + bucket + "' (" + answer
                    + "). Check store.accessKey and store.secretKey, and that this user may "
                    + "s3:ListenBucketNotification on the bucket.", true);
        } else if (status == 404 && "NoSuchBucket".equals(code)) {
            end("Bucket '" + bucket + "' does not exist at " + endpoint + " (" + answer + "). Create it (mc mb) or "
                    + "correct listen.buckets.", true);
        } else if (status == 400 || status == 404 || status == 405 || status == 501) {
            end(notMinio(answer), true);
        } else {
            end("MinIO at " + endpoint + " answered the listen request for bucket '" + bucket + "' with " + answer,
                    false);
        }
    }

    private String notMinio(String answer) {
        return "The store at " + endpoint + " does not offer MinIO's listen API for bucket '" + bucket + "' ("
                + answer + "). 'listen' works with MinIO only; use 'webhook' or 'poll' for other stores.";
    }

    private String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpTimeoutException) {
            return "no answer from " + endpoint + " in time";
        }
        if (cause instanceof ConnectException) {
            return "cannot connect to " + endpoint
                    + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")");
        }
        return "the connection to " + endpoint + " broke (" + cause + ")";
    }

    private static String first(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (over.get()) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        lastActivityNanos = System.nanoTime();
        if (over.get()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    lineDone();
                } else if (line.size() >= MAX_LINE) {
                    end("a line of more than " + MAX_LINE + " bytes came from " + endpoint
                            + ", which is no MinIO notification", false);
                    return;
                } else {
                    line.write(b);
                }
            }
        }
        Flow.Subscription current = subscription;
        if (current != null && !over.get()) {
            current.request(1);
        }
    }

    private void lineDone() {
        String text = line.toString(StandardCharsets.UTF_8).strip();
        line.reset();
        if (text.isEmpty()) {
            return;
        }
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || !root.isObject()) {
                throw new EventParseException("not a JSON object with \"Records\"");
            }
            JsonNode records = root.get("Records");
            if (records == null || records.isNull() || (records.isArray() && records.isEmpty())) {
                return; // {"Records":null}: MinIO's keep-alive
            }
            List<ObjectEvent> events = S3EventParser.parse(root, S3EventParser.KeyEncoding.PLAIN);
            listener.received(this, events);
        } catch (JsonProcessingException e) {
            listener.unreadable(this, text, new EventParseException("not JSON: " + e.getOriginalMessage(), e));
        } catch (EventParseException e) {
            listener.unreadable(this, text, e);
        }
    }

    @Override
    public void onError(Throwable error) {
        end(describe(error), false);
    }

    @Override
    public void onComplete() {
        end("MinIO ended the stream", false);
    }

    @Override
    public String toString() {
        return "ListenStream[" + bucket + " at " + endpoint + (open ? ", open" : "") + (over.get() ? ", over" : "")
                + "]";
    }
}
