package dev.sluice.triggers;

import dev.sluice.core.ConfigException;
import dev.sluice.core.config.WebhookSettings;
import dev.sluice.core.event.EventParseException;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.event.CloudEvents;
import dev.sluice.core.trigger.EventSink;
import dev.sluice.core.trigger.Trigger;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP endpoint for S3 event notifications: MinIO's webhook target, or anything that POSTs AWS S3 event JSON.
 *
 * <p>{@code POST <path>} with a bearer token (MinIO's {@code auth_token}) hands every event of the body to the
 * sink and answers once they are done, so that the store's own retry queue is the redelivery mechanism:
 * <ul>
 *   <li>200 when every event was acknowledged (including an {@code s3:TestEvent}, which holds none);</li>
 *   <li>503 when an event was nacked or Sluice is stopping: MinIO (with a {@code queue_dir}) sends it again;</li>
 *   <li>202 when the events are still being processed after the maximum wait;</li>
 *   <li>400 for a body that is not an S3 event document, 401 for a missing or wrong token, 413 for a body
 *       over the size limit.</li>
 * </ul>
 * {@code GET /healthz} answers 200 for liveness probes. {@code HEAD <path>} answers too: MinIO probes the
 * endpoint with it before it sends events.
 */
public final class WebhookTrigger implements Trigger {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookTrigger.class);

    public static final String HEALTH_PATH = "/healthz";
    public static final Duration DEFAULT_MAX_ACK_WAIT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    /** An oversized body is read and discarded up to this many times the limit, so the client sees the 413. */
    private static final int DISCARD_FACTOR = 16;

    /**
     * @param maxAckWait   how long a POST waits for its events to be processed before answering 202
     * @param maxBodyBytes largest notification body accepted (MinIO sends one event per POST, a few KiB)
     */
    public record Limits(Duration maxAckWait, int maxBodyBytes) {
        public static final Limits DEFAULT = new Limits(DEFAULT_MAX_ACK_WAIT, DEFAULT_MAX_BODY_BYTES);

        public Limits {
            Objects.requireNonNull(maxAckWait, "maxAckWait");
            if (maxAckWait.isNegative() || maxAckWait.isZero()) {
                throw new IllegalArgumentException("maxAckWait must be positive, was " + maxAckWait);
            }
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be positive, was " + maxBodyBytes);
            }
        }
    }

    private final WebhookSettings settings;
    private final Limits limits;
    private final String path;
    private final byte[] tokenDigest;
    private final Set<AckBatch> waiting = ConcurrentHashMap.newKeySet();
    private volatile EventSink sink;
    private volatile boolean closed;
    private volatile Server server;
    private volatile ServerConnector connector;

    public WebhookTrigger(WebhookSettings settings) {
        this(settings, Limits.DEFAULT);
    }

    public WebhookTrigger(WebhookSettings settings, Limits limits) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.path = normalizePath(settings.path() == null ? "/events" : settings.path());
        if (settings.token() != null && settings.token().isBlank()) {
            throw new ConfigException("webhook.token is empty: set the token your store sends (MinIO's auth_token)"
                    + " or remove the setting to accept unauthenticated notifications.");
        }
        this.tokenDigest = settings.token() == null ? null : sha256(settings.token().trim());
    }

    @Override
    public String name() {
        int port = connector == null ? settings.port() : port();
        return "webhook http://" + host() + ":" + port + path;
    }

    @Override
    public synchronized void start(EventSink sink) throws Exception {
        Objects.requireNonNull(sink, "sink");
        if (server != null) {
            throw new IllegalStateException("The webhook trigger is already started.");
        }
        if (closed) {
            throw new IllegalStateException("The webhook trigger is closed; create a new one.");
        }
        this.sink = sink;
        QueuedThreadPool threads = new QueuedThreadPool(64, 2);
        threads.setName("sluice-webhook");
        threads.setDaemon(true);
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector httpConnector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        httpConnector.setHost(host());
        httpConnector.setPort(settings.port());
        httpConnector.setShutdownIdleTimeout(100); // on close, idle keep-alive connections need no grace period
        jetty.addConnector(httpConnector);
        jetty.setHandler(new GracefulHandler(new NotificationHandler()));
        jetty.setStopTimeout(2_000);
        try {
            jetty.start();
        } catch (IOException e) {
            jetty.stop();
            throw new ConfigException("The webhook cannot listen on " + host() + ":" + settings.port() + " ("
                    + e.getMessage() + "); pick another webhook.port or stop what uses it.", e);
        }
        this.server = jetty;
        this.connector = httpConnector;
        LOG.info("Webhook trigger listening on {}{}", name(),
                tokenDigest == null ? " (no token: any caller is accepted)" : "");
    }

    /** The port the endpoint listens on (useful with port 0, which picks a free one). */
    public int port() {
        if (connector == null) {
            throw new IllegalStateException("The webhook trigger is not started.");
        }
        return connector.getLocalPort();
    }

    /** The notification path, e.g. {@code /events}. */
    public String path() {
        return path;
    }

    /**
     * Stops the endpoint. Requests still waiting for their events are answered 503, so the store delivers
     * those events again.
     */
    @Override
    public void close() {
        Server jetty;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            jetty = server;
        }
        waiting.forEach(batch -> batch.fail("Sluice is shutting down"));
        if (jetty != null) {
            try {
                jetty.stop();
            } catch (Exception e) {
                LOG.warn("Stopping the webhook endpoint failed: {}", e.toString());
            }
        }
    }

    private String host() {
        return settings.host() == null || settings.host().isBlank() ? "127.0.0.1" : settings.host();
    }

    static String normalizePath(String raw) {
        String p = raw.startsWith("/") ? raw : "/" + raw;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /**
     * Compares digests rather than the tokens themselves: {@link MessageDigest#isEqual} is constant-time for
     * equal lengths, and equal-length digests also hide the token's length.
     */
    static boolean authorized(String authorization, byte[] expectedDigest) {
        if (expectedDigest == null) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
            return false;
        }
        return MessageDigest.isEqual(sha256(value.substring(space + 1).trim()), expectedDigest);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Answers the request with a short plain-text message. */
    private static void respond(Response response, Callback callback, int status, String message) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, message + "\n", callback);
    }

    /** Answers a request without reading its body. */
    private static void refuse(Request request, Response response, Callback callback, int status, String message) {
        UnreadBodies.closeConnectionAfterAnswer(request, response);
        respond(response, callback, status, message);
    }

    private final class NotificationHandler extends Handler.Abstract {

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String requestPath = normalizePath(Request.getPathInContext(request));
            String method = request.getMethod();
            if (requestPath.equals(path)) {
                if (HttpMethod.POST.is(method)) {
                    receive(request, response, callback);
                } else if (HttpMethod.HEAD.is(method)) {
                    int status = authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION), tokenDigest)
                            ? HttpStatus.OK_200 : HttpStatus.UNAUTHORIZED_401;
                    response.setStatus(status);
                    callback.succeeded();
                } else {
                    response.getHeaders().put(HttpHeader.ALLOW, "POST, HEAD");
                    refuse(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405,
                            "Send S3 event notifications with POST.");
                }
                return true;
            }
            if (requestPath.equals(HEALTH_PATH)) {
                if (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method)) {
                    respond(response, callback, closed ? HttpStatus.SERVICE_UNAVAILABLE_503 : HttpStatus.OK_200,
                            closed ? "stopping" : "ok");
                } else {
                    response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                    refuse(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "Use GET.");
                }
                return true;
            }
            refuse(request, response, callback, HttpStatus.NOT_FOUND_404,
                    "Not found. Notifications go to POST " + path + ", health checks to GET " + HEALTH_PATH + ".");
            return true;
        }

        private void receive(Request request, Response response, Callback callback) throws IOException {
            String remote = Request.getRemoteAddr(request);
            if (!authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION), tokenDigest)) {
                boolean presented = request.getHeaders().get(HttpHeader.AUTHORIZATION) != null;
                LOG.warn("Rejected a notification from {}: {} bearer token.", remote, presented ? "wrong" : "no");
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, presented
                        ? "Bearer realm=\"sluice\", error=\"invalid_token\"" : "Bearer realm=\"sluice\"");
                refuse(request, response, callback, HttpStatus.UNAUTHORIZED_401,
                        "Missing or wrong bearer token: set the webhook's auth_token to Sluice's webhook.token.");
                return;
            }
            if (closed) {
                refuse(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                        "Sluice is stopping; send again later.");
                return;
            }
            byte[] body = readBody(request);
            if (body == null) {
                LOG.warn("Rejected a notification from {}: body larger than {} bytes.", remote, limits.maxBodyBytes());
                refuse(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                        "Notification body is larger than " + limits.maxBodyBytes() + " bytes.");
                return;
            }
            List<ObjectEvent> events;
            try {
                // MinIO/S3 notification bodies, or CloudEvents (binary, structured, batch) from a Knative Broker
                events = CloudEvents.parseNotification(request.getHeaders().get(HttpHeader.CONTENT_TYPE),
                        request.getHeaders().get("ce-specversion"), body);
            } catch (EventParseException e) {
                LOG.warn("Rejected a notification from {}: {}", remote, e.getMessage());
                respond(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
                return;
            }
            if (events.isEmpty()) {
                respond(response, callback, HttpStatus.OK_200, "No events in this notification (test event).");
                return;
            }
            dispatch(request, response, callback, events);
        }

        /** Reads the body, or returns null when it is over the limit (after discarding a reasonable amount). */
        private byte[] readBody(Request request) throws IOException {
            int max = limits.maxBodyBytes();
            long declared = request.getLength();
            long discardLimit = (long) max * DISCARD_FACTOR;
            if (declared > discardLimit) {
                return null; // too big to be worth reading; Jetty closes the connection after the answer
            }
            InputStream in = Request.asInputStream(request);
            byte[] body = in.readNBytes(max + 1);
            if (body.length <= max) {
                return body;
            }
            // Read the rest (bounded) so that the client is not reset while still sending and sees the 413.
            long discarded = body.length;
            byte[] scratch = new byte[8192];
            int n;
            while (discarded < discardLimit && (n = in.read(scratch)) > 0) {
                discarded += n;
            }
            return null;
        }

        private void dispatch(Request request, Response response, Callback callback, List<ObjectEvent> events) {
            AckBatch batch = new AckBatch(events.size(), limits.maxAckWait());
            waiting.add(batch);
            // Waiting for acknowledgements is not idleness: keep the connection while the events are processed.
            request.addIdleTimeoutListener(timeout -> false);
            try {
                for (ObjectEvent event : events) {
                    sink.accept(event, batch.member()); // may block: back-pressure reaches the store
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.fail("interrupted while handing the event over");
            } catch (RuntimeException e) {
                LOG.error("Could not hand a notification's events to Sluice: {}", e.toString(), e);
                batch.fail(e.getMessage() == null ? e.toString() : e.getMessage());
            }
            if (closed) {
                batch.fail("Sluice is shutting down"); // close() may have run before the batch was visible
            }
            batch.result().whenComplete((result, error) -> {
                waiting.remove(batch);
                answer(response, callback, events, result);
            });
        }

        private void answer(Response response, Callback callback, List<ObjectEvent> events, AckBatch.Result result) {
            String what = events.size() == 1 ? events.get(0).location() : events.size() + " events";
            switch (result.outcome()) {
                case ACKED -> respond(response, callback, HttpStatus.OK_200, "Processed " + what + ".");
                case TIMED_OUT -> respond(response, callback, HttpStatus.ACCEPTED_202,
                        "Accepted " + what + "; " + result.reason() + ".");
                case NACKED -> {
                    LOG.warn("Answering 503 for {} so that the store delivers it again: {}", what, result.reason());
                    respond(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                            "Not processed: " + oneLine(result.reason()) + ". Send again.");
                }
                default -> throw new IllegalStateException("Unknown outcome " + result.outcome());
            }
        }
    }

    private static String oneLine(String text) {
        String flat = text == null ? "" : text.replaceAll("[\\r\\n]+", " ").strip();
        if (flat.isEmpty()) {
            return "unknown error";
        }
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
