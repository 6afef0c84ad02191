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
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The same end-to-end contract against a real MinIO in a container, with Sluice polling the buckets (no
 * server-side notification setup needed). Skipped, with the reason in the report, where Docker is unavailable.
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioEndToEndTest extends ThumbnailEndToEndContract {
    /** The MinIO release these tests pass against; deploy/compose runs the same one (DeployFilesTest). */
    static final String IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z";

    @Container
    static final MinIOContainer MINIO = new MinIOContainer(IMAGE);

    @TempDir
    static Path stateDir;
    static SluiceServer server;
    static S3Client uploader;
    static final MeterRegistry METERS = new SimpleMeterRegistry();
    static FunctionRegistry functions;

    @BeforeAll
    static void start() throws Exception {
        uploader = s3Client(MINIO.getS3URL(), MINIO.getUserName(), MINIO.getPassword());
        for (String bucket : new String[] {"uploads", "thumbnails", "loop", "sluice-dead-letters", "sluice-state"}) {
            uploader.createBucket(b -> b.bucket(bucket));
        }
        String yaml = """
                store:
                  endpoint: %s
                  accessKey: %s
                  secretKey: %s
                  pathStyle: true
                poll:
                  buckets: [uploads, loop]
                  interval: 500ms
                  stateFile: %s
                """.formatted(MINIO.getS3URL(), MINIO.getUserName(), MINIO.getPassword(), stateDir.resolve("poll.json"))
                + pipelinesYaml();
        SluiceConfig config = new ConfigLoader(k -> null).parse(yaml, stateDir);
        functions = FunctionRegistry.loadDefault();
        server = SluiceServer.start(config, functions, METERS, null, null);
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
