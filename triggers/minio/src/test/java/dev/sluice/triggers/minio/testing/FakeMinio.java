package dev.sluice.triggers.minio.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.storage.EmbeddedS3Server;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A stand-in for MinIO on one endpoint, for machines without Docker: S3 requests pass through to a real
 * {@link EmbeddedS3Server} (which holds the objects and checks their signatures), and {@code GET /bucket?events=...}
 * is MinIO's listen API, answered in MinIO's wire format (see {@code cmd/listen-notification-handlers.go}): a
 * {@code text/event-stream} body with one {@code {"Records":[event]}} line per event, object keys as they are (not
 * URL-encoded), and keep-alives: {@code {"Records":null}} every {@code ping} seconds, or a single space every
 * half second when the request has no {@code ping}. Like MinIO, nothing (not even the headers) is sent before
 * the first event or keep-alive. The listen request's Signature V4 is checked ({@link SigV4Check}).
 *
 * <p>The events come from the embedded server: give it an {@link Events} as its listener, and the same to this
 * server, so that every real upload, copy and delete is published to the open streams:
 * <pre>{@code
 * FakeMinio.Events events = new FakeMinio.Events();
 * EmbeddedS3Server s3 = EmbeddedS3Server.builder().dataDir(dir).listener(events).build().start();
 * FakeMinio minio = new FakeMinio(s3, events);
 * }</pre>
 *
 * <p>For tests of what goes wrong: {@link #dropStreams()} cuts every open stream, {@link #refuseConnections()}
 * stops accepting connections (and cuts the open ones) until {@link #acceptConnections()}, {@link #answer} makes
 * listen requests fail with an S3 error, {@link #silenceStreams()} keeps the open streams open but silent, and
 * {@link #ignorePing(boolean)} plays a MinIO from before 2023 (a space every half second as keep-alive).
 */
public final class FakeMinio implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter EVENT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** One open listen request. */
    private final class Stream {
        final String bucket;
        final String prefix;
        final String suffix;
        final List<String> events;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        volatile boolean drop;
        volatile boolean silent;

        Stream(String bucket, String prefix, String suffix, List<String> events) {
            this.bucket = bucket;
            this.prefix = prefix;
            this.suffix = suffix;
            this.events = events;
        }

        boolean wants(ObjectEvent event) {
            String name = "s3:" + event.eventName();
            return event.bucket().equals(bucket) && event.key().startsWith(prefix) && event.key().endsWith(suffix)
                    && events.stream().anyMatch(e -> e.equals(name)
                            || (e.endsWith("*") && name.startsWith(e.substring(0, e.length() - 1))));
        }
    }

    private final EmbeddedS3Server s3;
    private final String region;
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final Server server;
    private final ServerConnector connector;
    private volatile int errorStatus;
    private volatile String errorCode;
    private volatile boolean ignorePing;
    private volatile boolean running = true;

    /** Relays the embedded server's events to the {@link FakeMinio} in front of it (set once that one exists). */
    public static final class Events implements Consumer<ObjectEvent> {
        private volatile FakeMinio minio;

        @Override
        public void accept(ObjectEvent event) {
            FakeMinio target = minio;
            if (target != null) {
                target.publish(event);
            }
        }
    }

    /**
     * Starts on a free port of 127.0.0.1, in front of {@code s3} (started; signing region us-east-1), publishing
     * what {@code events} (the server's listener) receives.
     */
    public FakeMinio(EmbeddedS3Server s3, Events events) throws Exception {
        this.s3 = s3;
        this.region = "us-east-1";
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("fake-minio");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.UNSAFE); // keys may hold %2F and the like, as MinIO allows
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        URI target = s3.endpoint();
        ProxyHandler.Reverse passThrough = new ProxyHandler.Reverse(request -> HttpURI.build(request.getHttpURI())
                .scheme(target.getScheme()).host(target.getHost()).port(target.getPort()));
        server.setHandler(new Handler.Wrapper(passThrough) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (isListen(request)) {
                    listen(request, response, callback);
                    return true;
                }
                return super.handle(request, response, callback);
            }
        });
        server.start();
        connector.setPort(connector.getLocalPort()); // a restart after refuseConnections() binds the same port
        events.minio = this;
    }

    /** The S3 endpoint, e.g. {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + connector.getPort());
    }

    /** Publishes one event, as MinIO would, to every open stream that asked for it. */
    public void publish(ObjectEvent event) {
        String line = render(event);
        for (Stream stream : streams) {
            if (stream.wants(event)) {
                stream.lines.add(line);
            }
        }
    }

    /**
     * Listen requests on {@code bucket} currently streaming. A client that goes away is noticed at the next
     * keep-alive write or two (like MinIO, which learns it when a write fails).
     */
    public int openStreams(String bucket) {
        return (int) streams.stream().filter(s -> s.bucket.equals(bucket)).count();
    }

    /** Listen requests that were signed correctly and answered with a stream. */
    public int acceptedRequests() {
        return accepted.get();
    }

    /** Listen requests answered with an error (bad signature, or {@link #answer}). */
    public int refusedRequests() {
        return refused.get();
    }

    /** The raw query strings of the listen requests, in order. */
    public List<String> listenQueries() {
        return List.copyOf(queries);
    }

    /** Cuts every open stream (the TCP connection, without ending the chunked body), as a crashing MinIO would. */
    public void dropStreams() {
        streams.forEach(s -> s.drop = true);
    }

    /** Stops accepting connections: clients get "connection refused"; open streams are cut. */
    public synchronized void refuseConnections() throws Exception {
        dropStreams();
        connector.stop();
    }

    /** Accepts connections again, on the same port. */
    public synchronized void acceptConnections() throws Exception {
        if (!connector.isStarted()) {
            connector.start();
        }
    }

    /** From now on, listen requests get this S3 error (e.g. 503 SlowDown); 0 goes back to streaming. */
    public void answer(int status, String code) {
        this.errorCode = code;
        this.errorStatus = status;
    }

    /**
     * The open streams stay open but send nothing more, not even keep-alives, and their events are lost: a dead
     * connection, as seen from the client. Streams opened later are normal.
     */
    public void silenceStreams() {
        streams.forEach(s -> s.silent = true);
    }

    /** Plays a MinIO from before 2023, which ignores {@code ping} and sends a space every half second instead. */
    public void ignorePing(boolean ignore) {
        this.ignorePing = ignore;
    }

    private static boolean isListen(Request request) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        String path = request.getHttpURI().getPath();
        String query = request.getHttpURI().getQuery();
        return path != null && path.matches("/[^/]+/?") && query != null
                && (query.startsWith("events=") || query.contains("&events="));
    }

    private void listen(Request request, Response response, Callback callback) {
        String bucket = request.getHttpURI().getPath().replaceAll("^/|/$", "");
        String rawQuery = request.getHttpURI().getQuery();
        queries.add(rawQuery);
        String signatureProblem = SigV4Check.check(request.getMethod(), request.getHttpURI().getPath(), rawQuery,
                name -> request.getHeaders().get(name), s3.accessKey(), s3.secretKey(), region);
        if (signatureProblem != null) {
            error(response, callback, 403, signatureProblem, "The request signature we calculated does not match"
                    + " the signature you provided.");
            return;
        }
        if (errorStatus != 0) {
            error(response, callback, errorStatus, errorCode, "Told so by the test.");
            return;
        }
        if (!bucketExists(bucket)) {
            error(response, callback, 404, "NoSuchBucket", "The specified bucket does not exist");
            return;
        }
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        Stream stream = new Stream(bucket, value(query, "prefix"), value(query, "suffix"),
                query.getValues("events"));
        String ping = ignorePing ? "" : value(query, "ping");
        long keepAliveMillis = ping.isEmpty() ? 500 : Long.parseLong(ping) * 1000;
        String keepAlive = ping.isEmpty() ? " " : "{\"Records\":null}\n";
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no");
        response.getHeaders().put(HttpHeader.SERVER, "MinIO");
        accepted.incrementAndGet();
        streams.add(stream);
        OutputStream out = Content.Sink.asOutputStream(response);
        try {
            long nextKeepAlive = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
            while (running && !stream.drop) {
                String line = stream.lines.poll(50, TimeUnit.MILLISECONDS);
                if (line != null) {
                    if (!stream.silent) {
                        out.write(line.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                } else if (System.nanoTime() >= nextKeepAlive) {
                    nextKeepAlive = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
                    if (!stream.silent) {
                        out.write(keepAlive.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                }
            }
            // Dropped: close the connection without ending the body, as a crashing server or a cut cable would.
            request.getConnectionMetaData().getConnection().getEndPoint().close();
            callback.failed(new IOException("stream dropped by the test"));
        } catch (IOException | InterruptedException | RuntimeException e) {
            callback.failed(e); // the client went away
        } finally {
            streams.remove(stream);
        }
    }

    private boolean bucketExists(String bucket) {
        return s3.dataDir().resolve(bucket).toFile().isDirectory();
    }

    private static String value(Fields query, String name) {
        String value = query.getValue(name);
        return value == null ? "" : value;
    }

    private void error(Response response, Callback callback, int status, String code, String message) {
        refused.incrementAndGet();
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/xml");
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message + "</Message><Resource>/</Resource><RequestId>17F5A1E0F3C7B2A</RequestId></Error>";
        response.write(true, java.nio.ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** The event as MinIO's listen API writes it ({@code eventArgs.ToEvent(false)}: the key not escaped). */
    static String render(ObjectEvent event) {
        ObjectNode record = JSON.createObjectNode();
        record.put("eventVersion", "2.0").put("eventSource", "minio:s3").put("awsRegion", "")
                .put("eventTime", EVENT_TIME.format(event.time() == null ? Instant.now() : event.time()))
                .put("eventName", "s3:" + event.eventName());
        record.putObject("userIdentity").put("principalId", "minioadmin");
        record.putObject("requestParameters").put("principalId", "minioadmin").put("region", "")
                .put("sourceIPAddress", "127.0.0.1");
        record.putObject("responseElements").put("x-amz-id-2", "dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b6")
                .put("x-amz-request-id", "17CF5A1E0F3C7B2A").put("x-minio-deployment-id",
                        "3b9e1c5a-7f0d-4f2e-9a61-2c8d7e5b4a10").put("x-minio-origin-endpoint", "http://127.0.0.1:9000");
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0").put("configurationId", "Config");
        s3.putObject("bucket").put("name", event.bucket()).put("arn", "arn:aws:s3:::" + event.bucket())
                .putObject("ownerIdentity").put("principalId", "minioadmin");
        ObjectNode object = s3.putObject("object");
        object.put("key", event.key());
        if (event.eventType() != EventType.REMOVED) {
            if (event.size() > 0) {
                object.put("size", event.size());
            }
            if (event.eTag() != null) {
                object.put("eTag", event.eTag());
            }
            if (event.contentType() != null) {
                object.put("contentType", event.contentType());
                ObjectNode metadata = object.putObject("userMetadata");
                metadata.put("content-type", event.contentType());
                event.userMetadata().forEach((k, v) -> metadata.put("X-Amz-Meta-" + capitalize(k), v));
            }
        }
        object.put("sequencer", Long.toHexString(System.nanoTime()).toUpperCase(Locale.ROOT));
        record.putObject("source").put("host", "127.0.0.1").put("port", "").put("userAgent", "MinIO (linux; amd64)");
        ObjectNode root = JSON.createObjectNode();
        root.putArray("Records").add(record);
        return root + "\n";
    }

    private static String capitalize(String name) {
        return name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    @Override
    public void close() throws Exception {
        running = false;
        server.stop();
    }

    /** Sets of event names, for tests that look at the query. */
    public static Set<String> eventsOf(String rawQuery) {
        List<String> names = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("events=")) {
                names.add(java.net.URLDecoder.decode(pair.substring(7), StandardCharsets.UTF_8));
            }
        }
        return Set.copyOf(names);
    }
}
