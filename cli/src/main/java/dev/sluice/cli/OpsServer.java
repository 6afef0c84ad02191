package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.triggers.UnreadBodies;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
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
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The operations endpoint of {@code serve} and {@code worker}, for probes and Prometheus:
 * {@code GET /healthz} (200 while the process runs), {@code GET /readyz} (200 once it takes work, 503 while it
 * starts, stops, or has lost its broker) and {@code GET /metrics} (Prometheus text format: invocations,
 * durations, errors and retries per function, messages held from the broker, JVM and process figures).
 */
final class OpsServer implements AutoCloseable {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Server jetty;
    private final ServerConnector connector;

    private OpsServer(Server jetty, ServerConnector connector) {
        this.jetty = jetty;
        this.connector = connector;
    }

    /** A Prometheus registry with the JVM and process meters an operator expects next to Sluice's own. */
    static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        Path statm = Path.of("/proc/self/statm");
        if (Files.isReadable(statm)) { // Linux: resident set size, the footprint that containers are billed for
            Gauge.builder("process.resident.memory", statm, OpsServer::residentBytes).baseUnit("bytes")
                    .description("Resident set size of the process").strongReference(true).register(registry);
        }
        return registry;
    }

    /**
     * Starts listening on {@code host:port} (port 0 picks a free one).
     *
     * @param ready answers whether the process takes work now ({@code /readyz})
     */
    static OpsServer start(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready)
            throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName("sluice-ops");
        threads.setDaemon(true);
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        jetty.addConnector(connector);
        jetty.setHandler(new OpsHandler(registry, ready));
        jetty.setStopTimeout(1_000);
        try {
            jetty.start();
        } catch (IOException e) {
            jetty.stop();
            throw new ConfigException("The metrics endpoint cannot listen on " + host + ":" + port + " ("
                    + e.getMessage() + "); pick another --metrics-port, or 0 to turn it off.", e);
        }
        return new OpsServer(jetty, connector);
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            // stopping at exit: nothing left to do about it
        }
    }

    private static double residentBytes(Path statm) {
        try {
            String[] fields = Files.readString(statm, StandardCharsets.US_ASCII).trim().split("\\s+");
            return Long.parseLong(fields[1]) * 4096.0; // pages; 4 KiB on every Linux that Sluice targets
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static final class OpsHandler extends Handler.Abstract.NonBlocking {
        private final PrometheusMeterRegistry registry;
        private final BooleanSupplier ready;

        OpsHandler(PrometheusMeterRegistry registry, BooleanSupplier ready) {
            this.registry = registry;
            this.ready = ready;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String method = request.getMethod();
            if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
                UnreadBodies.closeConnectionAfterAnswer(request, response);
                respond(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "text/plain", "use GET\n");
                return true;
            }
            switch (Request.getPathInContext(request)) {
                case "/healthz" -> respond(response, callback, HttpStatus.OK_200, "text/plain", "ok\n");
                case "/readyz" -> {
                    boolean isReady = ready.getAsBoolean();
                    respond(response, callback, isReady ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503,
                            "text/plain", isReady ? "ready\n" : "not ready\n");
                }
                case "/metrics" -> respond(response, callback, HttpStatus.OK_200, PROMETHEUS_TEXT, registry.scrape());
                default -> respond(response, callback, HttpStatus.NOT_FOUND_404, "text/plain",
                        "not found: try /healthz, /readyz or /metrics\n");
            }
            return true;
        }

        private static void respond(Response response, Callback callback, int status, String type, String body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            Content.Sink.write(response, true, body, callback);
        }
    }
}
