package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The probes and metrics endpoint of {@code serve} and {@code worker}. */
class OpsServerTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void answersProbesAndServesPrometheusMetrics() throws Exception {
        PrometheusMeterRegistry registry = OpsServer.newRegistry();
        Counter.builder("sluice.invocations").tag("function", "thumbnail").tag("outcome", "succeeded")
                .register(registry).increment(3);
        AtomicBoolean ready = new AtomicBoolean();
        try (OpsServer ops = OpsServer.start("127.0.0.1", 0, registry, ready::get)) {
            String base = "http://127.0.0.1:" + ops.port();

            assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(base + "/readyz").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(base + "/readyz").statusCode()).isEqualTo(200);

            System.gc(); // a gauge whose state was only weakly held would now read NaN
            HttpResponse<String> metrics = get(base + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(metrics.body())
                    .contains("sluice_invocations_total{function=\"thumbnail\",outcome=\"succeeded\"} 3.0")
                    .contains("jvm_threads_live_threads")
                    .containsPattern("(?m)^process_resident_memory_bytes \\d\\.\\d+E\\d+$");

            assertThat(get(base + "/nothing-here").statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            HttpResponse<String> postWithBody = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(postWithBody.statusCode()).isEqualTo(405);
            // its body was not read: the connection closes, and the client must not send another request down it
            assertThat(postWithBody.headers().firstValue("Connection")).hasValue("close");
            assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
