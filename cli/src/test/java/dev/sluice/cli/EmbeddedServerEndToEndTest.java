package dev.sluice.cli;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.store.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The end-to-end contract on the embedded S3 server, events from the server itself (what `sluice serve` runs). */
class EmbeddedServerEndToEndTest extends ThumbnailEndToEndContract {
    @TempDir
    static Path dataDir;
    static SluiceServer server;
    static S3Client uploader;
    static final MeterRegistry METERS = new SimpleMeterRegistry();
    static FunctionRegistry functions;

    @BeforeAll
    static void start() throws Exception {
        String yaml = "embedded: { port: 0, dataDir: " + dataDir.resolve("s3") + ", buckets: [uploads, thumbnails, loop] }\n"
                + pipelinesYaml();
        SluiceConfig config = new ConfigLoader(k -> null).parse(yaml, dataDir);
        functions = FunctionRegistry.loadDefault();
        server = SluiceServer.start(config, functions, METERS, "test-access", "test-secret");
        uploader = s3Client(server.s3Endpoint().toString(), "test-access", "test-secret");
    }

    @AfterAll
    static void stop() throws Exception {
        closeAll(uploader, server, functions);
    }

    @Override
    S3Client uploader() {
        return uploader;
    }

    @Override
    ObjectStore store() {
        return server.store();
    }

    @Override
    MeterRegistry meters() {
        return METERS;
    }
}
