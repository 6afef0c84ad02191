package dev.sluice.cli;

import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.EmbeddedSettings;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice serve}: runs pipelines on events until stopped (Ctrl-C or SIGTERM finishes in-flight work). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the pipelines of a config. Without --config: the embedded S3 server on port 9000 and "
                + "the thumbnail demo (uploads -> thumbnails).")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, description = "Config file (default: the built-in demo, samples/thumbnails.yaml).")
    Path config;

    @Option(names = "--port", description = "Port of the embedded S3 server (overrides the config).")
    Integer port;

    @Option(names = "--data-dir", description = "Folder of the embedded S3 server (overrides the config).")
    Path dataDir;

    @Option(names = "--metrics-port", description = "Serve /healthz, /readyz and /metrics (Prometheus) on this port "
            + "of 127.0.0.1 (default: off).")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SluiceConfig loaded = withOverrides(ConfigFiles.load(config));
        Credentials credentials = Credentials.fromEnvironment(System::getenv);
        FunctionRegistry functions = Functions.load(loaded.pluginsDir());
        ConfigValidator.validate(loaded, functions);
        PrometheusMeterRegistry meters = OpsServer.newRegistry();
        SluiceServer server = SluiceServer.start(loaded, functions, meters,
                credentials.accessKey(), credentials.secretKey());
        AtomicBoolean stopping = new AtomicBoolean();
        OpsServer ops = metricsPort != null && metricsPort > 0
                ? OpsServer.start("127.0.0.1", metricsPort, meters, () -> !stopping.get()) : null;
        CountDownLatch stopped = Lifecycle.closeOnShutdown(() -> stopping.set(true), server, functions, ops);

        if (server.s3Endpoint() != null) {
            out.printf("Embedded S3 server: %s%n", server.s3Endpoint());
            if (credentials.developmentDefaults()) {
                out.printf("  access key %s, secret key %s (development defaults; set SLUICE_ACCESS_KEY and "
                        + "SLUICE_SECRET_KEY for anything else)%n", credentials.accessKey(), credentials.secretKey());
            }
        }
        Lifecycle.printPipelines(out, loaded);
        if (config == null) {
            out.printf("Try: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws --endpoint-url %s s3 cp photo.jpg "
                    + "s3://uploads/%n", credentials.accessKey(), credentials.secretKey(), server.s3Endpoint());
        }
        out.println("Ready. Ctrl-C stops after finishing work in progress.");
        out.flush();
        stopped.await();
        return 0;
    }

    private SluiceConfig withOverrides(SluiceConfig c) {
        if (port == null && dataDir == null) {
            return c;
        }
        EmbeddedSettings e = c.embedded();
        EmbeddedSettings embedded = new EmbeddedSettings(e.host(), port != null ? port : e.port(),
                dataDir != null ? dataDir.toAbsolutePath() : e.dataDir(), e.buckets());
        return c.withEmbedded(embedded);
    }
}
